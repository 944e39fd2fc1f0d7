package sidecar

import (
	"encoding/json"
	"net/http"
	"testing"
)

func trafficPermissionResource(t testing.TB, name string, spec map[string]any) json.RawMessage {
	return mustJSON(t, map[string]any{"type": "MeshTrafficPermission", "mesh": "m", "name": name, "spec": spec})
}

func from(kind, name, action string) map[string]any {
	ref := map[string]any{"kind": kind}
	if name != "" {
		ref["name"] = name
	}
	return map[string]any{"targetRef": ref, "default": map[string]any{"action": action}}
}

// TestTrafficPermissionDenyWinsOverOPA: a MeshTrafficPermission that denies refuses the request
// before a MeshOPA that allows everything is asked.
func TestTrafficPermissionDenyWinsOverOPA(t *testing.T) {
	t.Parallel()
	tm := newTestMesh(t)
	tm.apply(Resources{
		MeshOPAs: []json.RawMessage{opaResource(t, "allow-all", map[string]any{
			"agentConfig":    map[string]any{"inlineString": "decision_logs:\n  console: true\n"},
			"appendPolicies": []any{map[string]any{"rego": map[string]any{"inlineString": allowAll}}},
		})},
		TrafficPermissions: []json.RawMessage{trafficPermissionResource(t, "deny-all", map[string]any{
			"targetRef": map[string]any{"kind": "Mesh"}, "from": []any{from("Mesh", "", "Deny")},
		})},
	})
	status, h, body := tm.do(call{headers: map[string]string{TagsHeader: TagsHeaderValue(map[string]string{"kuma.io/service": "web"})}})
	if status != http.StatusForbidden || body != "RBAC: access denied" || h.Get("Server") != "envoy" {
		t.Fatalf("status %d body %q", status, body)
	}
	if got := tm.m.Listeners("cp", "m", "dp-1")[0].MeshTrafficPermissions; len(got) != 1 || got[0] != "deny-all" {
		t.Errorf("listener reports permissions %v", got)
	}
}

// TestTrafficPermissionSources: the most specific from[] entry matching the client decides; a
// client nothing admits, or one from outside the mesh, is refused.
func TestTrafficPermissionSources(t *testing.T) {
	t.Parallel()
	tm := newTestMesh(t)
	tm.apply(Resources{TrafficPermissions: []json.RawMessage{
		trafficPermissionResource(t, "mesh-default", map[string]any{
			"targetRef": map[string]any{"kind": "Mesh"}, "from": []any{from("Mesh", "", "Deny")},
		}),
		trafficPermissionResource(t, "echo-clients", map[string]any{
			"targetRef": map[string]any{"kind": "MeshService", "name": "echo"},
			"from": []any{
				from("MeshService", "web", "Allow"),
				from("MeshService", "canary", "AllowWithShadowDeny"),
				map[string]any{"targetRef": map[string]any{"kind": "MeshServiceSubset", "name": "web", "tags": map[string]string{"version": "bad"}},
					"default": map[string]any{"action": "Deny"}},
			},
		}),
		trafficPermissionResource(t, "spiffe", map[string]any{
			"targetRef": map[string]any{"kind": "Dataplane", "labels": map[string]string{"app": "echo"}},
			"rules": []any{map[string]any{"default": map[string]any{
				"allow": []any{map[string]any{"spiffeID": map[string]any{"type": "Exact", "value": "spiffe://m/batch"}}},
				"deny":  []any{map[string]any{"spiffeID": map[string]any{"type": "Prefix", "value": "spiffe://m/evil"}}},
			}}},
		}),
	}})
	cases := []struct {
		name string
		tags map[string]string
		want int
	}{
		{"outside the mesh", nil, http.StatusForbidden},
		{"web", map[string]string{"kuma.io/service": "web", "version": "v1"}, http.StatusOK},
		{"web version bad (more specific deny)", map[string]string{"kuma.io/service": "web", "version": "bad"}, http.StatusForbidden},
		{"canary (shadow deny)", map[string]string{"kuma.io/service": "canary"}, http.StatusOK},
		{"other", map[string]string{"kuma.io/service": "other"}, http.StatusForbidden},
		{"batch by SPIFFE ID", map[string]string{"kuma.io/service": "batch"}, http.StatusOK},
		{"evil by SPIFFE prefix", map[string]string{"kuma.io/service": "evil-2"}, http.StatusForbidden},
	}
	for _, c := range cases {
		headers := map[string]string{}
		if c.tags != nil {
			headers[TagsHeader] = TagsHeaderValue(c.tags)
		}
		if status, _, body := tm.do(call{headers: headers}); status != c.want {
			t.Errorf("%s: status %d, want %d (%s)", c.name, status, c.want, body)
		}
	}
}
