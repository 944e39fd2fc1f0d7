import {
  to = konnect_gateway_certificate.example
  id = jsonencode({
    control_plane_id = "9524ec7d-36d9-465d-a8c5-83a3c9390458"
    id               = "3d1c5b0e-8f29-4b4a-9d3e-6a7f2c1e0b55"
  })
}
