package provider_test

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

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

// A typed plugin resource holds only its own plugin: importing a rate-limiting plugin's id
// as konnect_gateway_plugin_key_auth is refused, naming the resource type to use.
func TestAccGatewayPluginKeyAuthRefusesAnotherPlugin(t *testing.T) {
	cp := newControlPlane(t)
	var plugin struct{ ID string }
	apiCall(t, http.MethodPost, "/v2/control-planes/"+cp+"/core-entities/plugins",
		map[string]any{"name": "rate-limiting", "config": map[string]any{"minute": 5}}, &plugin, http.StatusCreated)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_gateway_plugin_key_auth" "this" {
  control_plane_id = %q
}
`, cp),
			ResourceName:  "konnect_gateway_plugin_key_auth.this",
			ImportState:   true,
			ImportStateId: fmt.Sprintf(`{"control_plane_id":%q,"id":%q}`, cp, plugin.ID),
			ExpectError:   regexp.MustCompile(`(?s)is a rate-limiting plugin,\s+not a key-auth plugin.*konnect_gateway_plugin_rate_limiting`),
		}},
	})
}
