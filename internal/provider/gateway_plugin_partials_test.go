package provider_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/openkonnect/terraform-provider-konnect/internal/redistest"
)

// A plugin's partials given by id alone, as users write them: the API fills in the partial's
// name and path, which must never show as a diff (Kong's provider plans a change forever
// there, its issue #269). The same partial referenced by name alone is the same plugin, and
// removing the list clears it in the API.
//
// The first apply is also run with traffic: five requests a minute pass, the sixth gets 429,
// and the count is in the partial's Redis.
func TestAccGatewayPluginPartials(t *testing.T) {
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skip("an acceptance test: set TF_ACC=1") // and no redis-server to start for nothing
	}
	cp := newControlPlane(t)
	redisHost, redisPort := redistest.Start(t)
	api, err := url.Parse(testEmulator.URL)
	if err != nil {
		t.Fatal(err)
	}
	const addr = "konnect_gateway_plugin_rate_limiting.this"
	partial := `
resource "konnect_gateway_service" "echo" {
  control_plane_id = %[1]q
  host             = "` + api.Hostname() + `"
  port             = ` + api.Port() + `
  path             = "/_emulator/echo"
}

resource "konnect_gateway_route" "limited" {
  control_plane_id = %[1]q
  paths            = ["/limited"]
  service          = { id = konnect_gateway_service.echo.id }
}

resource "konnect_gateway_partial" "redis" {
  control_plane_id = %[1]q
  redis_ce = {
    name   = "counters"
    config = { host = "` + redisHost + `", port = ` + strconv.Itoa(redisPort) + ` }
  }
}
`
	proxy, err := testEmulator.ControlPlaneProxyURL(cp)
	if err != nil {
		t.Fatal(err)
	}
	countsInRedis := func(*terraform.State) error {
		statuses := ""
		for range 6 {
			resp, err := http.Get(proxy + "/limited")
			if err != nil {
				return err
			}
			_ = resp.Body.Close()
			statuses += strconv.Itoa(resp.StatusCode) + " "
		}
		if statuses != "200 200 200 200 200 429 " {
			return fmt.Errorf("statuses: %s", statuses)
		}
		keys, err := redistest.Client(t, redisHost, redisPort).Keys(context.Background(), "ratelimit:*").Result()
		if err != nil {
			return fmt.Errorf("reading the partial's Redis: %w", err)
		}
		if len(keys) != 1 {
			return fmt.Errorf("the partial's Redis holds counters %v, want one", keys)
		}
		return nil
	}
	other := `
resource "konnect_gateway_partial" "other" {
  control_plane_id = %[1]q
  redis_ce = {
    name   = "other-counters"
    config = { host = "redis-2.internal" }
  }
}
`
	pluginPerMinute := func(policy string, minute int, partials string) string {
		return providerConfig(testEmulator) + fmt.Sprintf(partial+other+`
resource "konnect_gateway_plugin_rate_limiting" "this" {
  control_plane_id = %[1]q
  config = {
    policy = %[2]q
    minute = %[4]d
  }
  %[3]s
}
`, cp, policy, partials, minute)
	}
	plugin := func(policy, partials string) string { return pluginPerMinute(policy, 5, partials) }
	apiPartials := func(want func(s *terraform.State) []any) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			var e map[string]any
			p := entityPath(cp, "plugins", stateAttr(s, addr, "id"))
			if status := apiDo(t, http.MethodGet, p, nil, &e); status != http.StatusOK {
				return fmt.Errorf("GET %s: %d", p, status)
			}
			got, w := fmt.Sprint(e["partials"]), fmt.Sprint(want(s))
			if want(s) == nil {
				if e["partials"] != nil && len(e["partials"].([]any)) != 0 {
					return fmt.Errorf("the API has partials %s, want none", got)
				}
				return nil
			}
			if got != w {
				return fmt.Errorf("the API has partials %s, want %s", got, w)
			}
			return nil
		}
	}
	used := func(s *terraform.State) []any {
		return []any{map[string]any{"id": stateAttr(s, "konnect_gateway_partial.redis", "id"), "name": "counters", "path": "config.redis"}}
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: protoV6ProviderFactories, Steps: []resource.TestStep{
		{
			// The test framework plans after the apply and fails on any diff.
			Config: plugin("redis", `partials = [{ id = konnect_gateway_partial.redis.id }]`),
			Check: resource.ComposeAggregateTestCheckFunc(
				apiPartials(used),
				countsInRedis,
				resource.TestCheckResourceAttrPair(addr, "partials.0.id", "konnect_gateway_partial.redis", "id"),
				resource.TestCheckResourceAttr(addr, "partials.0.name", "counters"),
				resource.TestCheckResourceAttr(addr, "partials.0.path", "config.redis"),
			),
		},
		{
			ResourceName: addr, ImportState: true, ImportStateVerify: true,
			ImportStateIdFunc: importID(addr, "control_plane_id", "id"), ImportStateVerifyIdentifierAttribute: "id",
		},
		{
			// The same partial by name: nothing to change.
			Config: plugin("redis", `partials = [{ name = "counters" }]`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop),
			}},
			Check: apiPartials(used),
		},
		{
			// Another change plans the stored name and path, not values known after apply.
			Config: pluginPerMinute("redis", 6, `partials = [{ name = "counters" }]`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("partials").AtSliceIndex(0).AtMapKey("path"), knownvalue.StringExact("config.redis")),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("partials").AtSliceIndex(0).AtMapKey("name"), knownvalue.StringExact("counters")),
			}},
			Check: apiPartials(used),
		},
		{
			// Another partial by name: its id is known after apply, not kept from the first.
			Config: plugin("redis", `partials = [{ name = "other-counters" }]`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectUnknownValue(addr, tfjsonpath.New("partials").AtSliceIndex(0).AtMapKey("id")),
			}},
			Check: apiPartials(func(s *terraform.State) []any {
				return []any{map[string]any{"id": stateAttr(s, "konnect_gateway_partial.other", "id"), "name": "other-counters", "path": "config.redis"}}
			}),
		},
		{
			// Without its partial, the plugin counts locally.
			Config: plugin("local", ``),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
			}},
			Check: resource.ComposeAggregateTestCheckFunc(
				apiPartials(func(*terraform.State) []any { return nil }),
				resource.TestCheckNoResourceAttr(addr, "partials.#"),
			),
		},
		{
			// An empty list is kept as written.
			Config: plugin("local", `partials = []`),
			Check: resource.ComposeAggregateTestCheckFunc(
				apiPartials(func(*terraform.State) []any { return nil }),
				resource.TestCheckResourceAttr(addr, "partials.#", "0"),
			),
		},
		{
			// Back to the partial by name, from a plugin without one.
			Config: plugin("redis", `partials = [{ name = konnect_gateway_partial.redis.redis_ce.name }]`),
			Check:  apiPartials(used),
		},
	}})
}

// A partial the plugin cannot take is refused with the API's reason, naming the reference at
// fault: a path the partial's type cannot stand at, a type the plugin does not take, a plugin
// that takes no partials.
func TestAccGatewayPluginPartialsThatDoNotFit(t *testing.T) {
	for name, c := range map[string]struct{ partial, plugin, want string }{
		"path": {
			partial: `redis_ce = { config = { host = "redis.internal" } }`,
			plugin: `resource "konnect_gateway_plugin_rate_limiting" "this" {
  control_plane_id = %[1]q
  config   = { policy = "redis", minute = 5 }
  partials = [{ id = konnect_gateway_partial.this.id, path = "config.cache" }]
}`,
			want: `(?s)Unable to create rate-limiting plugin.*partials\[0\]\.path: a 'redis-ce' partial of plugin\s+'rate-limiting' can only be used at: config\.redis`,
		},
		"type": {
			partial: `redis_ee = { config = { host = "redis.internal" } }`,
			plugin: `resource "konnect_gateway_plugin_rate_limiting" "this" {
  control_plane_id = %[1]q
  config   = { policy = "redis", minute = 5 }
  partials = [{ id = konnect_gateway_partial.this.id }]
}`,
			want: `(?s)Unable to create rate-limiting plugin.*partials\[0\]: partial type 'redis-ee' is not\s+supported by plugin 'rate-limiting' \(supported: redis-ce\)`,
		},
		"plugin": {
			partial: `redis_ce = { config = { host = "redis.internal" } }`,
			plugin: `resource "konnect_gateway_plugin_key_auth" "this" {
  control_plane_id = %[1]q
  partials         = [{ id = konnect_gateway_partial.this.id }]
}`,
			want: `(?s)Unable to create key-auth plugin.*partials: plugin 'key-auth' does not support\s+partials`,
		},
	} {
		t.Run(name, func(t *testing.T) {
			cp := newControlPlane(t)
			resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: protoV6ProviderFactories, Steps: []resource.TestStep{{
				Config: providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_gateway_partial" "this" {
  control_plane_id = %[1]q
  `+c.partial+`
}

`+c.plugin+"\n", cp),
				ExpectError: regexp.MustCompile(c.want),
			}}})
		})
	}
}
