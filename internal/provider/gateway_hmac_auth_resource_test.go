package provider_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

func TestAccGatewayHMACAuth(t *testing.T) {
	const addr = "konnect_gateway_hmac_auth.this"
	lifecycle{
		addr: addr,
		create: `
resource "konnect_gateway_consumer" "alice" {
  control_plane_id = %[1]q
  username         = "alice"
}

resource "konnect_gateway_hmac_auth" "this" {
  control_plane_id = %[1]q
  consumer_id      = konnect_gateway_consumer.alice.id
  username         = "alice-hmac"
  secret           = "hmac-secret-1"
}
`,
		update: `
resource "konnect_gateway_consumer" "alice" {
  control_plane_id = %[1]q
  username         = "alice"
}

resource "konnect_gateway_hmac_auth" "this" {
  control_plane_id = %[1]q
  consumer_id      = konnect_gateway_consumer.alice.id
  username         = "alice-hmac"
  secret           = "hmac-secret-2"
}
`,
		apiPath: func(s *terraform.State) string {
			return entityPath(stateAttr(s, addr, "control_plane_id"), "consumers/"+stateAttr(s, addr, "consumer_id")+"/hmac-auth", stateAttr(s, addr, "id"))
		},
		created:     expect(map[string]any{"secret": "hmac-secret-1", "username": "alice-hmac"}),
		updated:     expect(map[string]any{"secret": "hmac-secret-2", "username": "alice-hmac"}),
		importAttrs: []string{"control_plane_id", "consumer_id", "id"},
	}.run(t)
}
