resource "konnect_gateway_control_plane" "example" {
  name         = "payments-production"
  description  = "Gateway configuration of the payments team's production APIs."
  cluster_type = "CLUSTER_TYPE_CONTROL_PLANE"
  auth_type    = "pinned_client_certs"

  labels = {
    team        = "payments"
    environment = "production"
  }

  # Where clients reach the data planes of this control plane; shown in Konnect's UI.
  proxy_urls = [
    {
      host     = "api.example.com"
      port     = 443
      protocol = "https"
    },
  ]
}

# Data planes connect to these endpoints.
output "control_plane_endpoint" {
  value = konnect_gateway_control_plane.example.config.control_plane_endpoint
}

output "telemetry_endpoint" {
  value = konnect_gateway_control_plane.example.config.telemetry_endpoint
}
