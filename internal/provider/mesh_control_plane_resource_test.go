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

func TestAccMeshControlPlane(t *testing.T) {
	name := uniqueName("mesh-cp")
	const addr = "konnect_mesh_control_plane.this"
	config := func(body string) string {
		return providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_mesh_control_plane" "this" {
%s
}
`, body)
	}
	withMesh := fmt.Sprintf(`  name        = %q
  description = "Payments mesh"
  labels      = { team = "payments" }
  features = [{
    type          = "MeshCreation"
    mesh_creation = { enabled = true }
  }]`, name)
	renamed := fmt.Sprintf(`  name = "%s-2"
  features = [{
    type          = "MeshCreation"
    mesh_creation = { enabled = true }
  }]`, name)
	var id string
	cpPath := func() string { return "/v1/mesh/control-planes/" + id }
	getCP := func() map[string]any {
		var cp map[string]any
		apiCall(t, http.MethodGet, cpPath(), nil, &cp, http.StatusOK)
		return cp
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(withMesh),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("created_at"), knownvalue.NotNull()),
				},
				Check: func(s *terraform.State) error {
					id = stateAttr(s, addr, "id")
					// MeshCreation made the mesh "default".
					apiCall(t, http.MethodGet, kumaPath(id, "meshes", "", "default"), nil, nil, http.StatusOK)
					return nil
				},
			},
			{
				// Renamed; description and labels removed from the configuration are cleared.
				Config: config(renamed),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					cp := getCP()
					if cp["name"] != name+"-2" || cp["description"] != "" || len(cp["labels"].(map[string]any)) != 0 {
						return fmt.Errorf("not updated: %v", cp)
					}
					return nil
				},
			},
			{
				// Changed through the API: the plan puts it back.
				PreConfig: func() {
					apiCall(t, http.MethodPatch, cpPath(), map[string]any{"description": "by hand", "labels": map[string]any{"owner": "ops"}}, nil, http.StatusOK)
				},
				Config: config(renamed),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					if cp := getCP(); cp["description"] != "" || len(cp["labels"].(map[string]any)) != 0 {
						return fmt.Errorf("drift not undone: %v", cp)
					}
					return nil
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true},
			{
				ResourceName: addr, ImportState: true, ImportStateVerify: true,
				ImportStateIdFunc: importID(addr, "id"),
			},
			{
				Config:       config(renamed),
				ResourceName: addr, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
				ImportStateIdFunc: importID(addr, "id"),
			},
			{
				// Features are set at creation only: changing them needs a new control plane.
				Config: config(fmt.Sprintf("  name = \"%s-2\"", name)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionReplace),
				}},
				Check: func(s *terraform.State) error {
					if stateAttr(s, addr, "id") == id {
						return fmt.Errorf("not replaced")
					}
					id = stateAttr(s, addr, "id")
					apiCall(t, http.MethodGet, kumaPath(id, "meshes", "", "default"), nil, nil, http.StatusNotFound)
					return nil
				},
			},
			{
				// Deleted through the API: planned anew.
				PreConfig: func() { apiCall(t, http.MethodDelete, cpPath(), nil, nil, http.StatusNoContent) },
				Config:    config(fmt.Sprintf("  name = \"%s-2\"", name)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
				}},
			},
			{
				Config:      config(`  name = "x"` + "\n" + `  labels = { "kong-reserved" = "no" }`),
				ExpectError: regexp.MustCompile(`(?s)Unable to update mesh control plane.*labels.kong-reserved: label keys must not start with kong, konnect, mesh, kic or _`),
			},
		},
	})
}
