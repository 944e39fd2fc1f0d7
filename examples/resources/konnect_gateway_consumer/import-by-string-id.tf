import {
  to = konnect_gateway_consumer.example
  id = jsonencode({
    control_plane_id = "9524ec7d-36d9-465d-a8c5-83a3c9390458"
    id               = "f28acbfa-c866-4587-b688-0208ac24df21"
  })
}
