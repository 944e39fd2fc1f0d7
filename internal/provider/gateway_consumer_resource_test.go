package provider_test

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccGatewayConsumer(t *testing.T) {
	cp := newControlPlane(t)
	const addr = "konnect_gateway_consumer.alice"
	config := func(body string) string {
		return providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_gateway_consumer" "alice" {
  control_plane_id = %q
%s
}
`, cp, body)
	}
	var id string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(`  username  = "alice"
  custom_id = "crm-42"
  tags      = ["team-a", "tier-gold"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("username"), knownvalue.StringExact("alice")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f-]{36}$`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("created_at"), knownvalue.NotNull()),
				},
				Check: func(s *terraform.State) error {
					id = stateAttr(s, addr, "id")
					return checkAPI(t, addr, "consumers", func(e map[string]any) error {
						if e["custom_id"] != "crm-42" || e["username"] != "alice" {
							return fmt.Errorf("the API has %v", e)
						}
						return nil
					})(s)
				},
			},
			{
				// Removing an optional attribute clears it on the server.
				Config: config(`  username = "alice"
  tags     = ["team-a"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: checkAPI(t, addr, "consumers", func(e map[string]any) error {
					if _, ok := e["custom_id"]; ok {
						return fmt.Errorf("custom_id still set on the server: %v", e)
					}
					return nil
				}),
			},
			{
				// A change made outside Terraform shows as drift and is corrected.
				PreConfig: func() {
					apiCall(t, http.MethodPut, entityPath(cp, "consumers", id), map[string]any{"username": "mallory"}, nil, http.StatusOK)
				},
				Config: config(`  username = "alice"
  tags     = ["team-a"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("username"), knownvalue.StringExact("alice")),
				}},
				Check: checkAPI(t, addr, "consumers", func(e map[string]any) error {
					if e["username"] != "alice" {
						return fmt.Errorf("drift not corrected: %v", e)
					}
					return nil
				}),
			},
			{
				// Deleted outside Terraform: planned for creation again.
				PreConfig: func() {
					apiCall(t, http.MethodDelete, entityPath(cp, "consumers", id), nil, nil, http.StatusNoContent)
				},
				Config: config(`  username = "alice"
  tags     = ["team-a"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
				}},
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateIdFunc: importID(addr, "control_plane_id", "id"),
				ImportStateVerify: true,
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateKind:   resource.ImportBlockWithID,
				ImportStateIdFunc: importID(addr, "control_plane_id", "id"),
				Config: config(`  username = "alice"
  tags     = ["team-a"]`),
			},
		},
	})
}

func TestAccGatewayConsumerErrorsReadAsWords(t *testing.T) {
	cp := newControlPlane(t)
	apiCall(t, http.MethodPost, "/v2/control-planes/"+cp+"/core-entities/consumers", map[string]any{"username": "alice"}, nil, http.StatusCreated)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_gateway_consumer" "dup" {
  control_plane_id = %q
  username         = "alice"
}
`, cp),
				ExpectError: regexp.MustCompile(`Unable to create consumer: username "alice" already exists in\s+control plane ` + cp),
			},
			{
				Config: providerConfig(testEmulator) + `
resource "konnect_gateway_consumer" "bad" {
  control_plane_id = "not-a-uuid"
  username         = "bob"
}
`,
				ExpectError: regexp.MustCompile(`"not-a-uuid" is not a UUID`),
			},
			{
				ResourceName:  "konnect_gateway_consumer.dup",
				ImportState:   true,
				ImportStateId: `{"control_plane_id": "` + cp + `", "consumer_id": "x", "id": "y"}`,
				Config: providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_gateway_consumer" "dup" {
  control_plane_id = %q
  username         = "alice"
}
`, cp),
				ExpectError: regexp.MustCompile(`unknown key "consumer_id"`),
			},
		},
	})
}
