package provider_test

import "testing"

func TestAccMesh(t *testing.T) {
	kumaLifecycle{
		addr: "konnect_mesh.this", plural: "meshes",
		create: `
resource "konnect_mesh" "this" {
  cp_id   = %[1]q
  type    = "Mesh"
  name    = "payments"
  labels  = { team = "payments" }
  routing = { locality_aware_load_balancing = true }
}
`,
		update: `
resource "konnect_mesh" "this" {
  cp_id                          = %[1]q
  type                           = "Mesh"
  name                           = "payments"
  labels                         = { team = "payments", tier = "gold" }
  routing                        = { zone_egress = true }
  skip_creating_initial_policies = ["*"]
}
`,
		created: expectAt(map[string]any{"labels.team": "payments", "routing.localityAwareLoadBalancing": true}),
		// The PUT replaces the mesh: what the configuration no longer has is gone.
		updated: expectAt(map[string]any{
			"labels.tier": "gold", "routing.zoneEgress": true, "routing.localityAwareLoadBalancing": nil,
			"skipCreatingInitialPolicies": []any{"*"},
		}),
		drift: func(r map[string]any) {
			r["labels"] = map[string]any{"team": "someone-else"}
			delete(r, "routing")
		},
	}.run(t)
}
