resource "konnect_mesh" "example" {
  cp_id = konnect_mesh_control_plane.example.id
  type  = "Mesh"
  name  = "payments"

  labels = {
    team = "payments"
  }

  routing = {
    locality_aware_load_balancing = true
  }
}
