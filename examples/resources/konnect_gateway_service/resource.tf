resource "konnect_gateway_service" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id

  name     = "orders"
  protocol = "https"
  host     = "orders.internal.example.com"
  port     = 443
  path     = "/v2"

  # Fail fast towards a slow upstream: milliseconds.
  connect_timeout = 5000
  read_timeout    = 30000
  write_timeout   = 30000
  retries         = 2

  tags = ["team-payments"]
}
