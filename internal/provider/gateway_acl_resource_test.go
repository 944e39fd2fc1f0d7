package provider_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

func TestAccGatewayACL(t *testing.T) {
	const addr = "konnect_gateway_acl.this"
	lifecycle{
		addr: addr,
		create: `
resource "konnect_gateway_consumer" "alice" {
  control_plane_id = %[1]q
  username         = "alice"
}

resource "konnect_gateway_acl" "this" {
  control_plane_id = %[1]q
  consumer_id      = konnect_gateway_consumer.alice.id
  group            = "gold"
}
`,
		update: `
resource "konnect_gateway_consumer" "alice" {
  control_plane_id = %[1]q
  username         = "alice"
}

resource "konnect_gateway_acl" "this" {
  control_plane_id = %[1]q
  consumer_id      = konnect_gateway_consumer.alice.id
  group            = "platinum"
}
`,
		apiPath: func(s *terraform.State) string {
			return entityPath(stateAttr(s, addr, "control_plane_id"), "consumers/"+stateAttr(s, addr, "consumer_id")+"/acls", stateAttr(s, addr, "id"))
		},
		created:     expect(map[string]any{"group": "gold"}),
		updated:     expect(map[string]any{"group": "platinum"}),
		importAttrs: []string{"control_plane_id", "consumer_id", "id"},
	}.run(t)
}
