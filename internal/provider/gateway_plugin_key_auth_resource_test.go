package provider_test

import "testing"

func TestAccGatewayPluginKeyAuth(t *testing.T) {
	const addr = "konnect_gateway_plugin_key_auth.this"
	lifecycle{
		addr: addr,
		create: `
resource "konnect_gateway_plugin_key_auth" "this" {
  control_plane_id = %[1]q
}
`,
		update: `
resource "konnect_gateway_plugin_key_auth" "this" {
  control_plane_id = %[1]q
  protocols        = ["https"]
  config = {
    key_names        = ["x-api-key"]
    hide_credentials = false
  }
}
`,
		apiPath: coreEntityPath(addr, "plugins"),
		created: func(e map[string]any) error {
			if err := expect(map[string]any{"name": "key-auth", "enabled": true})(e); err != nil {
				return err
			}
			return expect(map[string]any{"key_names": []any{"apikey"}, "key_in_header": true})(e["config"].(map[string]any))
		},
		updated: func(e map[string]any) error {
			if err := expect(map[string]any{"protocols": []any{"https"}})(e); err != nil {
				return err
			}
			return expect(map[string]any{"key_names": []any{"x-api-key"}, "hide_credentials": false})(e["config"].(map[string]any))
		},
		importAttrs: []string{"control_plane_id", "id"},
	}.run(t)
}
