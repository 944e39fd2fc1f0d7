package opa

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestJWTPolicy runs the documented JWT policy, in both Rego syntaxes, on the requests the
// issue lists.
func TestJWTPolicy(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"jwt_v0.rego", "jwt_v1.rego"} {
		p := compile(t, Module{File: file, Text: readPolicy(t, file)})
		if p.Path != "data.envoy.authz.allow" {
			t.Fatalf("%s: decision path %s", file, p.Path)
		}
		cases := []struct {
			name, method, auth string
			allowed            bool
		}{
			{"no token", http.MethodGet, "", false},
			{"admin token", http.MethodGet, "Bearer " + token(t, "admin", time.Hour), true},
			{"POST with admin token", http.MethodPost, "Bearer " + token(t, "admin", time.Hour), false},
			{"expired token", http.MethodGet, "Bearer " + token(t, "admin", -time.Second), false},
			{"non-admin token", http.MethodGet, "Bearer " + token(t, "guest", time.Hour), false},
			{"wrong key", http.MethodGet, "Bearer " + token(t, "admin", time.Hour)[:20] + "x", false},
		}
		for _, c := range cases {
			d, err := decide(t, p, CheckRequest{Request: request(c.method, "/people", c.auth, "")})
			if err != nil {
				t.Fatalf("%s %s: %v", file, c.name, err)
			}
			if d.Allowed != c.allowed || d.Status != http.StatusForbidden {
				t.Errorf("%s %s: allowed %v status %d, want allowed %v", file, c.name, d.Allowed, d.Status, c.allowed)
			}
		}
	}
}

// TestCompileErrorsNameLineAndOPAMessage: a broken policy fails to compile with OPA's own
// message and the line it is on, in the file named after the appendPolicies entry.
func TestCompileErrorsNameLineAndOPAMessage(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, text, want string }{
		{"v0 parse error", "package envoy.authz\n\ndefault allow = false\n\nallow {\n  input.x ==\n}\n", "opa-1/appendPolicies[0].rego:7: rego_parse_error"},
		{"v1 unsafe var", "package envoy.authz\n\nallow if {\n  x == 1\n}\n", "opa-1/appendPolicies[0].rego:4: rego_unsafe_var_error: var x is unsafe"},
		{"empty", "", "rego_parse_error: empty module"},
	}
	for _, c := range cases {
		_, err := Compile(t.Context(), []Module{{File: "opa-1/appendPolicies[0].rego", Text: c.text}})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
}

// TestCombinedPolicies: several deciding policies must all allow (and none deny); a policy with
// ignoreDecision only supplies rules to the others.
func TestCombinedPolicies(t *testing.T) {
	t.Parallel()
	// The helper is in v0 syntax and the others in v1: one set mixes both, as appended policies may.
	helper := Module{File: "h.rego", IgnoreDecision: true, Text: "package helpers\n\nis_get { input.attributes.request.http.method == \"GET\" }\n"}
	methods := Module{File: "m.rego", Text: "package methods\n\nallow if data.helpers.is_get\n"}
	paths := Module{File: "p.rego", Text: "package paths\n\nallow if input.parsed_path[0] == \"public\"\n\ndeny if input.parsed_query.block[0] == \"yes\"\n"}
	// The helper alone decides nothing, which is an agent failure, not an allow.
	if _, err := Compile(t.Context(), []Module{helper}); err == nil {
		t.Fatal("a set where every policy ignores its decision compiled")
	}
	single := compile(t, helper, methods)
	if single.Path != "data.methods.allow" {
		t.Fatalf("one deciding policy: path %s", single.Path)
	}
	p := compile(t, helper, methods, paths)
	if p.Path != "data.implicitkmesh.allow" {
		t.Fatalf("several deciding policies: path %s", p.Path)
	}
	cases := []struct {
		method, target string
		allowed        bool
	}{
		{http.MethodGet, "/public/x", true},
		{http.MethodPost, "/public/x", false},
		{http.MethodGet, "/private", false},
		{http.MethodGet, "/public/x?block=yes", false},
	}
	for _, c := range cases {
		d, err := decide(t, p, CheckRequest{Request: request(c.method, c.target, "", "")})
		if err != nil || d.Allowed != c.allowed {
			t.Errorf("%s %s: allowed %v err %v, want %v", c.method, c.target, d.Allowed, err, c.allowed)
		}
	}
}

// TestUndefinedDecisionIsAnError: without a default, a rule that does not match leaves the
// decision undefined, which the agent reports as a failure.
func TestUndefinedDecisionIsAnError(t *testing.T) {
	t.Parallel()
	p := compile(t, Module{File: "u.rego", Text: "package envoy.authz\n\nallow if input.attributes.request.http.method == \"PUT\"\n"})
	_, err := decide(t, p, CheckRequest{Request: request(http.MethodGet, "/", "", "")})
	if !errors.Is(err, ErrUndefined) {
		t.Fatalf("err %v, want undefined decision", err)
	}
}
