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

func TestAccSystemAccount(t *testing.T) {
	const addr = "konnect_system_account.this"
	name := uniqueName("sa")
	config := func(description string) string {
		return providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_system_account" "this" {
  name        = %q
  description = %q
}
`, name, description)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config("Deploys from CI"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("konnect_managed"), knownvalue.Bool(false)),
				},
			},
			{
				Config: config("Deploys from CI, nightly"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: func(s *terraform.State) error {
					var acc map[string]any
					apiCall(t, http.MethodGet, "/v3/system-accounts/"+stateAttr(s, addr, "id"), nil, &acc, http.StatusOK)
					if acc["description"] != "Deploys from CI, nightly" {
						return fmt.Errorf("the API has %v", acc)
					}
					return nil
				},
			},
			{
				ResourceName: addr, ImportState: true, ImportStateVerify: true,
			},
			{
				// Deleted outside Terraform: planned for creation again.
				Config: config("Deploys from CI, nightly"),
				Check: func(s *terraform.State) error {
					apiCall(t, http.MethodDelete, "/v3/system-accounts/"+stateAttr(s, addr, "id"), nil, nil, http.StatusNoContent)
					return nil
				},
				ExpectNonEmptyPlan: true,
			},
		},
	})
}
