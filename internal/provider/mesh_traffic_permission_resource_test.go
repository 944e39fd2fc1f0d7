package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

func TestAccMeshTrafficPermission(t *testing.T) {
	kumaLifecycle{
		addr: "konnect_mesh_traffic_permission.this", plural: "meshtrafficpermissions",
		create: `
resource "konnect_mesh_traffic_permission" "this" {
  cp_id = %[1]q
  mesh  = "default"
  type  = "MeshTrafficPermission"
  name  = "echo-clients"
  spec = {
    target_ref = { kind = "MeshService", name = "echo" }
    from = [{ target_ref = { kind = "Mesh" }, default = { action = "Allow" } }]
  }
}
`,
		update: `
resource "konnect_mesh_traffic_permission" "this" {
  cp_id = %[1]q
  mesh  = "default"
  type  = "MeshTrafficPermission"
  name  = "echo-clients"
  spec = {
    target_ref = { kind = "MeshService", name = "echo" }
    from = [
      { target_ref = { kind = "MeshSubset", tags = { "kuma.io/service" = "web" } }, default = { action = "Allow" } },
      { target_ref = { kind = "Mesh" }, default = { action = "Deny" } },
    ]
  }
}
`,
		created: expectAt(map[string]any{"spec.from": []any{map[string]any{"targetRef": map[string]any{"kind": "Mesh"}, "default": map[string]any{"action": "Allow"}}}}),
		updated: func(r map[string]any) error {
			from, _ := at(r, "spec", "from").([]any)
			if len(from) != 2 || fmt.Sprint(at(from[1], "default", "action")) != "Deny" ||
				fmt.Sprint(at(from[0], "targetRef", "tags", "kuma.io/service")) != "web" {
				return fmt.Errorf("the API has from = %v", from)
			}
			return nil
		},
		drift: func(r map[string]any) {
			r["spec"].(map[string]any)["from"] = []any{map[string]any{"targetRef": map[string]any{"kind": "Mesh"}, "default": map[string]any{"action": "Allow"}}}
		},
	}.run(t)
}

// Kuma's refusal names the attribute at fault.
func TestAccMeshTrafficPermissionInvalid(t *testing.T) {
	cp := newMeshControlPlane(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_mesh_traffic_permission" "this" {
  cp_id = %q
  mesh  = "default"
  type  = "MeshTrafficPermission"
  name  = "nobody"
  spec  = { target_ref = { kind = "Mesh" } }
}
`, cp),
			ExpectError: regexp.MustCompile(`(?s)Unable to create MeshTrafficPermission nobody.*spec.from: needs at least one item`),
		}},
	})
}
