package provider_test

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

func TestAccTeamRole(t *testing.T) {
	const addr = "konnect_team_role.viewer"
	cp := newControlPlane(t)
	config := func(role string) string {
		return providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_team" "this" {
  name = %q
}

resource "konnect_team_role" "viewer" {
  team_id          = konnect_team.this.id
  role_name        = %q
  entity_type_name = "Control Planes"
  entity_id        = %q
  entity_region    = "us"
}
`, uniqueName("team"), role, cp)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// A role the entity type does not have is refused at plan time.
				Config:      config("Owner"),
				ExpectError: regexp.MustCompile(`(?s)role_name.*value must be one of`),
			},
			{
				Config: config("Viewer"),
				Check: func(s *terraform.State) error {
					var role map[string]any
					apiCall(t, http.MethodGet, "/v3/teams/"+stateAttr(s, addr, "team_id")+"/assigned-roles/"+stateAttr(s, addr, "id"), nil, &role, http.StatusOK)
					if role["role_name"] != "Viewer" || role["entity_id"] != cp {
						return fmt.Errorf("the API has %v", role)
					}
					return nil
				},
			},
			{
				// A role cannot be changed, only replaced.
				Config: config("Admin"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionReplace),
				}},
			},
			{
				ResourceName: addr, ImportState: true, ImportStateVerify: true,
				ImportStateIdFunc: importID(addr, "team_id", "id"),
			},
		},
	})
}
