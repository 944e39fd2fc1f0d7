resource "konnect_gateway_target" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id
  upstream_id      = konnect_gateway_upstream.example.id

  target = "10.0.12.7:8080"
  weight = 100
}
