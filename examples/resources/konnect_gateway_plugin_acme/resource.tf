# The acme plugin with the settings it requires; every other setting keeps its default.
resource "konnect_gateway_plugin_acme" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id

  config = {
    account_email = "{vault://env/EXAMPLE_SECRET}"
  }
}
