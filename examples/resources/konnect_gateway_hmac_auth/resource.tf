# No secret given: the server generates one, kept in the sensitive `secret` attribute.
resource "konnect_gateway_hmac_auth" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id
  consumer_id      = konnect_gateway_consumer.example.id

  username = "acme-batch-jobs"
}

output "acme_hmac_secret" {
  value     = konnect_gateway_hmac_auth.example.secret
  sensitive = true
}
