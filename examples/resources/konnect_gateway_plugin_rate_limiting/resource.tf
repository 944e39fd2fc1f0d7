# At most 10 requests a second and 1,000 an hour on the orders route, counted
# per consumer in each gateway node's memory.
resource "konnect_gateway_plugin_rate_limiting" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id
  route = {
    id = konnect_gateway_route.example.id
  }

  config = {
    second   = 10
    hour     = 1000
    limit_by = "consumer"
    policy   = "local"
  }
}
