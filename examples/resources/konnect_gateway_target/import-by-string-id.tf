import {
  to = konnect_gateway_target.example
  id = jsonencode({
    control_plane_id = "9524ec7d-36d9-465d-a8c5-83a3c9390458"
    id               = "a06f2b4d-7e9a-4d1c-8a5f-8b3e4c7d9f20"
    upstream_id      = "426d620c-7058-4ae6-aacc-f85a3204a2c5"
  })
}
