# The ai-custom-guardrail plugin with the settings it requires; every other setting keeps its default.
resource "konnect_gateway_plugin_ai_custom_guardrail" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id
  service = {
    id = konnect_gateway_service.example.id
  }

  config = {
    request = {
      url = "https://example.com/"
    }
    response = {
      block         = "example"
      block_message = "example"
    }
  }
}
