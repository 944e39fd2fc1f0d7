variable "acme_basic_auth_password" {
  description = "Password of the acme-mobile-app consumer."
  type        = string
  sensitive   = true
}

resource "konnect_gateway_basic_auth" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id
  consumer_id      = konnect_gateway_consumer.example.id

  username = "acme-mobile-app"
  password = var.acme_basic_auth_password
}
