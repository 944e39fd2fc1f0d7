import {
  to = konnect_gateway_consumer_group_member.example
  id = jsonencode({
    consumer_group_id = "5c2a7a8e-0bd4-4f0e-a1d2-1b3c6f0d9e77"
    consumer_id       = "f28acbfa-c866-4587-b688-0208ac24df21"
    control_plane_id  = "9524ec7d-36d9-465d-a8c5-83a3c9390458"
  })
}
