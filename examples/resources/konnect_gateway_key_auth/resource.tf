# No key given: the server generates one. Read it from the (sensitive) `key` attribute.
resource "konnect_gateway_key_auth" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id
  consumer_id      = konnect_gateway_consumer.example.id

  tags = ["issued-by-terraform"]
}

output "acme_api_key" {
  value     = konnect_gateway_key_auth.example.key
  sensitive = true
}
