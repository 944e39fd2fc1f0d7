package sidecar

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

// checkJWTPolicy sends the five requests through dp-1's sidecar.
func checkJWTPolicy(t *testing.T, tm *testMesh) {
	t.Helper()
	cases := []struct {
		name, method, auth string
		want               int
	}{
		{"no token", http.MethodGet, "", http.StatusForbidden},
		{"valid admin token", http.MethodGet, bearer(t, "admin", time.Hour), http.StatusOK},
		{"POST with the admin token", http.MethodPost, bearer(t, "admin", time.Hour), http.StatusForbidden},
		{"expired token", http.MethodGet, bearer(t, "admin", -time.Second), http.StatusForbidden},
		{"non-admin role", http.MethodGet, bearer(t, "guest", time.Hour), http.StatusForbidden},
	}
	for _, c := range cases {
		status, h, body := tm.do(call{method: c.method, headers: map[string]string{"Authorization": c.auth}})
		if status != c.want {
			t.Errorf("%s: status %d, want %d (%s)", c.name, status, c.want, body)
			continue
		}
		if c.want == http.StatusForbidden {
			// Envoy's ext_authz deny: an empty body.
			if body != "" || h.Get("Content-Length") != "0" || h.Get("Server") != "envoy" {
				t.Errorf("%s: deny body %q content-length %q server %q", c.name, body, h.Get("Content-Length"), h.Get("Server"))
			}
			continue
		}
		var e echoReply
		if err := json.Unmarshal([]byte(body), &e); err != nil || e.Path != "/people" || e.Headers.Get("Authorization") != c.auth {
			t.Errorf("%s: the service saw %+v (%v)", c.name, e, err)
		}
	}
}

// TestJWTPolicyInline: the documented JWT policy given as rego.inlineString decides.
func TestJWTPolicyInline(t *testing.T) {
	t.Parallel()
	tm := newTestMesh(t)
	tm.apply(Resources{MeshOPAs: []json.RawMessage{opaResource(t, "jwt", inlinePolicy(readPolicy(t, "jwt_v0.rego"), nil))}})
	checkJWTPolicy(t, tm)
}

// TestJWTPolicyFromOtherSources: the same policy from a mesh secret (rego.secret and the Kong
// Mesh 2.x appendPolicies[].secret), from base64 rego.inline and 2.x appendPolicies[].inlineString.
func TestJWTPolicyFromOtherSources(t *testing.T) {
	t.Parallel()
	text := readPolicy(t, "jwt_v0.rego")
	sources := map[string]map[string]any{
		"rego.secret":        {"rego": map[string]any{"secret": "jwt-policy"}},
		"secret (2.x)":       {"secret": "jwt-policy"},
		"rego.inline":        {"rego": map[string]any{"inline": base64.StdEncoding.EncodeToString([]byte(text))}},
		"inlineString (2.x)": {"inlineString": text},
	}
	for name, entry := range sources {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tm := newTestMesh(t)
			tm.apply(Resources{
				MeshOPAs: []json.RawMessage{opaResource(t, "jwt", map[string]any{"appendPolicies": []any{entry}})},
				Secrets:  []json.RawMessage{meshSecret(t, "jwt-policy", []byte(text))},
			})
			checkJWTPolicy(t, tm)
		})
	}
}

// TestRegoV0AndV1: the policy in either syntax makes the same decisions.
func TestRegoV0AndV1(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"jwt_v0.rego", "jwt_v1.rego"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			tm := newTestMesh(t)
			tm.apply(Resources{MeshOPAs: []json.RawMessage{opaResource(t, "jwt", inlinePolicy(readPolicy(t, file), nil))}})
			checkJWTPolicy(t, tm)
		})
	}
}
