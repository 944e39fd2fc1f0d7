# A tier: members of the "premium" consumer group get higher limits. For them,
# this plugin takes the place of the route-scoped one above, because a plugin
# scoped to a consumer group wins over one scoped to a route only.
resource "konnect_gateway_plugin_rate_limiting" "premium" {
  control_plane_id = konnect_gateway_control_plane.example.id
  consumer_group = {
    id = konnect_gateway_consumer_group.example.id
  }

  config = {
    second   = 100
    hour     = 20000
    limit_by = "consumer"
  }
}
