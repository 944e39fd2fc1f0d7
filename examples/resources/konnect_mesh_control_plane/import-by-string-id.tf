import {
  to = konnect_mesh_control_plane.example
  id = "7f4c1b2e-3d5a-4e6f-8a9b-0c1d2e3f4a5b"
}
