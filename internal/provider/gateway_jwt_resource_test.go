package provider_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

func TestAccGatewayJWT(t *testing.T) {
	const addr = "konnect_gateway_jwt.this"
	lifecycle{
		addr: addr,
		create: `
resource "konnect_gateway_consumer" "alice" {
  control_plane_id = %[1]q
  username         = "alice"
}

resource "konnect_gateway_jwt" "this" {
  control_plane_id = %[1]q
  consumer_id      = konnect_gateway_consumer.alice.id
  key              = "alice-issuer"
  algorithm        = "HS256"
  secret           = "jwt-secret-1"
}
`,
		update: `
resource "konnect_gateway_consumer" "alice" {
  control_plane_id = %[1]q
  username         = "alice"
}

resource "konnect_gateway_jwt" "this" {
  control_plane_id = %[1]q
  consumer_id      = konnect_gateway_consumer.alice.id
  key              = "alice-issuer"
  algorithm        = "HS256"
  secret           = "jwt-secret-2"
}
`,
		apiPath: func(s *terraform.State) string {
			return entityPath(stateAttr(s, addr, "control_plane_id"), "consumers/"+stateAttr(s, addr, "consumer_id")+"/jwt", stateAttr(s, addr, "id"))
		},
		created:     expect(map[string]any{"secret": "jwt-secret-1", "key": "alice-issuer"}),
		updated:     expect(map[string]any{"secret": "jwt-secret-2", "key": "alice-issuer"}),
		importAttrs: []string{"control_plane_id", "consumer_id", "id"},
	}.run(t)
}
