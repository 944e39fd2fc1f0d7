package provider_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

func TestAccGatewayPluginRateLimiting(t *testing.T) {
	const addr = "konnect_gateway_plugin_rate_limiting.this"
	lifecycle{
		addr: addr,
		create: `
resource "konnect_gateway_plugin_rate_limiting" "this" {
  control_plane_id = %[1]q
  config = {
    minute = 5
  }
}
`,
		update: `
resource "konnect_gateway_plugin_rate_limiting" "this" {
  control_plane_id = %[1]q
  enabled          = false
  config = {
    second              = 2
    hour                = 1000
    limit_by            = "ip"
    hide_client_headers = true
  }
}
`,
		apiPath: coreEntityPath(addr, "plugins"),
		created: func(e map[string]any) error {
			cfg := e["config"].(map[string]any)
			return expect(map[string]any{"minute": 5, "policy": "local", "limit_by": "consumer", "error_code": 429, "fault_tolerant": true})(cfg)
		},
		updated: func(e map[string]any) error {
			if e["enabled"] != false {
				return expect(map[string]any{"enabled": false})(e)
			}
			cfg := e["config"].(map[string]any)
			// minute was removed from the configuration, so it is cleared.
			return expect(map[string]any{"second": 2, "hour": 1000, "minute": nil, "limit_by": "ip"})(cfg)
		},
		importAttrs: []string{"control_plane_id", "id"},
	}.run(t)
}

// A config Kong would refuse is reported at plan time, with Kong's words, before any call.
func TestAccGatewayPluginRateLimitingInvalidConfig(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(testEmulator) + `
resource "konnect_gateway_plugin_rate_limiting" "this" {
  control_plane_id = "6f4c3b46-5c3f-4f44-9a43-2d1d3c2b1a00"
  config = {
    policy = "local"
  }
}
`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`at least one of these fields must be non-empty: 'config.second',\s+'config.minute'`),
		}},
	})
}
