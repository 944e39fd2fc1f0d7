# An acl plugin with `allow = ["partners"]` now lets this consumer through.
resource "konnect_gateway_acl" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id
  consumer_id      = konnect_gateway_consumer.example.id

  group = "partners"
}
