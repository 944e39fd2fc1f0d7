import {
  to = konnect_gateway_jwt.example
  id = jsonencode({
    consumer_id      = "f28acbfa-c866-4587-b688-0208ac24df21"
    control_plane_id = "9524ec7d-36d9-465d-a8c5-83a3c9390458"
    id               = "7f3c9e1a-4b6d-4a8f-9d2c-5e0b1f4a6c97"
  })
}
