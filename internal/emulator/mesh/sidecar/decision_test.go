package sidecar

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// objectPolicy answers with the object form: a 401 with a body and a header without a user,
// and on allow, a header for the service, one for the client, and the credential removed.
const objectPolicy = `package envoy.authz

user := input.attributes.request.http.headers["x-user"]

default allow := {
	"allowed": false,
	"http_status": 401,
	"body": "{\"message\":\"who are you?\"}",
	"headers": {"www-authenticate": "Bearer realm=\"mesh\"", "content-type": "application/json"},
}

allow := {
	"allowed": true,
	"headers": {"x-checked-user": user},
	"response_headers_to_add": {"x-authorized-by": "opa"},
	"request_headers_to_remove": ["x-user"],
	"query_parameters_to_remove": ["debug"],
} if user != ""
`

// TestDecisionObject: http_status, body and headers of a deny reach the client; an allow's
// headers reach the service, response_headers_to_add the client.
func TestDecisionObject(t *testing.T) {
	t.Parallel()
	tm := newTestMesh(t)
	tm.apply(Resources{MeshOPAs: []json.RawMessage{opaResource(t, "object", map[string]any{
		"agentConfig":    map[string]any{"inlineString": "decision_logs:\n  console: true\nbundles:\n  authz:\n    resource: bundle.tar.gz\n    service: acme\nservices:\n  acme:\n    url: https://example.com\n"},
		"appendPolicies": []any{map[string]any{"rego": map[string]any{"inlineString": objectPolicy}}},
	})}})

	status, h, body := tm.do(call{})
	if status != http.StatusUnauthorized || body != `{"message":"who are you?"}` ||
		h.Get("Www-Authenticate") != `Bearer realm="mesh"` || h.Get("Content-Type") != "application/json" {
		t.Fatalf("deny: %d %v %s", status, h, body)
	}

	status, h, body = tm.do(call{path: "/people?debug=1&keep=2", headers: map[string]string{"X-User": "alice"}})
	var e echoReply
	if status != http.StatusOK || json.Unmarshal([]byte(body), &e) != nil {
		t.Fatalf("allow: %d %s", status, body)
	}
	if e.Headers.Get("X-Checked-User") != "alice" || e.Headers.Get("X-User") != "" || e.Path != "/people?keep=2" {
		t.Errorf("the service saw %+v", e)
	}
	if h.Get("X-Authorized-By") != "opa" {
		t.Errorf("client headers %v", h)
	}

	// decision_logs.console logged both decisions; the rest of agentConfig is listed, not dropped.
	if n := strings.Count(tm.logs.String(), `"msg":"Decision Log"`); n != 2 {
		t.Errorf("%d decisions logged, want 2:\n%s", n, tm.logs.String())
	}
	ne := strings.Join(tm.m.Listeners("cp", "m", "dp-1")[0].NotEnforced, "\n")
	for _, want := range []string{"agentConfig.bundles", "agentConfig.services"} {
		if !strings.Contains(ne, want) {
			t.Errorf("not enforced %q lacks %s", ne, want)
		}
	}
}
