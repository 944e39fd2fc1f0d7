# Serve konnect_gateway_certificate.example to clients asking for api.example.com.
resource "konnect_gateway_sni" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id

  name = "api.example.com"
  certificate = {
    id = konnect_gateway_certificate.example.id
  }
}
