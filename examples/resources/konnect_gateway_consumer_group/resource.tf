resource "konnect_gateway_consumer_group" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id

  name = "premium"
  tags = ["tier"]
}
