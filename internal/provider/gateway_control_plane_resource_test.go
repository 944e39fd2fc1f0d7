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

func TestAccGatewayControlPlane(t *testing.T) {
	name := uniqueName("cp")
	const addr = "konnect_gateway_control_plane.this"
	config := func(body string) string {
		return providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_gateway_control_plane" "this" {
  name = %q
%s
}
`, name, body)
	}
	var id string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(`  description = "Payments"
  labels      = { team = "payments" }`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("cluster_type"), knownvalue.StringExact("CLUSTER_TYPE_CONTROL_PLANE")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("config").AtMapKey("control_plane_endpoint"), knownvalue.NotNull()),
				},
				Check: func(s *terraform.State) error { id = stateAttr(s, addr, "id"); return nil },
			},
			{
				// Description and labels removed from the configuration are cleared.
				Config: config(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					var cp map[string]any
					apiCall(t, http.MethodGet, "/v2/control-planes/"+id, nil, &cp, http.StatusOK)
					if cp["description"] != "" || len(cp["labels"].(map[string]any)) != 0 {
						return fmt.Errorf("not cleared: %v", cp)
					}
					return nil
				},
			},
			{
				// auth_type and proxy_urls are patched, and `config`, which reports them, follows.
				Config: config(`  auth_type  = "pki_client_certs"
  proxy_urls = [{ host = "proxy.example.com", port = 443, protocol = "https" }]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("config").AtMapKey("auth_type"), knownvalue.StringExact("pki_client_certs")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("config").AtMapKey("proxy_urls").AtSliceIndex(0).AtMapKey("host"), knownvalue.StringExact("proxy.example.com")),
				},
			},
			{
				// Only proxy_urls changes.
				Config: config(`  auth_type  = "pki_client_certs"
  proxy_urls = [{ host = "proxy2.example.com", port = 8443, protocol = "https" }]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("config").AtMapKey("proxy_urls").AtSliceIndex(0).AtMapKey("port"), knownvalue.Int64Exact(8443)),
				},
			},
			{
				// Only auth_type changes back.
				Config: config(`  proxy_urls = [{ host = "proxy2.example.com", port = 8443, protocol = "https" }]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("config").AtMapKey("auth_type"), knownvalue.StringExact("pinned_client_certs")),
				},
			},
			{
				// Changing the cluster type needs a new control plane.
				Config: config(`  cluster_type = "CLUSTER_TYPE_K8S_INGRESS_CONTROLLER"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionReplace),
				}},
			},
			{
				ResourceName: addr, ImportState: true, ImportStateVerify: true,
			},
		},
	})
}
