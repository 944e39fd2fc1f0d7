package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
)

func TestAccGatewayKeyAuth(t *testing.T) {
	l := credentialLifecycle("gateway_key_auth", "key-auth",
		`  key = "alice-key-1"`,
		`  key = "alice-key-2"`)
	l.created = expect(map[string]any{"key": "alice-key-1"})
	l.updated = expect(map[string]any{"key": "alice-key-2"})
	l.run(t)
}

// Moving a credential to another consumer (a parent id) plans a replacement.
func TestAccGatewayKeyAuthParentChangeReplaces(t *testing.T) {
	cp := newControlPlane(t)
	const addr = "konnect_gateway_key_auth.this"
	config := func(owner string) string {
		return providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_gateway_consumer" "alice" {
  control_plane_id = %[1]q
  username         = "alice"
}

resource "konnect_gateway_consumer" "bob" {
  control_plane_id = %[1]q
  username         = "bob"
}

resource "konnect_gateway_key_auth" "this" {
  control_plane_id = %[1]q
  consumer_id      = konnect_gateway_consumer.%[2]s.id
}
`, cp, owner)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config("alice")},
			{
				Config: config("bob"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionReplace),
				}},
			},
		},
	})
}
