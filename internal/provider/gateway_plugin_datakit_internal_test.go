package provider

import (
	"reflect"
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
	renderDatakitConfig(entity, map[string]any{"config": configured})
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
	renderDatakitConfig(entity, nil)
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
	renderDatakitConfig(entity, map[string]any{"config": prior})
	want = map[string]any{"nodes": []any{
		map[string]any{"call": map[string]any{"name": "CALL", "url": "http://token.example/token", "method": "POST"}},
		map[string]any{"name": "DONE", "type": "exit", "inputs": map[string]any{"body": "CALL.body"}},
	}}
	if !reflect.DeepEqual(entity["config"], want) {
		t.Fatalf("drifted config = %v, want %v", entity["config"], want)
	}
}
