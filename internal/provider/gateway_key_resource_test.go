package provider_test

import "testing"

func TestAccGatewayKey(t *testing.T) {
	const addr = "konnect_gateway_key.this"
	const jwk = `{"kty":"oct","kid":"k1","k":"c2VjcmV0LXNpZ25pbmcta2V5"}`
	block := func(name string) string {
		return `
resource "konnect_gateway_key_set" "set" {
  control_plane_id = %[1]q
  name             = "signing"
}

resource "konnect_gateway_key" "this" {
  control_plane_id = %[1]q
  kid              = "k1"
  name             = "` + name + `"
  jwk              = jsonencode(` + jwkHCL + `)
  set              = { id = konnect_gateway_key_set.set.id }
}
`
	}
	_ = jwk
	lifecycle{
		addr:        addr,
		create:      block("first"),
		update:      block("renamed"),
		apiPath:     coreEntityPath(addr, "keys"),
		created:     expect(map[string]any{"kid": "k1", "name": "first"}),
		updated:     expect(map[string]any{"name": "renamed"}),
		importAttrs: []string{"control_plane_id", "id"},
		// Terraform does not write sensitive values into generated configuration.
		noGeneratedConfig: true,
	}.run(t)
}

const jwkHCL = `{ kty = "oct", kid = "k1", k = "c2VjcmV0LXNpZ25pbmcta2V5" }`
