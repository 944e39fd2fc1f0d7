package provider_test

import "testing"

func TestAccGatewayKeySet(t *testing.T) {
	const addr = "konnect_gateway_key_set.this"
	lifecycle{
		addr: addr,
		create: `
resource "konnect_gateway_key_set" "this" {
  control_plane_id = %[1]q
  name             = "signing"
}
`,
		update: `
resource "konnect_gateway_key_set" "this" {
  control_plane_id = %[1]q
  name             = "signing-2026"
  tags             = ["jwt"]
}
`,
		apiPath:     coreEntityPath(addr, "key-sets"),
		created:     expect(map[string]any{"name": "signing"}),
		updated:     expect(map[string]any{"name": "signing-2026"}),
		importAttrs: []string{"control_plane_id", "id"},
	}.run(t)
}
