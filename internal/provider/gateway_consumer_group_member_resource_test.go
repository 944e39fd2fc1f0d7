package provider_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

func TestAccGatewayConsumerGroupMember(t *testing.T) {
	cp := newControlPlane(t)
	const addr = "konnect_gateway_consumer_group_member.alice_gold"
	config := providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_gateway_consumer" "alice" {
  control_plane_id = %[1]q
  username         = "alice"
}

resource "konnect_gateway_consumer_group" "gold" {
  control_plane_id = %[1]q
  name             = "gold"
}

resource "konnect_gateway_consumer_group_member" "alice_gold" {
  control_plane_id  = %[1]q
  consumer_group_id = konnect_gateway_consumer_group.gold.id
  consumer_id       = konnect_gateway_consumer.alice.id
}
`, cp)
	groupsOf := func(s *terraform.State) []string {
		var out struct {
			Data []struct{ Name string }
		}
		apiCall(t, http.MethodGet, "/v2/control-planes/"+cp+"/core-entities/consumers/"+stateAttr(s, addr, "consumer_id")+"/consumer_groups", nil, &out, http.StatusOK)
		names := []string{}
		for _, g := range out.Data {
			names = append(names, g.Name)
		}
		return names
	}
	var consumer, group string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(s *terraform.State) error {
					consumer, group = stateAttr(s, addr, "consumer_id"), stateAttr(s, addr, "consumer_group_id")
					if g := groupsOf(s); len(g) != 1 || g[0] != "gold" {
						return fmt.Errorf("alice's groups: %v", g)
					}
					return nil
				},
			},
			{
				// Removed from the group outside Terraform: added back.
				PreConfig: func() {
					apiCall(t, http.MethodDelete, "/v2/control-planes/"+cp+"/core-entities/consumer_groups/"+group+"/consumers/"+consumer, nil, nil, http.StatusNoContent)
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
				}},
			},
			{
				// Kong's provider cannot import memberships; this one can.
				ResourceName: addr, ImportState: true, ImportStateVerify: true,
				ImportStateIdFunc:                    importID(addr, "control_plane_id", "consumer_group_id", "consumer_id"),
				ImportStateVerifyIdentifierAttribute: "consumer_id",
			},
		},
	})
}
