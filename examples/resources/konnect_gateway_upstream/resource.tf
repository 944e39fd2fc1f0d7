resource "konnect_gateway_upstream" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id

  # A service whose host is "orders.upstream" is balanced over this upstream's targets.
  name      = "orders.upstream"
  algorithm = "least-connections"

  # Passive health checks: a target that times out or answers 5xx three times
  # is taken out of the balancer.
  healthchecks = {
    passive = {
      type = "http"
      unhealthy = {
        http_failures = 3
        timeouts      = 3
        http_statuses = [500, 502, 503, 504]
      }
    }
  }

  tags = ["team-payments"]
}
