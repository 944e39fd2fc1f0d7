package emulator_test

import (
	"net/http"
	"slices"
	"testing"
)

func TestPluginSupportEndpoint(t *testing.T) {
	t.Parallel()
	h := start(t)
	status, out := h.raw(http.MethodGet, "/_emulator/plugins", "")
	if status != http.StatusOK {
		t.Fatalf("%d %v", status, out)
	}
	byName := map[string]map[string]any{}
	for _, p := range out["data"].([]any) {
		p := p.(map[string]any)
		byName[p["name"].(string)] = p
	}
	for _, name := range []string{"key-auth", "basic-auth", "rate-limiting", "cors", "request-transformer"} {
		if byName[name]["runs"] != true {
			t.Errorf("%s: %v", name, byName[name])
		}
	}
	notEnforced := byName["basic-auth"]["not_enforced"].([]any)
	if !slices.Contains(notEnforced, any("brute_force_protection")) {
		t.Errorf("basic-auth not enforced: %v", notEnforced)
	}
	// key-auth reads multipart bodies and rate-limiting syncs every sync_rate: both enforced;
	// key-auth looks consumers up in the control plane only, never in an identity realm.
	keyAuth := byName["key-auth"]["not_enforced"].([]any)
	if slices.Contains(keyAuth, any("key_in_body")) || !slices.Contains(keyAuth, any("identity_realms")) {
		t.Errorf("key-auth not enforced: %v", keyAuth)
	}
	if rl := byName["rate-limiting"]["not_enforced"].([]any); slices.Contains(rl, any("sync_rate")) {
		t.Errorf("rate-limiting not enforced: %v", rl)
	}
}

// TestControlPlaneInfoListsSkippedEntities: a route the gateway cannot serve (a stream route,
// which the API stores but the HTTP-only data plane cannot run) is reported, not ignored.
func TestControlPlaneInfoListsSkippedEntities(t *testing.T) {
	t.Parallel()
	h := start(t)
	svc := h.post("/services", `{"name":"s","host":"example.test","port":9000,"protocol":"tcp"}`)
	route := h.post("/routes", `{"name":"stream","protocols":["tcp"],"destinations":[{"port":9000}],"service":{"id":"`+svc["id"].(string)+`"}}`)
	status, info := h.raw(http.MethodGet, "/_emulator/control-planes/"+h.cp.String(), "")
	if status != http.StatusOK {
		t.Fatalf("%d %v", status, info)
	}
	skipped, _ := info["skipped"].([]any)
	if len(skipped) != 1 || skipped[0].(map[string]any)["id"] != route["id"] || skipped[0].(map[string]any)["kind"] != "routes" {
		t.Fatalf("skipped: %v", info["skipped"])
	}
}
