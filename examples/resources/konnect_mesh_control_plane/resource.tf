resource "konnect_mesh_control_plane" "example" {
  name        = "payments-mesh"
  description = "Kong Mesh of the payments team."

  labels = {
    team = "payments"
  }

  # Start with a mesh named "default" (set at creation only).
  features = [
    {
      type          = "MeshCreation"
      mesh_creation = { enabled = true }
    },
  ]
}
