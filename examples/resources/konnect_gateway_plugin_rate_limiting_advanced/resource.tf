# The rate-limiting-advanced plugin with the settings it requires; every other setting keeps its default.
resource "konnect_gateway_plugin_rate_limiting_advanced" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id
  service = {
    id = konnect_gateway_service.example.id
  }

  config = {
    limit       = [1]
    window_size = [1]
  }
}
