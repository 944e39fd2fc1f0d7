import {
  to = konnect_gateway_key_set.example
  id = jsonencode({
    control_plane_id = "9524ec7d-36d9-465d-a8c5-83a3c9390458"
    id               = "2a8d4f6b-9c1e-4b3a-8e7d-0f5c6a9b1d42"
  })
}
