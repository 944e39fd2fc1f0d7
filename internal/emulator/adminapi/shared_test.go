package adminapi_test

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator"
)

// What the Admin API writes the Konnect API shows, and the other way round: one store.
func TestBothAPIsShareTheStore(t *testing.T) {
	t.Parallel()
	emu := start(t, adminRBACOff)
	konnect := emu.URL + "/v2/control-planes/" + emu.DefaultControlPlaneID() + "/core-entities"
	bearer := []string{"Authorization", "Bearer " + emulator.DevelopmentToken}

	c := expect(t, call(t, http.MethodPost, emu.AdminURL+"/consumers", form("username=alice", "tags[]=a")), http.StatusCreated).json(t)
	got := expect(t, call(t, http.MethodGet, konnect+"/consumers/"+c["id"].(string), nil, bearer...), http.StatusOK).json(t)
	if got["username"] != "alice" {
		t.Fatalf("Konnect API: %v", got)
	}
	expect(t, call(t, http.MethodPost, konnect+"/consumers/alice/key-auth", `{"key":"from-konnect"}`, bearer...), http.StatusCreated)
	creds := expect(t, call(t, http.MethodGet, emu.AdminURL+"/consumers/alice/key-auth", nil), http.StatusOK).json(t)
	if data := creds["data"].([]any); len(data) != 1 || data[0].(map[string]any)["key"] != "from-konnect" {
		t.Fatalf("Admin API: %v", creds)
	}
	// The emulator's own description of the default control plane names the Admin API.
	info := expect(t, call(t, http.MethodGet, emu.URL+"/_emulator/control-planes/"+emu.DefaultControlPlaneID(), nil, bearer...), http.StatusOK).json(t)
	if info["admin_url"] != emu.AdminURL {
		t.Fatalf("admin_url %v, want %s", info["admin_url"], emu.AdminURL)
	}
}

// Pages as Kong's: size, then next (a path with the offset) until it is null; every entity once.
func TestPagination(t *testing.T) {
	t.Parallel()
	emu := start(t, adminRBACOff)
	for i := range 5 {
		expect(t, call(t, http.MethodPut, emu.AdminURL+"/consumers/user-"+strconv.Itoa(i), form("custom_id=c"+strconv.Itoa(i))), http.StatusOK)
	}
	seen := map[string]bool{}
	next, pages := "/consumers?size=2", 0
	for next != "" {
		page := expect(t, call(t, http.MethodGet, emu.AdminURL+next, nil), http.StatusOK).json(t)
		pages++
		for _, x := range page["data"].([]any) {
			name := x.(map[string]any)["username"].(string)
			if seen[name] {
				t.Fatalf("%s twice", name)
			}
			seen[name] = true
		}
		next = ""
		if n, ok := page["next"].(string); ok {
			if !strings.HasPrefix(n, "/consumers?") || !strings.Contains(n, "offset="+page["offset"].(string)) {
				t.Fatalf("next %q, offset %v", n, page["offset"])
			}
			next = n
		}
	}
	if len(seen) != 5 || pages != 3 {
		t.Fatalf("%d consumers in %d pages", len(seen), pages)
	}
}

// JSON bodies, PUT upserts by name, PATCH merges a plugin's config, GET by name or id.
func TestWritesByNameAndPatch(t *testing.T) {
	t.Parallel()
	emu := start(t, adminRBACOff)
	a := emu.AdminURL
	expect(t, call(t, http.MethodPut, a+"/services/billing", `{"url":"https://billing.internal:8443/v1"}`), http.StatusOK)
	svc := expect(t, call(t, http.MethodGet, a+"/services/billing", nil), http.StatusOK).json(t)
	if svc["protocol"] != "https" || svc["host"] != "billing.internal" || svc["port"] != float64(8443) || svc["path"] != "/v1" {
		t.Fatalf("url not expanded: %v", svc)
	}
	expect(t, call(t, http.MethodGet, a+"/services/"+svc["id"].(string), nil), http.StatusOK)
	p := expect(t, call(t, http.MethodPost, a+"/services/billing/plugins", form("name=rate-limiting", "config.minute=5", "config.policy=local")), http.StatusCreated).json(t)
	patched := expect(t, call(t, http.MethodPatch, a+"/plugins/"+p["id"].(string), `{"config":{"hour":100}}`), http.StatusOK).json(t)
	cfg := patched["config"].(map[string]any)
	if cfg["minute"] != float64(5) || cfg["hour"] != float64(100) || cfg["policy"] != "local" {
		t.Fatalf("PATCH should merge config: %v", cfg)
	}
	// PUT replaces: what is not given goes back to its default.
	put := expect(t, call(t, http.MethodPut, a+"/services/billing", form("host=other.internal")), http.StatusOK).json(t)
	if put["id"] != svc["id"] || put["port"] != float64(80) || put["path"] != nil {
		t.Fatalf("PUT: %v", put)
	}
}

// A basic-auth credential PATCHed without a password keeps it; with one, it changes; the
// proxy is the judge.
func TestBasicAuthPatchKeepsPassword(t *testing.T) {
	t.Parallel()
	emu := start(t, adminRBACOff)
	a := emu.AdminURL
	expect(t, call(t, http.MethodPost, a+"/services", form("name=s", "url="+emu.URL+"/_emulator/echo")), http.StatusCreated)
	expect(t, call(t, http.MethodPost, a+"/services/s/routes", form("paths[]=/ba")), http.StatusCreated)
	expect(t, call(t, http.MethodPost, a+"/plugins", form("name=basic-auth")), http.StatusCreated)
	expect(t, call(t, http.MethodPost, a+"/consumers", form("username=ann")), http.StatusCreated)
	cred := expect(t, call(t, http.MethodPost, a+"/consumers/ann/basic-auth", form("username=ann", "password=first")), http.StatusCreated).json(t)
	auth := func(pw string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte("ann:"+pw)) }
	expect(t, call(t, http.MethodGet, emu.ProxyURL+"/ba", nil, "Authorization", auth("first")), http.StatusOK)
	expect(t, call(t, http.MethodPatch, a+"/consumers/ann/basic-auth/"+cred["id"].(string), form("tags[]=patched")), http.StatusOK)
	expect(t, call(t, http.MethodGet, emu.ProxyURL+"/ba", nil, "Authorization", auth("first")), http.StatusOK)
	expect(t, call(t, http.MethodPatch, a+"/consumers/ann/basic-auth/"+cred["id"].(string), form("password=second")), http.StatusOK)
	expect(t, call(t, http.MethodGet, emu.ProxyURL+"/ba", nil, "Authorization", auth("first")), http.StatusUnauthorized)
	expect(t, call(t, http.MethodGet, emu.ProxyURL+"/ba", nil, "Authorization", auth("second")), http.StatusOK)
}
