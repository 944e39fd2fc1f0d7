# The CA that signed the upstream's certificate, read from a file next to the configuration.
resource "konnect_gateway_ca_certificate" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id

  cert = file("${path.module}/internal-ca.pem")
  tags = ["internal-ca"]
}
