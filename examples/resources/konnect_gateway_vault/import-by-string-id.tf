import {
  to = konnect_gateway_vault.example
  id = jsonencode({
    control_plane_id = "9524ec7d-36d9-465d-a8c5-83a3c9390458"
    id               = "9dc7d2b5-6e0a-4f13-8c49-7a1e3b5d2f80"
  })
}
