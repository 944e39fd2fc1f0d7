package provider_test

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

func TestAccMeshSecret(t *testing.T) {
	kumaLifecycle{
		addr: "konnect_mesh_secret.this", plural: "secrets",
		create: `
resource "konnect_mesh_secret" "this" {
  cp_id = %[1]q
  mesh  = "default"
  type  = "Secret"
  name  = "opa-policy"
  data  = base64encode("first")
}
`,
		update: `
resource "konnect_mesh_secret" "this" {
  cp_id  = %[1]q
  mesh   = "default"
  type   = "Secret"
  name   = "opa-policy"
  labels = { purpose = "opa" }
  data   = base64encode("second")
}
`,
		created: expectAt(map[string]any{"data": "Zmlyc3Q=", "mesh": "default"}),
		updated: expectAt(map[string]any{"data": "c2Vjb25k", "labels.purpose": "opa"}),
		drift:   func(r map[string]any) { r["data"] = "Y2hhbmdlZA==" },
		// Terraform leaves sensitive values out of the configuration it generates.
		noGeneratedConfig: true,
	}.run(t)
}

// A name that is taken is refused rather than silently replaced; nor is a resource created in
// a mesh that does not exist.
func TestAccMeshSecretRefusesTakenName(t *testing.T) {
	cp := newMeshControlPlane(t)
	apiCall(t, http.MethodPut, kumaPath(cp, "secrets", "default", "taken"),
		map[string]any{"type": "Secret", "mesh": "default", "name": "taken", "data": "b3RoZXI="}, nil, http.StatusCreated)
	config := func(mesh string) string {
		return providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_mesh_secret" "this" {
  cp_id = %q
  mesh  = %q
  type  = "Secret"
  name  = "taken"
  data  = base64encode("mine")
}
`, cp, mesh)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      config("default"),
				ExpectError: regexp.MustCompile(`(?s)Unable to create Secret taken: it already exists.*import it`),
			},
			{
				Config:      config("nowhere"),
				ExpectError: regexp.MustCompile(`(?s)Unable to create Secret taken: it or what it belongs to does not exist.*mesh nowhere of mesh control plane`),
			},
		},
	})
	var s map[string]any
	apiCall(t, http.MethodGet, kumaPath(cp, "secrets", "default", "taken"), nil, &s, http.StatusOK)
	if s["data"] != "b3RoZXI=" {
		t.Errorf("the existing secret was changed: %v", s)
	}
}
