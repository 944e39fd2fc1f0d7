import {
  to = konnect_gateway_upstream.example
  id = jsonencode({
    control_plane_id = "9524ec7d-36d9-465d-a8c5-83a3c9390458"
    id               = "426d620c-7058-4ae6-aacc-f85a3204a2c5"
  })
}
