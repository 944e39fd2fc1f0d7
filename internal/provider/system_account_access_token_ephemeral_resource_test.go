package provider_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// The same scenario with the ephemeral token: it works for the run, is never in the state,
// and is deleted when the run ends.
func TestAccSystemAccountViewerWithEphemeralToken(t *testing.T) {
	mine, other := uniqueName("payments"), uniqueName("billing")
	base := viewerScenario(mine, other, `
ephemeral "konnect_system_account_access_token" "run" {
  account_id = konnect_system_account.ci.id
  name       = "terraform-run"
  expires_at = "2099-01-01T00:00:00Z"
}
`)
	noTokenLeft := func(s *terraform.State) error {
		for _, rs := range s.RootModule().Resources {
			for k, v := range rs.Primary.Attributes {
				if strings.HasPrefix(v, "spat_") {
					return fmt.Errorf("a token is in the state: %s.%s", rs.Type, k)
				}
			}
		}
		var tokens struct{ Data []map[string]any }
		apiCall(t, http.MethodGet, "/v3/system-accounts/"+stateAttr(s, "konnect_system_account.ci", "id")+"/access-tokens", nil, &tokens, http.StatusOK)
		for _, tok := range tokens.Data {
			if name, _ := tok["name"].(string); strings.HasPrefix(name, "terraform-run-") {
				return fmt.Errorf("the run's token was not deleted: %v", tok)
			}
		}
		return nil
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: twoProviders,
		Steps:                    viewerSteps(t, base, asViewer("ephemeral.konnect_system_account_access_token.run.token"), noTokenLeft),
	})
}
