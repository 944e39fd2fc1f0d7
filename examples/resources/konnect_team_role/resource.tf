# The team may read everything in one control plane, and change nothing.
resource "konnect_team_role" "example" {
  team_id          = konnect_team.example.id
  role_name        = "Viewer"
  entity_type_name = "Control Planes"
  entity_id        = konnect_gateway_control_plane.example.id
  entity_region    = "us"
}
