package emulator_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/openkonnect/terraform-provider-konnect/internal/pluginschema"
)

// Plugins defined from Kong's JSON schemas (internal/pluginschema/*.gen.go) are accepted with
// {} or their required fields, stored complete with Kong's defaults (Konnect's where they
// differ), and listed by /_emulator/plugins as not run.
func TestGeneratedPluginsAreAcceptedWithDefaults(t *testing.T) {
	t.Parallel()
	h := start(t)
	for _, tc := range []struct {
		name, config string
		want         map[string]any // config fields
	}{
		{"prometheus", `{}`, map[string]any{"per_consumer": false, "status_code_metrics": false}},
		{"syslog", `{}`, map[string]any{"log_level": "info", "facility": "user", "successful_severity": "info"}},
		{"zipkin", `{}`, map[string]any{"sample_ratio": 0.001, "traceid_byte_count": 16, "http_endpoint": nil}},
		{"opentelemetry", `{}`, map[string]any{"sampling_strategy": "parent_drop_probability_fallback", "traces_endpoint": nil}},
		{"request-size-limiting", `{}`, map[string]any{"allowed_payload_size": 128, "size_unit": "megabytes"}},
		{"upstream-timeout", `{}`, map[string]any{}},
		{"proxy-cache", `{"strategy":"memory"}`, map[string]any{"cache_ttl": 300, "strategy": "memory"}},
		{"http-log", `{"http_endpoint":"http://logs.test/k"}`, map[string]any{"method": "POST", "timeout": 10000}},
		{"ai-proxy", `{"route_type":"llm/v1/chat","model":{"provider":"openai"}}`, map[string]any{"route_type": "llm/v1/chat"}},
		{"rate-limiting-advanced", `{"limit":[5],"window_size":[30]}`, map[string]any{"window_type": "sliding", "strategy": "local"}},
	} {
		p, ok := pluginschema.Lookup(tc.name)
		if !ok || !p.Generated {
			t.Fatalf("%s is not a generated plugin", tc.name)
		}
		status, answer := h.raw(http.MethodPost, h.core("/plugins"), `{"name":"`+tc.name+`","config":`+tc.config+`}`)
		if status != http.StatusCreated {
			t.Errorf("%s: %d %v", tc.name, status, answer)
			continue
		}
		cfg := answer["config"].(map[string]any)
		checkFields(t, tc.name+" config", cfg, tc.want)
		// Returned complete: every field of the definition is there, null or not.
		for _, f := range p.Config {
			if _, ok := cfg[f.Name]; !ok {
				t.Errorf("%s: config.%s missing from %v", tc.name, f.Name, cfg)
			}
		}
	}
	// Konnect's Redis default applies to generated plugins too.
	_, rla := h.raw(http.MethodGet, h.core("/plugins?size=100"), "")
	for _, e := range rla["data"].([]any) {
		e := e.(map[string]any)
		if e["name"] == "rate-limiting-advanced" {
			if v := e["config"].(map[string]any)["redis"].(map[string]any)["ssl_verify"]; v != false {
				t.Errorf("rate-limiting-advanced redis.ssl_verify = %v", v)
			}
		}
		if e["name"] == "datakit" {
			nodes := e["config"].(map[string]any)["nodes"].([]any)
			if n := nodes[0].(map[string]any); n["name"] != "A" || n["values"].(map[string]any)["x"] != float64(1) {
				t.Errorf("datakit nodes = %v", nodes)
			}
		}
	}

	_, support := h.raw(http.MethodGet, "/_emulator/plugins", "")
	runs := map[string]any{}
	for _, s := range support["data"].([]any) {
		s := s.(map[string]any)
		runs[s["name"].(string)] = s["runs"]
	}
	if len(runs) != 111 {
		t.Errorf("/_emulator/plugins lists %d plugins, want Konnect's 111", len(runs))
	}
	for name, want := range map[string]any{"zipkin": false, "ldap-auth": false, "openid-connect": true, "key-auth": true} {
		if runs[name] != want {
			t.Errorf("%s runs = %v, want %v", name, runs[name], want)
		}
	}
	for _, missing := range []string{"oauth2", "key-auth-enc", "konnect-application-auth"} {
		if _, ok := runs[missing]; ok {
			t.Errorf("%s is listed; Konnect does not offer it", missing)
		}
	}
}

// A generated plugin's config is checked field by field: the error names the field and
// says what Kong says.
func TestGeneratedPluginConfigErrorsNameTheField(t *testing.T) {
	t.Parallel()
	h := start(t)
	for body, want := range map[string]string{
		`{"name":"syslog","config":{"log_level":"loud"}}`:                      "config.log_level",
		`{"name":"zipkin","config":{"traceid_byte_count":7}}`:                  "config.traceid_byte_count",
		`{"name":"zipkin","config":{"sample_ratio":2}}`:                        "config.sample_ratio",
		`{"name":"http-log","config":{}}`:                                      "config.http_endpoint",
		`{"name":"opentelemetry","config":{"queue":{"max_batch_size":"ten"}}}`: "config.queue.max_batch_size",
		`{"name":"prometheus","config":{"nope":true}}`:                         "config.nope",
	} {
		status, answer := h.raw(http.MethodPost, h.core("/plugins"), body)
		if status != http.StatusBadRequest {
			t.Errorf("%s: %d %v", body, status, answer)
			continue
		}
		checkCoreError(t, status, answer, want)
	}
	status, answer := h.raw(http.MethodPost, h.core("/plugins"), `{"name":"syslog","config":{"log_level":"loud"}}`)
	if b, _ := json.Marshal(answer); status != http.StatusBadRequest || !strings.Contains(string(b), "expected one of: alert, crit, debug, emerg, err, info, notice, warning") {
		t.Errorf("bad enum: %d %v", status, answer)
	}
}
