package emulator_test

import (
	"net/http"
	"slices"
	"testing"
)

// TestEntitySupportEndpoint: GET /_emulator/entities lists what the data plane stores without
// enforcing, behind the API's token like the other emulator endpoints.
func TestEntitySupportEndpoint(t *testing.T) {
	t.Parallel()
	h := start(t)
	if status, _ := h.raw(http.MethodGet, "/_emulator/entities", "", ""); status != http.StatusUnauthorized {
		t.Fatalf("without a token: %d", status)
	}
	status, out := h.raw(http.MethodGet, "/_emulator/entities", "")
	if status != http.StatusOK {
		t.Fatalf("%d %v", status, out)
	}
	byKind := map[string]map[string]any{}
	for _, e := range out["data"].([]any) {
		e := e.(map[string]any)
		byKind[e["kind"].(string)] = e
	}
	for kind, field := range map[string]string{"routes": "response_buffering", "services": "tls_sans", "upstreams": "use_srv_name"} {
		notEnforced, _ := byKind[kind]["not_enforced"].([]any)
		if byKind[kind]["applied"] != true || !slices.Contains(notEnforced, any(field)) {
			t.Errorf("%s: %v", kind, byKind[kind])
		}
	}
	for _, kind := range []string{"vaults", "keys", "key-sets"} {
		if byKind[kind]["applied"] != false || byKind[kind]["why"] == "" {
			t.Errorf("%s: %v", kind, byKind[kind])
		}
	}
	// The HTTPS listener serves certificates by SNI; upstream TLS and mtls-auth use
	// certificates and CA certificates: none of these kinds is listed as not enforced.
	for _, kind := range []string{"certificates", "snis", "ca_certificates"} {
		if e, listed := byKind[kind]; listed {
			t.Errorf("%s: %v", kind, e)
		}
	}
}
