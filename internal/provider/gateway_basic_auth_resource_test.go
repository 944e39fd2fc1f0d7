package provider_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

func TestAccGatewayBasicAuth(t *testing.T) {
	l := credentialLifecycle("gateway_basic_auth", "basic-auth", `
  username = "alice"
  password = "s3cret-1"`, `
  username = "alice"
  password = "s3cret-2"`)
	// The API returns only the password's hash: import cannot read the password back, so
	// the first plan after an import writes it again.
	l.ignore = []string{"password"}
	l.importUpdates = true
	// Terraform does not write sensitive values into generated configuration.
	l.noGeneratedConfig = true
	l.run(t)
}

// The API keeps only a hash, yet a password changed outside Terraform is seen and put back.
func TestAccGatewayBasicAuthPasswordDrift(t *testing.T) {
	cp := newControlPlane(t)
	const addr = "konnect_gateway_basic_auth.this"
	config := providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_gateway_consumer" "alice" {
  control_plane_id = %[1]q
  username         = "alice"
}

resource "konnect_gateway_basic_auth" "this" {
  control_plane_id = %[1]q
  consumer_id      = konnect_gateway_consumer.alice.id
  username         = "alice"
  password         = "right-password"
}
`, cp)
	var path string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, Check: func(s *terraform.State) error {
				path = entityPath(cp, "consumers/"+stateAttr(s, addr, "consumer_id")+"/basic-auth", stateAttr(s, addr, "id"))
				return nil
			}},
			{
				PreConfig: func() {
					apiCall(t, http.MethodPut, path, map[string]any{"username": "alice", "password": "changed-by-hand"}, nil, http.StatusOK)
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
			},
		},
	})
}
