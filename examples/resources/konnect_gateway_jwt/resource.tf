variable "acme_jwt_public_key_pem" {
  description = "PEM public key that verifies the RS256 tokens acme's identity provider issues."
  type        = string
}

resource "konnect_gateway_jwt" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id
  consumer_id      = konnect_gateway_consumer.example.id

  algorithm = "RS256"
  # Tokens whose `iss` claim is this value are checked against this credential.
  key            = "https://login.acme.example.com/"
  rsa_public_key = var.acme_jwt_public_key_pem
}
