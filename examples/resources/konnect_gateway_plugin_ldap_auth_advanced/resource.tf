# The ldap-auth-advanced plugin with the settings it requires; every other setting keeps its default.
resource "konnect_gateway_plugin_ldap_auth_advanced" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id
  service = {
    id = konnect_gateway_service.example.id
  }

  config = {
    attribute = "example"
    base_dn   = "example"
    ldap_host = "example.com"
  }
}
