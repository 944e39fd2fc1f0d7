# Plugin settings can now say "{vault://app-env/redis-password}" to read the
# environment variable APP_REDIS_PASSWORD on the data plane.
resource "konnect_gateway_vault" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id

  name        = "env"
  prefix      = "app-env"
  description = "Secrets from the data plane's environment."
  config = jsonencode({
    prefix = "APP_"
  })
}
