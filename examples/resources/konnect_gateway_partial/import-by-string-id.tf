import {
  to = konnect_gateway_partial.example
  id = jsonencode({
    control_plane_id = "9524ec7d-36d9-465d-a8c5-83a3c9390458"
    id               = "b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
  })
}
