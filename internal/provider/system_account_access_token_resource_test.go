package provider_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/openkonnect/terraform-provider-konnect/internal/provider"
)

// viewerScenario is a control plane with a consumer, another control plane, and a system
// account that has Viewer on the first only. The access token comes from tokenBlock, which
// declares what `token` names.
func viewerScenario(mine, other, tokenBlock string) string {
	return providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_gateway_control_plane" "mine" {
  name = %q
}

resource "konnect_gateway_control_plane" "other" {
  name = %q
}

resource "konnect_gateway_consumer" "alice" {
  control_plane_id = konnect_gateway_control_plane.mine.id
  username         = "alice"
}

resource "konnect_system_account" "ci" {
  name        = "ci-%s"
  description = "Reads the payments control plane"
}

resource "konnect_system_account_role" "viewer" {
  account_id       = konnect_system_account.ci.id
  role_name        = "Viewer"
  entity_type_name = "Control Planes"
  entity_id        = konnect_gateway_control_plane.mine.id
  entity_region    = "us"
}
%s`, mine, other, mine, tokenBlock)
}

// twoProviders serves a second provider instance as `konnectviewer`. With Terraform's own
// plugin processes, `provider "konnect" { alias = "viewer" }` does the same (see the examples);
// but the test framework serves one in-process provider to every block of its name, so the
// second block's configuration would replace the first one's.
var twoProviders = map[string]func() (tfprotov6.ProviderServer, error){
	"konnect":       providerserver.NewProtocol6WithError(provider.New("test")()),
	"konnectviewer": providerserver.NewProtocol6WithError(provider.New("test")()),
}

// asViewer is a second provider block acting as the system account, with the token's value.
func asViewer(token string) string {
	return fmt.Sprintf(`
provider "konnectviewer" {
  server_url                  = %q
  system_account_access_token = %s
}
`, testEmulator.URL, token)
}

const viewerReadsConsumer = `
data "konnect_gateway_consumer" "seen" {
  provider         = konnectviewer
  control_plane_id = konnect_gateway_control_plane.mine.id
  username         = "alice"
}
`

const viewerCreatesConsumer = `
resource "konnect_gateway_consumer" "sneaky" {
  provider         = konnectviewer
  control_plane_id = konnect_gateway_control_plane.mine.id
  username         = "bob"
}
`

func viewerLooksForOther(other string) string {
	return fmt.Sprintf(`
data "konnect_gateway_control_plane" "other" {
  provider = konnectviewer
  name     = %q
}
`, other)
}

// viewerSteps are the scenario: with a Viewer's token, a second provider reads a
// consumer, is refused creating one (in words), and cannot see the other control plane.
func viewerSteps(t *testing.T, base, viewer string, afterRead resource.TestCheckFunc) []resource.TestStep {
	t.Helper()
	return []resource.TestStep{
		{Config: base},
		{
			Config: base + viewer + viewerReadsConsumer,
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttrPair("data.konnect_gateway_consumer.seen", "id", "konnect_gateway_consumer.alice", "id"),
				afterRead,
			),
		},
		{
			Config:      base + viewer + viewerReadsConsumer + viewerCreatesConsumer,
			ExpectError: regexp.MustCompile(`(?s)Unable to create consumer.*not allowed`),
		},
		{
			Config:      base + viewer + viewerReadsConsumer + viewerLooksForOther(otherName(base)),
			ExpectError: regexp.MustCompile(`No such control plane`),
		},
		{
			// Nothing was made by the refused create.
			Config: base + viewer + viewerReadsConsumer,
			Check: func(s *terraform.State) error {
				var list struct{ Data []map[string]any }
				apiCall(t, http.MethodGet, "/v2/control-planes/"+stateAttr(s, "konnect_gateway_control_plane.mine", "id")+"/core-entities/consumers", nil, &list, http.StatusOK)
				if len(list.Data) != 1 {
					return fmt.Errorf("want only alice, the API has %v", list.Data)
				}
				return nil
			},
		},
	}
}

// otherName digs the other control plane's name out of the scenario's configuration.
func otherName(base string) string {
	m := regexp.MustCompile(`"other" \{\n  name = "([^"]+)"`).FindStringSubmatch(base)
	return m[1]
}

func TestAccSystemAccountViewerWithAccessToken(t *testing.T) {
	mine, other := uniqueName("payments"), uniqueName("billing")
	base := viewerScenario(mine, other, `
resource "konnect_system_account_access_token" "ci" {
  account_id = konnect_system_account.ci.id
  name       = "ci"
  expires_at = "2099-01-01T00:00:00Z"
}
`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: twoProviders,
		Steps: viewerSteps(t, base, asViewer("konnect_system_account_access_token.ci.token"),
			resource.TestMatchResourceAttr("konnect_system_account_access_token.ci", "token", regexp.MustCompile(`^spat_`))),
	})
}

func TestAccSystemAccountAccessToken(t *testing.T) {
	const addr = "konnect_system_account_access_token.this"
	account := uniqueName("sa")
	config := func(name, expires string) string {
		return providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_system_account" "this" {
  name        = %q
  description = "token test"
}

resource "konnect_system_account_access_token" "this" {
  account_id = konnect_system_account.this.id
  name       = %q
  expires_at = %q
}
`, account, name, expires)
	}
	var firstID, firstToken string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Konnect writes the time as 2099-01-01T00:00:00Z; the configuration's form is kept.
				Config: config("deploy", "2099-01-01T00:00:00.000Z"),
				Check: func(s *terraform.State) error {
					firstID, firstToken = stateAttr(s, addr, "id"), stateAttr(s, addr, "token")
					if !strings.HasPrefix(firstToken, "spat_") {
						return fmt.Errorf("token %q is not a spat_ token", firstToken)
					}
					return nil
				},
			},
			{
				// A new name is patched: same token, same value.
				Config: config("deploy-2", "2099-01-01T00:00:00.000Z"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: func(s *terraform.State) error {
					if stateAttr(s, addr, "id") != firstID || stateAttr(s, addr, "token") != firstToken {
						return fmt.Errorf("renaming changed the token")
					}
					var tok map[string]any
					apiCall(t, http.MethodGet, "/v3/system-accounts/"+stateAttr(s, addr, "account_id")+"/access-tokens/"+firstID, nil, &tok, http.StatusOK)
					if tok["name"] != "deploy-2" {
						return fmt.Errorf("the API has name %v", tok["name"])
					}
					return nil
				},
			},
			{
				// A new expiry is a new token.
				Config: config("deploy-2", "2098-01-01T00:00:00Z"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionReplace),
				}},
			},
			{
				// Deleted outside Terraform: planned for creation again.
				PreConfig: func() {},
				Config:    config("deploy-2", "2098-01-01T00:00:00Z"),
				Check: func(s *terraform.State) error {
					apiCall(t, http.MethodDelete, "/v3/system-accounts/"+stateAttr(s, addr, "account_id")+"/access-tokens/"+stateAttr(s, addr, "id"), nil, nil, http.StatusNoContent)
					return nil
				},
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config("deploy-2", "2098-01-01T00:00:00Z"),
			},
			{
				// Imported as Kong's provider documents it; the value is not shown again.
				ResourceName: addr, ImportState: true, ImportStateVerify: true,
				ImportStateIdFunc:       importID(addr, "account_id", "id"),
				ImportStateVerifyIgnore: []string{"token"},
			},
		},
	})
}
