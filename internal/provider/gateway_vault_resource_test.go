package provider_test

import "testing"

func TestAccGatewayVault(t *testing.T) {
	const addr = "konnect_gateway_vault.this"
	lifecycle{
		addr: addr,
		create: `
resource "konnect_gateway_vault" "this" {
  control_plane_id = %[1]q
  name             = "env"
  prefix           = "my-env"
  config           = jsonencode({ prefix = "APP_" })
}
`,
		update: `
resource "konnect_gateway_vault" "this" {
  control_plane_id = %[1]q
  name             = "env"
  prefix           = "my-env"
  description      = "Secrets from the environment"
  config           = jsonencode({ prefix = "KONG_" })
}
`,
		apiPath: coreEntityPath(addr, "vaults"),
		created: func(e map[string]any) error {
			return expect(map[string]any{"config": map[string]any{"prefix": "APP_"}})(e)
		},
		updated:     expect(map[string]any{"description": "Secrets from the environment", "config": map[string]any{"prefix": "KONG_"}}),
		importAttrs: []string{"control_plane_id", "id"},
		// Terraform does not write sensitive values (config) into generated configuration.
		noGeneratedConfig: true,
	}.run(t)
}
