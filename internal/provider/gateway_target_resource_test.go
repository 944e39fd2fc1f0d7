package provider_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

func TestAccGatewayTarget(t *testing.T) {
	const addr = "konnect_gateway_target.this"
	const upstream = `
resource "konnect_gateway_upstream" "up" {
  control_plane_id = %[1]q
  name             = "orders.upstream"
}
`
	lifecycle{
		addr: addr,
		create: upstream + `
resource "konnect_gateway_target" "this" {
  control_plane_id = %[1]q
  upstream_id      = konnect_gateway_upstream.up.id
  target           = "orders-1.internal"
}
`,
		update: upstream + `
resource "konnect_gateway_target" "this" {
  control_plane_id = %[1]q
  upstream_id      = konnect_gateway_upstream.up.id
  target           = "orders-1.internal:8000"
  weight           = 0
}
`,
		apiPath: func(s *terraform.State) string {
			return entityPath(stateAttr(s, addr, "control_plane_id"), "upstreams/"+stateAttr(s, addr, "upstream_id")+"/targets", stateAttr(s, addr, "id"))
		},
		created:     expect(map[string]any{"weight": 100, "target": "orders-1.internal:8000"}),
		updated:     expect(map[string]any{"weight": 0}),
		importAttrs: []string{"control_plane_id", "upstream_id", "id"},
	}.run(t)
}
