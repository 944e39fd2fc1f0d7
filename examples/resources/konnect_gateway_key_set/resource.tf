resource "konnect_gateway_key_set" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id

  name = "token-signing"
  tags = ["jwt"]
}
