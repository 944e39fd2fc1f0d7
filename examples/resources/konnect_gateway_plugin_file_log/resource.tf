# The file-log plugin with the settings it requires; every other setting keeps its default.
resource "konnect_gateway_plugin_file_log" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id
  service = {
    id = konnect_gateway_service.example.id
  }

  config = {
    path = "example"
  }
}
