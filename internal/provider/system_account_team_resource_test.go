package provider_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

func TestAccSystemAccountTeam(t *testing.T) {
	const addr = "konnect_system_account_team.member"
	config := providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_team" "ops" {
  name = %q
}

resource "konnect_system_account" "bot" {
  name        = %q
  description = "team member"
}

resource "konnect_system_account_team" "member" {
  account_id = konnect_system_account.bot.id
  team_id    = konnect_team.ops.id
}
`, uniqueName("ops"), uniqueName("bot"))
	teamsOf := func(s *terraform.State) []map[string]any {
		var list struct{ Data []map[string]any }
		apiCall(t, http.MethodGet, "/v3/system-accounts/"+stateAttr(s, addr, "account_id")+"/teams", nil, &list, http.StatusOK)
		return list.Data
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(s *terraform.State) error {
					if teams := teamsOf(s); len(teams) != 1 || teams[0]["id"] != stateAttr(s, addr, "team_id") {
						return fmt.Errorf("the account's teams are %v", teams)
					}
					return nil
				},
			},
			{
				ResourceName: addr, ImportState: true, ImportStateVerify: true,
				ImportStateIdFunc:                    importID(addr, "account_id", "team_id"),
				ImportStateVerifyIdentifierAttribute: "team_id",
			},
			{
				// Removed outside Terraform: planned again.
				Config: config,
				Check: func(s *terraform.State) error {
					apiCall(t, http.MethodDelete, "/v3/teams/"+stateAttr(s, addr, "team_id")+"/system-accounts/"+stateAttr(s, addr, "account_id"), nil, nil, http.StatusNoContent)
					return nil
				},
				ExpectNonEmptyPlan: true,
			},
		},
	})
}
