# The saml plugin with the settings it requires; every other setting keeps its default.
resource "konnect_gateway_plugin_saml" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id
  service = {
    id = konnect_gateway_service.example.id
  }

  config = {
    assertion_consumer_path = "example"
    idp_sso_url             = "https://example.com/"
    issuer                  = "example"
    session_secret          = "{vault://env/EXAMPLE_SECRET}-exa"
  }
}
