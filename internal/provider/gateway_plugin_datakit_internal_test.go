package provider

import (
	"reflect"
	"strings"
	"testing"
)

// A server that fills in Kong's defaults (a call's method and ssl_verify, an exit's status,
// debug) gives back a config that means the configured one: the state keeps the configured
// form, each node in its shape.
func TestRenderDatakitConfigKeepsConfiguredForm(t *testing.T) {
	configured := map[string]any{
		"debug": nil, "resources": nil,
		"nodes": []any{
			map[string]any{"call": map[string]any{"name": "CALL", "url": "http://token.example/token"}},
			map[string]any{"name": "DONE", "type": "exit", "inputs": map[string]any{"body": "CALL.body"}},
		},
	}
	server := map[string]any{
		"debug": false,
		"nodes": []any{
			map[string]any{"name": "CALL", "type": "call", "url": "http://token.example/token", "method": "GET", "ssl_verify": true},
			map[string]any{"name": "DONE", "type": "exit", "inputs": map[string]any{"body": "CALL.body"}, "status": 200},
		},
	}
	entity := map[string]any{"config": server}
	renderDatakitConfig(entity, map[string]any{"config": configured}, nil)
	if !reflect.DeepEqual(entity["config"], configured) {
		t.Fatalf("state config = %v, want the configured %v", entity["config"], configured)
	}
}

// With no prior config (an import) or a change made outside Terraform, the server's config
// goes to state without the fields that only repeat a default, each node in the shape the
// prior config used (flat when none).
func TestRenderDatakitConfigFromServer(t *testing.T) {
	server := func(method string) map[string]any {
		return map[string]any{
			"debug": false,
			"nodes": []any{
				map[string]any{"name": "CALL", "type": "call", "url": "http://token.example/token", "method": method, "ssl_verify": true},
				map[string]any{"name": "DONE", "type": "exit", "inputs": map[string]any{"body": "CALL.body"}, "status": 200},
			},
		}
	}
	entity := map[string]any{"config": server("GET")}
	renderDatakitConfig(entity, nil, nil)
	want := map[string]any{"nodes": []any{
		map[string]any{"name": "CALL", "type": "call", "url": "http://token.example/token"},
		map[string]any{"name": "DONE", "type": "exit", "inputs": map[string]any{"body": "CALL.body"}},
	}}
	if !reflect.DeepEqual(entity["config"], want) {
		t.Fatalf("imported config = %v, want %v", entity["config"], want)
	}

	prior := map[string]any{"nodes": []any{
		map[string]any{"call": map[string]any{"name": "CALL", "url": "http://token.example/token"}},
		map[string]any{"name": "DONE", "type": "exit", "inputs": map[string]any{"body": "CALL.body"}},
	}}
	entity = map[string]any{"config": server("POST")}
	renderDatakitConfig(entity, map[string]any{"config": prior}, nil)
	want = map[string]any{"nodes": []any{
		map[string]any{"call": map[string]any{"name": "CALL", "url": "http://token.example/token", "method": "POST"}},
		map[string]any{"name": "DONE", "type": "exit", "inputs": map[string]any{"body": "CALL.body"}},
	}}
	if !reflect.DeepEqual(entity["config"], want) {
		t.Fatalf("drifted config = %v, want %v", entity["config"], want)
	}
}

// The import id's optional nodes_shape takes only the shapes there are, and the required keys
// are still required.
func TestDatakitImportHints(t *testing.T) {
	hints := map[string][]string{nodesShapeHint: {"flat", "keyed"}}
	keys := []string{"control_plane_id", "id"}
	got, err := parseImportIDWithHints(`{"control_plane_id":"a","id":"b","nodes_shape":"keyed"}`, keys, hints)
	if err != nil || got["nodes_shape"] != "keyed" || got["id"] != "b" {
		t.Fatalf("got %v, %v", got, err)
	}
	if _, err := parseImportIDWithHints(`{"control_plane_id":"a","id":"b","nodes_shape":"round"}`, keys, hints); err == nil || !strings.Contains(err.Error(), `"flat", "keyed"`) {
		t.Fatalf("a shape that does not exist: %v", err)
	}
	if _, err := parseImportIDWithHints(`{"id":"b","nodes_shape":"flat"}`, keys, hints); err == nil || !strings.Contains(err.Error(), "control_plane_id") {
		t.Fatalf("a missing control plane: %v", err)
	}
	keyed := map[string]any{"config": map[string]any{"nodes": []any{map[string]any{"name": "A", "type": "jq", "jq": "."}}}}
	renderDatakitConfig(keyed, nil, map[string]string{nodesShapeHint: "keyed"})
	if n := keyed["config"].(map[string]any)["nodes"].([]any)[0].(map[string]any); n["jq"] == nil || n["name"] != nil {
		t.Fatalf("the hint did not key the node by its type: %v", n)
	}
}
