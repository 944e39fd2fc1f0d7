resource "konnect_gateway_consumer" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id

  username  = "acme-mobile-app"
  custom_id = "crm-0042"

  tags = ["partner", "mobile"]
}
