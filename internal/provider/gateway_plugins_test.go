package provider_test

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// pluginSample is one plugin the data plane does not run, written twice: with the least
// config Kong takes (nothing, {} or its required fields) and with a realistic one.
type pluginSample struct {
	resource, minimal, realistic string
}

// pluginSampleExtras are further attributes of some realistic versions.
var pluginSampleExtras = map[string]string{
	"syslog": `condition = "http.path ^= \"/orders\""
  ordering = { before = { access = ["rate-limiting"] } }`,
}

// pluginSamples are applied together, as one configuration, to keep the test quick.
var pluginSamples = []pluginSample{
	{"ai_proxy", `{ route_type = "llm/v1/chat", model = { provider = "openai" } }`,
		`{ route_type = "llm/v1/chat", model = { provider = "openai", name = "gpt-4o" },
		   auth = { header_name = "Authorization", header_value = "Bearer sk-test" }, logging = { log_statistics = true } }`},
	{"aws_lambda", `{}`, `{ aws_region = "eu-west-1", function_name = "orders", timeout = 30000 }`},
	{"bot_detection", `{}`, `{ deny = ["curl/.*"] }`},
	{"datadog", `{}`, `{ host = "dd-agent.internal", port = 8125, prefix = "kong" }`},
	{"degraphql", `{}`, `{ graphql_server_path = "/graphql" }`},
	{"file_log", `{ path = "/tmp/kong.log" }`, `{ path = "/var/log/kong/orders.log", reopen = true }`},
	{"grpc_web", `{}`, `{ pass_stripped_path = true, allow_origin_header = "https://app.example.com" }`},
	{"http_log", `{ http_endpoint = "http://logs.example.com:9200/kong" }`,
		`{ http_endpoint = "http://logs.example.com:9200/kong", method = "PUT", timeout = 5000,
		   headers = { "X-Env" = "prod" }, content_type = "application/json", queue = { max_batch_size = 10 } }`},
	{"json_threat_protection", `{}`, `{ max_body_size = 4096, max_container_depth = 10, enforcement_mode = "log_only" }`},
	{"mocking", `{}`, `{ random_delay = true, max_delay_time = 2, min_delay_time = 0.5 }`},
	{"opa", `{ opa_path = "/v1/data/kong/allow" }`,
		`{ opa_host = "opa.internal", opa_port = 8181, opa_path = "/v1/data/kong/allow", include_consumer_in_opa_input = true }`},
	{"opentelemetry", `{}`,
		`{ traces_endpoint = "http://otel:4318/v1/traces", resource_attributes = { "service.name" = "orders" }, sampling_rate = 0.25 }`},
	{"post_function", "", `{ log = ["kong.log.notice('done')"] }`},
	{"pre_function", `{}`, `{ access = ["kong.log.err('hi')"] }`},
	{"prometheus", "", `{ per_consumer = true, status_code_metrics = true, latency_metrics = true }`},
	{"proxy_cache", `{ strategy = "memory" }`,
		`{ strategy = "memory", content_type = ["application/json"], cache_ttl = 60, response_code = [200, 301] }`},
	{"rate_limiting_advanced", `{ limit = [5], window_size = [30] }`,
		`{ limit = [100, 1000], window_size = [60, 3600], window_type = "fixed", identifier = "ip" }`},
	{"redirect", `{ location = "https://example.com/new" }`,
		`{ location = "https://example.com/new", status_code = 308, keep_incoming_path = true }`},
	{"request_size_limiting", `{}`, `{ allowed_payload_size = 10, size_unit = "kilobytes", require_content_length = true }`},
	{"request_transformer_advanced", `{}`, `{ add = { headers = ["X-Env:prod"] }, remove = { querystring = ["debug"] } }`},
	{"response_ratelimiting", `{}`, `{ limits = { sms = { minute = 10 } } }`},
	{"route_by_header", `{}`, `{ rules = [{ condition = { "X-Version" = "2" }, upstream_name = "orders-v2" }] }`},
	{"statsd", `{}`, `{ host = "statsd.internal", port = 8125, prefix = "kong.orders", use_tcp = true }`},
	{"syslog", `{}`, `{ log_level = "warning", facility = "local0" }`},
	{"tcp_log", `{ host = "logs.example.com", port = 5140 }`, `{ host = "logs.example.com", port = 5140, tls = true, timeout = 5000 }`},
	{"udp_log", `{ host = "logs.example.com", port = 5141 }`, `{ host = "logs.example.com", port = 5141, timeout = 3000 }`},
	{"upstream_timeout", `{}`, `{ connect_timeout = 2000, read_timeout = 10000, send_timeout = 10000 }`},
	{"zipkin", `{}`, `{ http_endpoint = "http://zipkin:9411/api/v2/spans", sample_ratio = 0.5, default_service_name = "orders" }`},
}

func pluginSamplesConfig(cp string, realistic bool) string {
	var b strings.Builder
	b.WriteString(providerConfig(testEmulator))
	for _, s := range pluginSamples {
		config := s.minimal
		if realistic {
			config = s.realistic
		}
		fmt.Fprintf(&b, "resource \"konnect_gateway_plugin_%s\" \"this\" {\n  control_plane_id = %q\n", s.resource, cp)
		if realistic {
			b.WriteString("  tags = [\"sample\"]\n  instance_name = \"" + strings.ReplaceAll(s.resource, "_", "-") + "-sample\"\n")
			b.WriteString("  " + pluginSampleExtras[s.resource] + "\n")
		}
		if config != "" {
			b.WriteString("  config = " + config + "\n")
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// Plugins the emulator's data plane does not run plan, apply, update, reset and import like
// the others: with config left out, {} or the required fields, then realistic settings, then
// back (every field left out returns to its default). The testing framework plans again
// after each apply and fails on any difference, so server defaults never show as a diff.
func TestAccGatewayPluginsNotRun(t *testing.T) {
	if len(pluginSamples) < 20 {
		t.Fatalf("only %d samples", len(pluginSamples))
	}
	cp := newControlPlane(t)
	const otel = "konnect_gateway_plugin_opentelemetry.this"
	minimal := pluginSamplesConfig(cp, false)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: minimal, Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(otel, "config.sampling_strategy", "parent_drop_probability_fallback"),
				resource.TestCheckResourceAttr("konnect_gateway_plugin_syslog.this", "config.log_level", "info"),
				resource.TestCheckResourceAttr("konnect_gateway_plugin_prometheus.this", "config.per_consumer", "false"),
				resource.TestCheckResourceAttr("konnect_gateway_plugin_zipkin.this", "config.propagation.default_format", "b3"),
			)},
			{Config: pluginSamplesConfig(cp, true), Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(otel, "config.sampling_rate", "0.25"),
				checkPluginNames(t, cp),
				checkAPI(t, "konnect_gateway_plugin_syslog.this", "plugins", func(e map[string]any) error {
					before, _ := e["ordering"].(map[string]any)["before"].(map[string]any)
					if e["condition"] != `http.path ^= "/orders"` || before["access"].([]any)[0] != "rate-limiting" {
						return fmt.Errorf("condition and ordering not stored: %v", e)
					}
					return nil
				}),
				checkAPI(t, otel, "plugins", func(e map[string]any) error {
					cfg := e["config"].(map[string]any)
					attrs, _ := cfg["resource_attributes"].(map[string]any)
					if attrs["service.name"] != "orders" || e["instance_name"] != "opentelemetry-sample" {
						return fmt.Errorf("stored %v", e)
					}
					return nil
				}),
			)},
			{Config: minimal, Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("konnect_gateway_plugin_syslog.this", "config.log_level", "info"),
				resource.TestCheckNoResourceAttr(otel, "config.sampling_rate"),
				checkAPI(t, otel, "plugins", func(e map[string]any) error {
					if e["instance_name"] != nil || e["config"].(map[string]any)["traces_endpoint"] != nil {
						return fmt.Errorf("not reset: %v", e)
					}
					return nil
				}),
			)},
			{
				ResourceName: "konnect_gateway_plugin_http_log.this", ImportState: true, ImportStateVerify: true,
				ImportStateIdFunc:                    importID("konnect_gateway_plugin_http_log.this", "control_plane_id", "id"),
				ImportStateVerifyIdentifierAttribute: "id",
			},
		},
	})
}

// checkPluginNames checks that every sample is stored as a plugin of its own name.
func checkPluginNames(t *testing.T, cp string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		var list struct{ Data []map[string]any }
		apiCall(t, http.MethodGet, "/v2/control-planes/"+cp+"/core-entities/plugins?size=1000", nil, &list, http.StatusOK)
		var names, want []string
		for _, p := range list.Data {
			names = append(names, p["name"].(string))
		}
		for _, s := range pluginSamples {
			want = append(want, strings.ReplaceAll(s.resource, "_", "-"))
		}
		sort.Strings(names)
		sort.Strings(want)
		if !slices.Equal(names, want) {
			return fmt.Errorf("stored plugins %v, want %v", names, want)
		}
		return nil
	}
}

// A generated plugin's bad config is reported at plan time on the attribute at fault, with
// Kong's words, before any call.
func TestAccGatewayPluginGeneratedInvalidConfig(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(testEmulator) + `
resource "konnect_gateway_plugin_syslog" "this" {
  control_plane_id = "6f4c3b46-5c3f-4f44-9a43-2d1d3c2b1a00"
  config = { log_level = "loud" }
}
resource "konnect_gateway_plugin_http_log" "this" {
  control_plane_id = "6f4c3b46-5c3f-4f44-9a43-2d1d3c2b1a00"
  config = { method = "GET" }
}
`,
			PlanOnly: true,
			ExpectError: regexp.MustCompile(`(?s)(config.log_level: expected one of: alert, crit, debug, emerg, err,.*` +
				`with konnect_gateway_plugin_syslog.this,.*config.http_endpoint: required field missing)|` +
				`(config.http_endpoint: required field missing.*config.log_level: expected one of)`),
		}},
	})
}

// A cross-field rule Kong keeps in Lua, hand-written beside the generated definition, is
// reported at plan time too.
func TestAccGatewayPluginGeneratedCrossFieldRule(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(testEmulator) + `
resource "konnect_gateway_plugin_rate_limiting_advanced" "this" {
  control_plane_id = "6f4c3b46-5c3f-4f44-9a43-2d1d3c2b1a00"
  config = { limit = [5, 50], window_size = [30] }
}
`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`You must provide the same number of windows and limits`),
		}},
	})
}
