package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

const datakitAddr = "konnect_gateway_plugin_datakit.this"

// datakitFlat is the third-party-auth flow of Kong's Datakit docs, nodes written flat as the
// API has them; tokenMethod is AUTH_REQUEST's method.
func datakitFlat(tokenMethod string) string {
	return `
resource "konnect_gateway_plugin_datakit" "this" {
  control_plane_id = %[1]q
  config = {
    nodes = [
      { name = "STATIC_INPUTS", type = "static",
        values = { headers = { "Content-Type" = "application/x-www-form-urlencoded" }, body = "grant_type=client_credentials" } },
      { name = "BUILD_HEADERS", type = "jq",
        inputs = { headers = "STATIC_INPUTS.headers", query = "request.query" },
        jq = ".headers * { \"X-Api-Key\": (.query.api_key // \"none\") }" },
      { name = "AUTH_REQUEST", type = "call",
        inputs = { headers = "BUILD_HEADERS", body = "STATIC_INPUTS.body" },
        url = "https://my-token-service/auth-token", method = "` + tokenMethod + `" },
      { name = "UPSTREAM_AUTH_HEADER", type = "jq", input = "AUTH_REQUEST.body",
        output = "service_request.headers", jq = "{ Authorization: (.token_type + \" \" + .access_token) }" },
    ]
  }
}
`
}

// datakitKeyed is the same flow with each node keyed by its type, as Kong's provider 3.4
// and later writes nodes.
func datakitKeyed(tokenMethod string) string {
	return `
resource "konnect_gateway_plugin_datakit" "this" {
  control_plane_id = %[1]q
  config = {
    nodes = [
      { static = { name = "STATIC_INPUTS",
        values = { headers = { "Content-Type" = "application/x-www-form-urlencoded" }, body = "grant_type=client_credentials" } } },
      { jq = { name = "BUILD_HEADERS",
        inputs = { headers = "STATIC_INPUTS.headers", query = "request.query" },
        jq = ".headers * { \"X-Api-Key\": (.query.api_key // \"none\") }" } },
      { call = { name = "AUTH_REQUEST",
        inputs = { headers = "BUILD_HEADERS", body = "STATIC_INPUTS.body" },
        url = "https://my-token-service/auth-token", method = "` + tokenMethod + `" } },
      { jq = { name = "UPSTREAM_AUTH_HEADER", input = "AUTH_REQUEST.body",
        output = "service_request.headers", jq = "{ Authorization: (.token_type + \" \" + .access_token) }" } },
    ]
  }
}
`
}

// apiNode finds a node of the plugin as the API has it.
func apiNode(e map[string]any, name string) (map[string]any, error) {
	cfg, _ := e["config"].(map[string]any)
	nodes, _ := cfg["nodes"].([]any)
	for _, n := range nodes {
		if m, ok := n.(map[string]any); ok && m["name"] == name {
			return m, nil
		}
	}
	return nil, fmt.Errorf("the API's plugin has no node %s: %v", name, cfg)
}

func expectNode(name string, want map[string]any) func(map[string]any) error {
	return func(e map[string]any) error {
		n, err := apiNode(e, name)
		if err != nil {
			return err
		}
		return expect(want)(n)
	}
}

// The documented flat form: apply, no diff, update of one node, import (checked against the
// state, with an import block, and with a generated configuration), all with no diff.
func TestAccGatewayPluginDatakitFlat(t *testing.T) {
	lifecycle{
		addr:        datakitAddr,
		create:      datakitFlat("POST"),
		update:      datakitFlat("PUT"),
		apiPath:     coreEntityPath(datakitAddr, "plugins"),
		created:     expectNode("AUTH_REQUEST", map[string]any{"type": "call", "method": "POST", "url": "https://my-token-service/auth-token"}),
		updated:     expectNode("AUTH_REQUEST", map[string]any{"type": "call", "method": "PUT"}),
		importAttrs: []string{"control_plane_id", "id"},
	}.run(t)
}

// Kong's provider's form, each node keyed by its type: sent flat, kept keyed in state
// through apply, refresh and update; an import reads them keyed when its id says
// "nodes_shape": "keyed", and flat (meaning the same) otherwise.
func TestAccGatewayPluginDatakitKeyedByType(t *testing.T) {
	cp := newControlPlane(t)
	config := func(body string) string { return providerConfig(testEmulator) + fmt.Sprintf(body, cp) }
	keyedInState := func(s *terraform.State) error {
		if v := stateAttr(s, datakitAddr, "config.nodes.2.call.method"); v == "" {
			return fmt.Errorf("the state does not hold AUTH_REQUEST keyed by its type: %v", s.RootModule().Resources[datakitAddr].Primary.Attributes)
		}
		return nil
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(datakitKeyed("POST")),
				Check: resource.ComposeTestCheckFunc(keyedInState,
					resource.TestCheckResourceAttr(datakitAddr, "config.nodes.2.call.method", "POST"),
					checkAPI(t, datakitAddr, "plugins", expectNode("AUTH_REQUEST", map[string]any{"type": "call", "method": "POST"})),
					checkAPI(t, datakitAddr, "plugins", expectNode("BUILD_HEADERS", map[string]any{"type": "jq"}))),
			},
			{
				Config: config(datakitKeyed("PUT")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(datakitAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(keyedInState,
					resource.TestCheckResourceAttr(datakitAddr, "config.nodes.2.call.method", "PUT"),
					checkAPI(t, datakitAddr, "plugins", expectNode("AUTH_REQUEST", map[string]any{"method": "PUT"}))),
			},
			{
				// The import id names the shape, which the API does not record: an import block
				// with the keyed configuration plans a no-op import (the test fails on any diff).
				Config: config(datakitKeyed("PUT")), ResourceName: datakitAddr,
				ImportState: true, ImportStateKind: resource.ImportBlockWithID,
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					id, err := importID(datakitAddr, "control_plane_id", "id")(s)
					return strings.TrimSuffix(id, "}") + `,"nodes_shape":"keyed"}`, err
				},
			},
			{
				ResourceName: datakitAddr, ImportState: true, ImportStateVerify: true,
				ImportStateIdFunc:                    importID(datakitAddr, "control_plane_id", "id"),
				ImportStateVerifyIdentifierAttribute: "id",
				// Without the hint the imported nodes are flat, meaning the same.
				ImportStateVerifyIgnore: []string{"config.nodes"},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					a := states[0].Attributes
					if a["config.nodes.2.type"] != "call" || a["config.nodes.2.method"] != "PUT" || a["config.nodes.2.name"] != "AUTH_REQUEST" {
						return fmt.Errorf("imported nodes are not the flow, flat: %v", a)
					}
					return nil
				},
			},
		},
	})
}

// Mixed shapes in one list: each node stays as written.
func TestAccGatewayPluginDatakitMixedShapes(t *testing.T) {
	cp := newControlPlane(t)
	mixed := strings.Replace(datakitFlat("POST"),
		`{ name = "STATIC_INPUTS", type = "static",
        values = { headers = { "Content-Type" = "application/x-www-form-urlencoded" }, body = "grant_type=client_credentials" } },`,
		`{ static = { name = "STATIC_INPUTS",
        values = { headers = { "Content-Type" = "application/x-www-form-urlencoded" }, body = "grant_type=client_credentials" } } },`, 1)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(testEmulator) + fmt.Sprintf(mixed, cp),
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(datakitAddr, "config.nodes.0.static.name", "STATIC_INPUTS"),
				resource.TestCheckResourceAttr(datakitAddr, "config.nodes.2.type", "call"),
			),
		}},
	})
}

// Fields left out take Kong's defaults (a call's method and ssl_verify, an exit's status,
// debug, resources): whether or not the server returns them filled in, no plan shows them.
// A node changed outside Terraform is drift, and planned back.
func TestAccGatewayPluginDatakitServerDefaults(t *testing.T) {
	cp := newControlPlane(t)
	const body = `
resource "konnect_gateway_plugin_datakit" "this" {
  control_plane_id = %[1]q
  config = {
    nodes = [
      { name = "CALL", type = "call", url = "http://token.example/token" },
      { name = "DONE", type = "exit", inputs = { body = "CALL.body" } },
    ]
  }
}
`
	drift := func(s *terraform.State) error {
		p := entityPath(stateAttr(s, datakitAddr, "control_plane_id"), "plugins", stateAttr(s, datakitAddr, "id"))
		var e map[string]any
		apiCall(t, "GET", p, nil, &e, 200)
		n, err := apiNode(e, "CALL")
		if err != nil {
			return err
		}
		n["method"] = "DELETE"
		apiCall(t, "PUT", p, e, nil, 200)
		return nil
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: providerConfig(testEmulator) + fmt.Sprintf(body, cp)},
			{
				// A plan only fails on any change.
				Config: providerConfig(testEmulator) + fmt.Sprintf(body, cp), PlanOnly: true,
			},
			{
				Config:             providerConfig(testEmulator) + fmt.Sprintf(body, cp),
				Check:              drift,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: providerConfig(testEmulator) + fmt.Sprintf(body, cp),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(datakitAddr, plancheck.ResourceActionUpdate),
				}},
				Check: checkAPI(t, datakitAddr, "plugins", func(e map[string]any) error {
					n, err := apiNode(e, "CALL")
					if err != nil {
						return err
					}
					if m, _ := n["method"].(string); m == "DELETE" {
						return fmt.Errorf("the drifted method was not planned back: %v", n)
					}
					return nil
				}),
			},
		},
	})
}

// A config Datakit refuses is reported at plan time, naming the node and the field.
func TestAccGatewayPluginDatakitInvalid(t *testing.T) {
	cases := []struct{ name, nodes, want string }{
		{"cycle", `
      { name = "A", type = "jq", jq = ".", input = "B" },
      { name = "B", type = "jq", jq = ".", input = "A" },`, `(?s)node #\d \([AB]\).*circular dependency`},
		{"dangling reference", `
      { name = "A", type = "jq", jq = ".", input = "NOWHERE.body" },`, `(?s)node #1 \(A\).*NOWHERE`},
		{"unknown field", `
      { name = "A", type = "jq", jq = ".", url = "http://x" },`, `(?s)node #1 \(A\).*url.*unknown field`},
		{"keyed unknown field", `
      { jq = { name = "A", jq = ".", method = "GET" } },`, `(?s)node #1 \(A\).*method.*unknown field`},
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: providerConfig(testEmulator) + `
resource "konnect_gateway_plugin_datakit" "this" {
  control_plane_id = "6f4c3b46-5c3f-4f44-9a43-2d1d3c2b1a00"
  config = {
    nodes = [` + c.nodes + `
    ]
  }
}
`,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(c.want),
				}},
			})
		})
	}
}

// A Redis cache with only its host set: the server fills in the rest of the Redis block
// (ports, timeouts, ssl_verify), and no plan shows it.
func TestAccGatewayPluginDatakitRedisDefaults(t *testing.T) {
	cp := newControlPlane(t)
	const body = `
resource "konnect_gateway_plugin_datakit" "this" {
  control_plane_id = %[1]q
  config = {
    debug = true
    nodes = [
      { name = "CACHED", type = "cache", ttl = 60, inputs = { key = "request.path" } },
    ]
    resources = {
      cache = {
        strategy = "redis"
        redis    = { host = "redis.example" }
      }
    }
  }
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: providerConfig(testEmulator) + fmt.Sprintf(body, cp),
				Check: checkAPI(t, datakitAddr, "plugins", func(e map[string]any) error {
					cfg, _ := e["config"].(map[string]any)
					res, _ := cfg["resources"].(map[string]any)
					cache, _ := res["cache"].(map[string]any)
					return expect(map[string]any{"strategy": "redis"})(cache)
				}),
			},
			{Config: providerConfig(testEmulator) + fmt.Sprintf(body, cp), PlanOnly: true},
		},
	})
}

// A node's field known only at apply (a service's id), and the plugin scoped to that
// service: planned, applied and planned again with no change.
func TestAccGatewayPluginDatakitValueKnownAfterApply(t *testing.T) {
	cp := newControlPlane(t)
	const body = `
resource "konnect_gateway_service" "orders" {
  control_plane_id = %[1]q
  name             = "orders"
  host             = "orders.internal"
}

resource "konnect_gateway_plugin_datakit" "this" {
  control_plane_id = %[1]q
  service          = { id = konnect_gateway_service.orders.id }
  config = {
    nodes = [
      { static = { name = "IDS", values = { service = konnect_gateway_service.orders.id } } },
      { name = "TAG", type = "jq", input = "IDS", output = "service_request.headers", jq = "{ \"X-Service\": .service }" },
    ]
  }
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(testEmulator) + fmt.Sprintf(body, cp),
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttrPair(datakitAddr, "config.nodes.0.static.values.service", "konnect_gateway_service.orders", "id"),
				resource.TestCheckResourceAttrPair(datakitAddr, "service.id", "konnect_gateway_service.orders", "id"),
			),
		}},
	})
}
