package provider_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

func TestAccGatewayPartial(t *testing.T) {
	const addr = "konnect_gateway_partial.this"
	lifecycle{
		addr: addr,
		create: `
resource "konnect_gateway_partial" "this" {
  control_plane_id = %[1]q
  redis_ce = {
    name = "shared-redis"
    config = {
      host = "redis.internal"
    }
  }
}
`,
		update: `
resource "konnect_gateway_partial" "this" {
  control_plane_id = %[1]q
  redis_ce = {
    name = "shared-redis"
    tags = ["team-a"]
    config = {
      host     = "redis.internal"
      port     = 6380
      database = 2
    }
  }
}
`,
		apiPath: coreEntityPath(addr, "partials"),
		created: func(e map[string]any) error {
			if err := expect(map[string]any{"type": "redis-ce", "name": "shared-redis"})(e); err != nil {
				return err
			}
			return expect(map[string]any{"host": "redis.internal", "port": 6379, "ssl_verify": false})(e["config"].(map[string]any))
		},
		updated: func(e map[string]any) error {
			if err := expect(map[string]any{"tags": []any{"team-a"}})(e); err != nil {
				return err
			}
			return expect(map[string]any{"port": 6380, "database": 2})(e["config"].(map[string]any))
		},
		importAttrs: []string{"control_plane_id", "id"},
	}.run(t)
}

// A free-form field of a model partial is JSON text, and plans empty after apply.
func TestAccGatewayPartialModel(t *testing.T) {
	const addr = "konnect_gateway_partial.this"
	lifecycle{
		addr: addr,
		create: `
resource "konnect_gateway_partial" "this" {
  control_plane_id = %[1]q
  model = {
    name = "chat"
    config = {
      route_type = "llm/v1/chat"
      metadata   = jsonencode({ team = "a" })
      model = {
        name     = "gpt-4o"
        provider = "openai"
      }
    }
  }
}
`,
		apiPath:     coreEntityPath(addr, "partials"),
		created:     expect(map[string]any{"type": "model", "name": "chat"}),
		importAttrs: []string{"control_plane_id", "id"},
	}.run(t)
}

// Exactly one type is set: none or two are refused at plan time.
func TestAccGatewayPartialNeedsOneType(t *testing.T) {
	cp := newControlPlane(t)
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: protoV6ProviderFactories, Steps: []resource.TestStep{{
		Config: providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_gateway_partial" "this" {
  control_plane_id = %q
  redis_ce = { config = { host = "a.internal" } }
  redis_ee = { config = { host = "b.internal" } }
}
`, cp),
		ExpectError: regexp.MustCompile(`exactly one of`),
	}}})
}

// A partial a plugin uses cannot be deleted: Terraform reports the API's refusal, and the
// delete succeeds once the plugin is gone.
func TestAccGatewayPartialInUseCannotBeDeleted(t *testing.T) {
	cp := newControlPlane(t)
	const addr = "konnect_gateway_partial.this"
	partial := providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_gateway_partial" "this" {
  control_plane_id = %q
  redis_ce = {
    name   = "counters"
    config = { host = "redis.internal" }
  }
}
`, cp)
	var pluginID string
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: protoV6ProviderFactories, Steps: []resource.TestStep{
		{
			Config: partial,
			Check: func(s *terraform.State) error {
				var plugin map[string]any
				body := map[string]any{"name": "rate-limiting", "config": map[string]any{"minute": 5, "policy": "redis"},
					"partials": []any{map[string]any{"id": stateAttr(s, addr, "id")}}}
				if status := apiDo(t, http.MethodPost, "/v2/control-planes/"+cp+"/core-entities/plugins", body, &plugin); status != http.StatusCreated {
					return fmt.Errorf("plugin using the partial: %d %v", status, plugin)
				}
				pluginID, _ = plugin["id"].(string)
				return nil
			},
		},
		{
			Config:      providerConfig(testEmulator),
			ExpectError: regexp.MustCompile(`(?s)Unable to delete partial.*plugin references this value`),
		},
		{
			PreConfig: func() {
				if status := apiDo(t, http.MethodDelete, entityPath(cp, "plugins", pluginID), nil, nil); status != http.StatusNoContent {
					t.Fatalf("deleting the plugin: %d", status)
				}
			},
			Config: providerConfig(testEmulator),
		},
	}})
}

// Every other type plans empty after apply with the API's defaults, and imports.
func TestAccGatewayPartialOtherTypes(t *testing.T) {
	const addr = "konnect_gateway_partial.this"
	for name, body := range map[string]string{
		"redis_ee":   `redis_ee = { config = { host = "redis.internal" } }`,
		"embeddings": `embeddings = { config = { model = { name = "text-embedding-3-small", provider = "openai" } } }`,
		"vectordb":   `vectordb = { config = { dimensions = 1536, distance_metric = "cosine", strategy = "redis", threshold = 0.5 } }`,
	} {
		t.Run(name, func(t *testing.T) {
			lifecycle{
				addr:        addr,
				create:      "resource \"konnect_gateway_partial\" \"this\" {\n  control_plane_id = %[1]q\n  " + body + "\n}\n",
				apiPath:     coreEntityPath(addr, "partials"),
				created:     expect(map[string]any{"type": strings.ReplaceAll(name, "_", "-")}),
				importAttrs: []string{"control_plane_id", "id"},
			}.run(t)
		})
	}
}
