package provider_test

import "testing"

func TestAccGatewayService(t *testing.T) {
	const addr = "konnect_gateway_service.this"
	lifecycle{
		addr: addr,
		create: `
resource "konnect_gateway_service" "this" {
  control_plane_id = %[1]q
  name             = "orders"
  host             = "orders.internal"
}
`,
		update: `
resource "konnect_gateway_service" "this" {
  control_plane_id = %[1]q
  name             = "orders"
  host             = "orders.internal"
  port             = 8443
  protocol         = "https"
  path             = "/v2"
  retries          = 2
  tags             = ["team-orders"]
}
`,
		apiPath:     coreEntityPath(addr, "services"),
		created:     expect(map[string]any{"host": "orders.internal", "port": 80, "protocol": "http", "retries": 5, "connect_timeout": 60000}),
		updated:     expect(map[string]any{"port": 8443, "protocol": "https", "path": "/v2", "retries": 2}),
		importAttrs: []string{"control_plane_id", "id"},
	}.run(t)
}
