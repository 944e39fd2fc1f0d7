package provider_test

import "testing"

func TestAccGatewayUpstream(t *testing.T) {
	const addr = "konnect_gateway_upstream.this"
	lifecycle{
		addr: addr,
		create: `
resource "konnect_gateway_upstream" "this" {
  control_plane_id = %[1]q
  name             = "orders.upstream"
}
`,
		update: `
resource "konnect_gateway_upstream" "this" {
  control_plane_id = %[1]q
  name             = "orders.upstream"
  algorithm        = "least-connections"
  slots            = 100
  healthchecks = {
    active = {
      http_path = "/healthz"
    }
  }
}
`,
		apiPath: coreEntityPath(addr, "upstreams"),
		created: expect(map[string]any{"algorithm": "round-robin", "slots": 10000}),
		updated: func(e map[string]any) error {
			hc := e["healthchecks"].(map[string]any)["active"].(map[string]any)
			if hc["http_path"] != "/healthz" {
				return expect(map[string]any{"healthchecks.active.http_path": "/healthz"})(e)
			}
			return expect(map[string]any{"algorithm": "least-connections", "slots": 100})(e)
		},
		importAttrs: []string{"control_plane_id", "id"},
	}.run(t)
}
