package provider_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccTeam(t *testing.T) {
	const addr = "konnect_team.this"
	name := uniqueName("team")
	config := func(body string) string {
		return providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_team" "this" {
  name = %q
%s
}
`, name, body)
	}
	apiTeam := func(s *terraform.State) map[string]any {
		var team map[string]any
		apiCall(t, http.MethodGet, "/v3/teams/"+stateAttr(s, addr, "id"), nil, &team, http.StatusOK)
		return team
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Labels are set too, though the create request does not take them.
				Config: config(`  description = "Payments developers"
  labels      = { env = "prod", owner = "payments" }`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("system_team"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("created_at"), knownvalue.NotNull()),
				},
				Check: func(s *terraform.State) error {
					team := apiTeam(s)
					labels, _ := team["labels"].(map[string]any)
					if team["description"] != "Payments developers" || labels["owner"] != "payments" || labels["env"] != "prod" {
						return fmt.Errorf("the API has %v", team)
					}
					return nil
				},
			},
			{
				// A label removed from the configuration is removed from the team.
				Config: config(`  description = "Payments team"
  labels      = { owner = "payments" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: func(s *terraform.State) error {
					team := apiTeam(s)
					labels, _ := team["labels"].(map[string]any)
					if _, still := labels["env"]; still || team["description"] != "Payments team" {
						return fmt.Errorf("the API has %v", team)
					}
					return nil
				},
			},
			{
				ResourceName: addr, ImportState: true, ImportStateVerify: true,
			},
			{
				// Deleted outside Terraform: planned for creation again.
				Config: config(`  description = "Payments team"
  labels      = { owner = "payments" }`),
				Check: func(s *terraform.State) error {
					apiCall(t, http.MethodDelete, "/v3/teams/"+stateAttr(s, addr, "id"), nil, nil, http.StatusNoContent)
					return nil
				},
				ExpectNonEmptyPlan: true,
			},
		},
	})
}
