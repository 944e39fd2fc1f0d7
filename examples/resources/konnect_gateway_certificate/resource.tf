variable "api_certificate_pem" {
  description = "PEM certificate (with its chain) served for api.example.com."
  type        = string
}

variable "api_private_key_pem" {
  description = "PEM private key of api_certificate_pem."
  type        = string
  sensitive   = true
}

resource "konnect_gateway_certificate" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id

  cert = var.api_certificate_pem
  key  = var.api_private_key_pem

  tags = ["api-example-com"]
}
