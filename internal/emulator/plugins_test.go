package emulator_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

func TestPluginConfigIsCompletedWithDefaults(t *testing.T) {
	t.Parallel()
	h := start(t)
	_, svc := h.raw(http.MethodPost, h.core("/services"), `{"name":"p-svc","host":"x.test"}`)
	sid := svc["id"].(string)

	status, rl := h.raw(http.MethodPost, h.core("/services/"+sid+"/plugins"), `{"name":"rate-limiting","config":{"minute":5,"hour":100}}`)
	if status != http.StatusCreated {
		t.Fatalf("create: %d %v", status, rl)
	}
	cfg := rl["config"].(map[string]any)
	checkFields(t, "rate-limiting config", cfg, map[string]any{
		"minute": float64(5), "hour": float64(100), "second": nil, "policy": "local", "limit_by": "consumer",
		"error_code": float64(429), "error_message": "API rate limit exceeded", "fault_tolerant": true,
		"hide_client_headers": false, "sync_rate": float64(-1),
	})
	if port := cfg["redis"].(map[string]any)["port"]; port != float64(6379) {
		t.Errorf("redis.port default = %v", port)
	}
	checkFields(t, "rate-limiting", rl, map[string]any{"enabled": true, "protocols": []any{"grpc", "grpcs", "http", "https"}, "service": map[string]any{"id": sid}})

	// The generated client reads it back as the same object.
	got, err := h.c.GetPluginWithResponse(h.ctx, h.cp, rl["id"].(string), nil)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(got.JSON200.Config)
	b, _ := json.Marshal(cfg)
	if string(a) != string(b) {
		t.Fatalf("read back %s, created %s", a, b)
	}

	status, ka := h.raw(http.MethodPost, h.core("/plugins"), `{"name":"key-auth","config":{"key_names":["x-api-key"]}}`)
	if status != http.StatusCreated {
		t.Fatalf("key-auth: %d %v", status, ka)
	}
	checkFields(t, "key-auth config", ka["config"].(map[string]any), map[string]any{
		"key_names": []any{"x-api-key"}, "key_in_header": true, "key_in_query": true, "key_in_body": false,
		"run_on_preflight": true, "anonymous": nil,
	})
}

func TestPluginConfigErrorsNameTheField(t *testing.T) {
	t.Parallel()
	h := start(t)
	for body, want := range map[string]string{
		`{"name":"rate-limiting","config":{"minute":"five"}}`:                    "config.minute",
		`{"name":"rate-limiting","config":{"minute":5,"policy":"cluster"}}`:      "config.policy",
		`{"name":"rate-limiting","config":{"minute":5,"nope":1}}`:                "config.nope",
		`{"name":"key-auth","config":{"key_names":["bad header"]}}`:              "config.key_names[0]",
		`{"name":"rate-limiting","config":{"minute":5,"redis":{"port":700000}}}`: "config.redis.port",
	} {
		status, answer := h.raw(http.MethodPost, h.core("/plugins"), body)
		if status != http.StatusBadRequest {
			t.Errorf("%s: %d %v", body, status, answer)
			continue
		}
		checkCoreError(t, status, answer, want)
	}
	_, err := h.c.CreatePluginWithResponse(h.ctx, h.cp, client.Plugin{Name: "rate-limiting", Config: &map[string]any{"minute": 10, "hour": 5}})
	if err == nil || !strings.Contains(err.Error(), "The limit for hour(5.0) cannot be lower than the limit for minute(10.0)") {
		t.Fatalf("period order: %v", err)
	}
}
