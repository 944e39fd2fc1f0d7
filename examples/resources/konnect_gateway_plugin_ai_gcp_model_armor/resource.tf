# The ai-gcp-model-armor plugin with the settings it requires; every other setting keeps its default.
resource "konnect_gateway_plugin_ai_gcp_model_armor" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id
  service = {
    id = konnect_gateway_service.example.id
  }

  config = {
    location_id = "example"
    project_id  = "example"
    template_id = "example"
  }
}
