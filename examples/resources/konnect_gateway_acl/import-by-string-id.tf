import {
  to = konnect_gateway_acl.example
  id = jsonencode({
    consumer_id      = "f28acbfa-c866-4587-b688-0208ac24df21"
    control_plane_id = "9524ec7d-36d9-465d-a8c5-83a3c9390458"
    id               = "9b5e1a3c-6d8f-4c0b-9f4e-7a2d3b6c8e19"
  })
}
