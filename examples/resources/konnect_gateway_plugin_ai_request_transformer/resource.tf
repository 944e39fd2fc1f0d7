# The ai-request-transformer plugin with the settings it requires; every other setting keeps its default.
resource "konnect_gateway_plugin_ai_request_transformer" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id
  service = {
    id = konnect_gateway_service.example.id
  }

  config = {
    llm = {
      model = {
        provider = "anthropic"
      }
      route_type = "audio/v1/audio/speech"
    }
    prompt = "example"
  }
}
