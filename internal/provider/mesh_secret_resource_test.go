package provider_test

import "testing"

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
