package sidecar

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// brokenPolicy does not parse: line 5 ends an expression early.
const brokenPolicy = "package envoy.authz\n\ndefault allow = false\n\nallow { input.attributes.request.http.method == }\n"

// TestPolicyFailures: a policy that cannot decide (it does not compile, or its decision is
// malformed) answers statusOnError, or lets the request through with onAgentFailure Allow.
func TestPolicyFailures(t *testing.T) {
	t.Parallel()
	badDecision := "package envoy.authz\n\nallow := {\"http_status\": 401}\n"
	cases := []struct {
		name       string
		policy     string
		authConfig map[string]any
		want       int
	}{
		{"broken, default Deny", brokenPolicy, nil, http.StatusForbidden},
		{"broken, onAgentFailure Deny", brokenPolicy, map[string]any{"onAgentFailure": "Deny"}, http.StatusForbidden},
		{"broken, onAgentFailure Allow", brokenPolicy, map[string]any{"onAgentFailure": "Allow"}, http.StatusOK},
		{"broken, onAgentFailure allow (2.x lowercase)", brokenPolicy, map[string]any{"onAgentFailure": "allow"}, http.StatusOK},
		{"broken, statusOnError 413", brokenPolicy, map[string]any{"statusOnError": 413}, http.StatusRequestEntityTooLarge},
		{"decision without allowed, statusOnError 413", badDecision, map[string]any{"statusOnError": 413}, http.StatusRequestEntityTooLarge},
		{"decision without allowed, onAgentFailure Allow", badDecision, map[string]any{"onAgentFailure": "Allow"}, http.StatusOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			tm := newTestMesh(t)
			tm.apply(Resources{MeshOPAs: []json.RawMessage{opaResource(t, "opa", inlinePolicy(c.policy, c.authConfig))}})
			status, h, body := tm.do(call{})
			if status != c.want {
				t.Fatalf("status %d, want %d (%s)", status, c.want, body)
			}
			if status != http.StatusOK && (body != "" || h.Get("Content-Length") != "0") {
				t.Errorf("refusal has body %q", body)
			}
		})
	}
}

// TestBrokenPolicyIsReported: the listener report says why the policy cannot decide, with the
// file, line and OPA's message.
func TestBrokenPolicyIsReported(t *testing.T) {
	t.Parallel()
	tm := newTestMesh(t)
	tm.apply(Resources{MeshOPAs: []json.RawMessage{opaResource(t, "broken", inlinePolicy(brokenPolicy, nil))}})
	ls := tm.m.Listeners("cp", "m", "dp-1")
	if len(ls) != 1 {
		t.Fatalf("listeners %+v", ls)
	}
	if want := "broken/appendPolicies[0].rego:5: rego_parse_error"; !strings.Contains(ls[0].PolicyError, want) {
		t.Errorf("policy error %q, want it to contain %q", ls[0].PolicyError, want)
	}
	if !strings.Contains(tm.logs.String(), "does not compile") {
		t.Errorf("compile failure not logged: %s", tm.logs.String())
	}
}

// TestMissingSecretIsAnAgentFailure: a policy naming a secret the mesh lacks cannot decide.
func TestMissingSecretIsAnAgentFailure(t *testing.T) {
	t.Parallel()
	tm := newTestMesh(t)
	tm.apply(Resources{MeshOPAs: []json.RawMessage{opaResource(t, "opa", map[string]any{
		"appendPolicies": []any{map[string]any{"rego": map[string]any{"secret": "nope"}}},
		"authConfig":     map[string]any{"statusOnError": 503},
	})}})
	if status, _, _ := tm.do(call{}); status != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", status)
	}
	if ls := tm.m.Listeners("cp", "m", "dp-1"); !strings.Contains(ls[0].PolicyError, `secret "nope" not found`) {
		t.Errorf("policy error %q", ls[0].PolicyError)
	}
}
