# The ai-prompt-compressor plugin with the settings it requires; every other setting keeps its default.
resource "konnect_gateway_plugin_ai_prompt_compressor" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id
  service = {
    id = konnect_gateway_service.example.id
  }

  config = {
    compression_ranges = [{
      max_tokens = 1
      min_tokens = 1
      value      = 1
    }]
  }
}
