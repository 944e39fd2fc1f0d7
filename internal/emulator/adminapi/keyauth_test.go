package adminapi_test

import (
	"net/http"
	"testing"
)

// Kong's key-auth getting-started guide, with its curl --data bodies, against the Admin API;
// the traffic goes through the default control plane's proxy.
func TestKeyAuthGuide(t *testing.T) {
	t.Parallel()
	emu := start(t, adminRBACOff)
	admin, proxy := emu.AdminURL, emu.ProxyURL
	echo := emu.URL + "/_emulator/echo"

	expect(t, call(t, http.MethodPost, admin+"/services", form("name=example_service", "url="+echo)), http.StatusCreated)
	expect(t, call(t, http.MethodPost, admin+"/services/example_service/routes", form("name=example_route", "paths[]=/mock")), http.StatusCreated)
	expect(t, call(t, http.MethodGet, proxy+"/mock", nil), http.StatusOK)

	expect(t, call(t, http.MethodPost, admin+"/consumers/", form("username=luka")), http.StatusCreated)
	cred := expect(t, call(t, http.MethodPost, admin+"/consumers/luka/key-auth", form("key=top-secret-key")), http.StatusCreated).json(t)
	if cred["key"] != "top-secret-key" {
		t.Fatalf("credential: %v", cred)
	}

	global := expect(t, call(t, http.MethodPost, admin+"/plugins/", form("name=key-auth", "config.key_names=apikey")), http.StatusCreated).json(t)
	names, _ := global["config"].(map[string]any)["key_names"].([]any)
	if len(names) != 1 || names[0] != "apikey" {
		t.Fatalf("config.key_names=apikey should be a list of one: %v", global["config"])
	}
	checkKeyAuth(t, proxy+"/mock")

	// Scoped to the service, then to the route, instead of globally.
	expect(t, call(t, http.MethodDelete, admin+"/plugins/"+global["id"].(string), nil), http.StatusNoContent)
	expect(t, call(t, http.MethodGet, proxy+"/mock", nil), http.StatusOK)
	svc := expect(t, call(t, http.MethodPost, admin+"/services/example_service/plugins", form("name=key-auth")), http.StatusCreated).json(t)
	checkKeyAuth(t, proxy+"/mock")
	expect(t, call(t, http.MethodDelete, admin+"/services/example_service/plugins/"+svc["id"].(string), nil), http.StatusNoContent)
	route := expect(t, call(t, http.MethodPost, admin+"/routes/example_route/plugins", form("name=key-auth", "config.key_names=apikey")), http.StatusCreated).json(t)
	checkKeyAuth(t, proxy+"/mock")

	// Turned off: no key needed.
	patched := expect(t, call(t, http.MethodPatch, admin+"/plugins/"+route["id"].(string), form("enabled=false")), http.StatusOK).json(t)
	if patched["enabled"] != false || patched["config"].(map[string]any)["key_names"].([]any)[0] != "apikey" {
		t.Fatalf("PATCH enabled=false: %v", patched)
	}
	expect(t, call(t, http.MethodGet, proxy+"/mock", nil), http.StatusOK)
}

// checkKeyAuth: 401 without a key and with a wrong one, 200 with luka's.
func checkKeyAuth(t *testing.T, u string) {
	t.Helper()
	if a := expect(t, call(t, http.MethodGet, u, nil), http.StatusUnauthorized); a.json(t)["message"] != "No API key found in request" {
		t.Fatalf("without a key: %s", a.body)
	}
	if a := expect(t, call(t, http.MethodGet, u, nil, "apikey", "wrong-key"), http.StatusUnauthorized); a.json(t)["message"] != "Unauthorized" {
		t.Fatalf("with a wrong key: %s", a.body)
	}
	a := expect(t, call(t, http.MethodGet, u, nil, "apikey", "top-secret-key"), http.StatusOK)
	headers, _ := a.json(t)["headers"].(map[string]any)
	if got, _ := headers["X-Consumer-Username"].([]any); len(got) != 1 || got[0] != "luka" {
		t.Fatalf("the upstream should see luka: %s", a.body)
	}
}
