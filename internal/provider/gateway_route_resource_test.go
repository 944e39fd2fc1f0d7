package provider_test

import "testing"

func TestAccGatewayRoute(t *testing.T) {
	const addr = "konnect_gateway_route.this"
	const service = `
resource "konnect_gateway_service" "svc" {
  control_plane_id = %[1]q
  host             = "example.internal"
}
`
	lifecycle{
		addr: addr,
		create: service + `
resource "konnect_gateway_route" "this" {
  control_plane_id = %[1]q
  name             = "orders"
  paths            = ["/orders"]
  service          = { id = konnect_gateway_service.svc.id }
}
`,
		update: service + `
resource "konnect_gateway_route" "this" {
  control_plane_id = %[1]q
  name             = "orders"
  paths            = ["~/orders/(?<id>\\d+)$"]
  methods          = ["GET"]
  hosts            = ["api.example.com"]
  headers          = { x-version = ["2"] }
  strip_path       = false
  regex_priority   = 10
  service          = { id = konnect_gateway_service.svc.id }
}
`,
		apiPath:     coreEntityPath(addr, "routes"),
		created:     expect(map[string]any{"protocols": []any{"http", "https"}, "strip_path": true, "https_redirect_status_code": 426, "path_handling": "v0"}),
		updated:     expect(map[string]any{"strip_path": false, "regex_priority": 10, "methods": []any{"GET"}}),
		importAttrs: []string{"control_plane_id", "id"},
	}.run(t)
}
