import {
  to = konnect_gateway_basic_auth.example
  id = jsonencode({
    consumer_id      = "f28acbfa-c866-4587-b688-0208ac24df21"
    control_plane_id = "9524ec7d-36d9-465d-a8c5-83a3c9390458"
    id               = "6e2b8d0f-3a5c-4f7e-8c1b-4d9a0e3f5b86"
  })
}
