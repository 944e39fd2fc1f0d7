# Only the web service may call echo.
resource "konnect_mesh_traffic_permission" "example" {
  cp_id = konnect_mesh_control_plane.example.id
  mesh  = "default"
  type  = "MeshTrafficPermission"
  name  = "echo-from-web"

  spec = {
    target_ref = { kind = "MeshService", name = "echo" }
    from = [
      {
        target_ref = { kind = "MeshSubset", tags = { "kuma.io/service" = "web" } }
        default    = { action = "Allow" }
      },
      {
        target_ref = { kind = "Mesh" }
        default    = { action = "Deny" }
      },
    ]
  }
}
