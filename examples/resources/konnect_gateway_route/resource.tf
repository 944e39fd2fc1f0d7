resource "konnect_gateway_route" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id

  name = "orders-public"
  service = {
    id = konnect_gateway_service.example.id
  }

  protocols = ["https"]
  hosts     = ["api.example.com"]
  methods   = ["GET", "POST"]
  paths     = ["/orders"]

  # /orders/123 reaches the service as /v2/123.
  strip_path    = true
  preserve_host = false

  tags = ["team-payments"]
}
