package provider_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

func TestAccGatewayKeyAuth(t *testing.T) {
	const addr = "konnect_gateway_key_auth.this"
	lifecycle{
		addr: addr,
		create: `
resource "konnect_gateway_consumer" "alice" {
  control_plane_id = %[1]q
  username         = "alice"
}

resource "konnect_gateway_key_auth" "this" {
  control_plane_id = %[1]q
  consumer_id      = konnect_gateway_consumer.alice.id
  key              = "alice-key-1"
}
`,
		update: `
resource "konnect_gateway_consumer" "alice" {
  control_plane_id = %[1]q
  username         = "alice"
}

resource "konnect_gateway_key_auth" "this" {
  control_plane_id = %[1]q
  consumer_id      = konnect_gateway_consumer.alice.id
  key              = "alice-key-2"
}
`,
		apiPath: func(s *terraform.State) string {
			return entityPath(stateAttr(s, addr, "control_plane_id"), "consumers/"+stateAttr(s, addr, "consumer_id")+"/key-auth", stateAttr(s, addr, "id"))
		},
		created:     expect(map[string]any{"key": "alice-key-1"}),
		updated:     expect(map[string]any{"key": "alice-key-2"}),
		importAttrs: []string{"control_plane_id", "consumer_id", "id"},
	}.run(t)
}
