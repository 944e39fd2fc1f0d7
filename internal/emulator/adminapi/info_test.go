package adminapi_test

import (
	"net/http"
	"strings"
	"testing"
)

// GET / and GET /status in Kong's shapes; POST /config goes to the handler installed for it.
func TestInfoStatusAndConfigEntryPoint(t *testing.T) {
	t.Parallel()
	emu := start(t, adminRBACOff)
	a := emu.AdminURL
	expect(t, call(t, http.MethodPost, a+"/plugins", form("name=cors")), http.StatusCreated)
	info := expect(t, call(t, http.MethodGet, a+"/", nil), http.StatusOK).json(t)
	plugins := info["plugins"].(map[string]any)
	if info["edition"] != "enterprise" || info["version"] == "" || info["node_id"] == "" ||
		plugins["available_on_server"].(map[string]any)["key-auth"] == nil || len(plugins["enabled_in_cluster"].([]any)) != 1 {
		t.Fatalf("GET /: %v", info)
	}
	status := expect(t, call(t, http.MethodGet, a+"/status", nil), http.StatusOK).json(t)
	if status["database"].(map[string]any)["reachable"] != true || status["server"].(map[string]any)["total_requests"] == nil {
		t.Fatalf("GET /status: %v", status)
	}
	// The emulator installs its declarative loader, which answers as Kong's DB-less mode;
	// another handler can take its place.
	if got := expect(t, call(t, http.MethodPost, a+"/config", `{}`), http.StatusBadRequest); !strings.Contains(got.body, `"name":"invalid declarative configuration"`) {
		t.Fatalf("POST /config: %s", got.body)
	}
	emu.Admin.SetConfigHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusCreated) }))
	expect(t, call(t, http.MethodPost, a+"/config", `{}`), http.StatusCreated)
}
