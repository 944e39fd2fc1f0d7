# A Redis connection that rate-limiting plugins share: a plugin names it in its
# partials, and counts in this Redis instead of the one in its own config.
resource "konnect_gateway_partial" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id

  redis_ce = {
    name = "shared-redis"
    config = {
      host     = "redis.internal"
      port     = 6379
      database = 0
    }
  }
}
