# The account may change everything in one control plane, in any region.
resource "konnect_system_account_role" "example" {
  account_id       = konnect_system_account.example.id
  role_name        = "Admin"
  entity_type_name = "Control Planes"
  entity_id        = konnect_gateway_control_plane.example.id
  entity_region    = "*"
}
