# The ai-aws-guardrails plugin with the settings it requires; every other setting keeps its default.
resource "konnect_gateway_plugin_ai_aws_guardrails" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id
  service = {
    id = konnect_gateway_service.example.id
  }

  config = {
    aws_region         = "example"
    guardrails_id      = "example"
    guardrails_version = "example"
  }
}
