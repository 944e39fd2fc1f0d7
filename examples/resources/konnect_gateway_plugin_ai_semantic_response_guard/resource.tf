# The ai-semantic-response-guard plugin with the settings it requires; every other setting keeps its default.
resource "konnect_gateway_plugin_ai_semantic_response_guard" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id
  service = {
    id = konnect_gateway_service.example.id
  }

  config = {
    embeddings = {
      model = {
        name     = "example"
        provider = "azure"
      }
    }
    vectordb = {
      dimensions      = 1
      distance_metric = "cosine"
      strategy        = "pgvector"
    }
  }
}
