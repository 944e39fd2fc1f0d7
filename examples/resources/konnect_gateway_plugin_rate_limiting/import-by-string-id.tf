import {
  to = konnect_gateway_plugin_rate_limiting.example
  id = jsonencode({
    control_plane_id = "9524ec7d-36d9-465d-a8c5-83a3c9390458"
    id               = "4c0f6b8d-1e3a-4d5c-8a9f-2b7e8c1d3f64"
  })
}
