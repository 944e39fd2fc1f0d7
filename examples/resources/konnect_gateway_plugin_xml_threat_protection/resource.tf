# The xml-threat-protection plugin with the settings it requires; every other setting keeps its default.
resource "konnect_gateway_plugin_xml_threat_protection" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id
  service = {
    id = konnect_gateway_service.example.id
  }

  config = {}
}
