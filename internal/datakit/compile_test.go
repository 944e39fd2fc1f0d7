package datakit

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// Configs Kong refuses when the plugin is written: each error names the node and the field.
func TestCompileRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		config string
		index  int // -1: not about one node
		node   string
		field  string
		msg    string
	}{
		{"cycle", `{"nodes":[
			{"name":"A","type":"jq","jq":".","input":"B"},
			{"name":"B","type":"jq","jq":".","input":"A"}]}`,
			0, "A", "", `invalid dependency (node #1 (A) -> node B): circular dependency`},
		{"dangling reference", `{"nodes":[{"name":"FILTER","type":"jq","jq":".","input":"MISSING.body"}]}`,
			0, "FILTER", "input", `invalid connection ("MISSING.body" -> "FILTER"): unknown node "MISSING"`},
		{"dangling output", `{"nodes":[{"name":"S","type":"static","values":{"a":1},"output":"NOWHERE"}]}`,
			0, "S", "output", `unknown node "NOWHERE"`},
		{"unknown field", `{"nodes":[{"name":"A","type":"jq","jq":".","colour":"red"}]}`,
			0, "A", "colour", "unknown field"},
		{"field of another node type", `{"nodes":[{"name":"A","type":"jq","jq":".","url":"http://x"}]}`,
			0, "A", "url", "unknown field for a jq node (it belongs to call nodes)"},
		{"null field of another type is fine, an unknown null is not", `{"nodes":[{"name":"A","type":"jq","jq":".","url":null,"colour":null}]}`,
			0, "A", "colour", "unknown field"},
		{"missing required", `{"nodes":[{"name":"X","type":"static","values":{}},{"name":"Q","type":"jq"}]}`,
			1, "Q", "jq", "required field missing"},
		{"unknown type", `{"nodes":[{"name":"H","type":"handlebars"}]}`, 0, "H", "type", `unknown node type "handlebars"`},
		{"reserved name", `{"nodes":[{"name":"request","type":"static","values":{}}]}`, 0, "request", "name", "reserved"},
		{"invalid name", `{"nodes":[{"name":"a b","type":"static","values":{}}]}`, 0, "a b", "name", "invalid name"},
		{"duplicate name", `{"nodes":[{"name":"A","type":"static","values":{}},{"name":"A","type":"static","values":{}}]}`,
			1, "A", "name", "duplicate node name"},
		{"long name", `{"nodes":[{"name":"` + strings.Repeat("a", 256) + `","type":"static","values":{}}]}`,
			0, strings.Repeat("a", 256), "name", "length must be between 1 and 255"},
		{"exit status range", `{"nodes":[{"name":"E","type":"exit","status":100}]}`, 0, "E", "status", "between 200 and 599"},
		{"call timeout range", `{"nodes":[{"name":"C","type":"call","url":"http://x","timeout":-1}]}`, 0, "C", "timeout", "between 0 and 2147483646"},
		{"call method case", `{"nodes":[{"name":"C","type":"call","url":"http://x","method":"get"}]}`, 0, "C", "method", "uppercase"},
		{"call url missing", `{"nodes":[{"name":"C","type":"call"}]}`, 0, "C", "url", "required field missing"},
		{"unknown input field", `{"nodes":[{"name":"C","type":"call","url":"http://x","inputs":{"nope":"request.body"}}]}`,
			0, "C", "inputs", "nope: unknown field"},
		{"unknown output of a node", `{"nodes":[{"name":"C","type":"call","url":"http://x"},{"name":"J","type":"jq","jq":".","input":"C.nope"}]}`,
			1, "J", "input", `node #1 (C) has no output "nope"`},
		{"two sources for one input", `{"nodes":[
			{"name":"GET_FOO","type":"property","property":"kong.ctx.shared.foo","output":"FILTER"},
			{"name":"GET_BAR","type":"property","property":"kong.ctx.shared.bar","output":"FILTER"},
			{"name":"FILTER","type":"jq","jq":"."}]}`,
			1, "GET_BAR", "output", `invalid connection ("GET_BAR" -> "FILTER"): conflicts with existing connection ("GET_FOO" -> "FILTER")`},
		{"object to map", `{"nodes":[{"name":"invalid","type":"call","url":"https://example.com/","output":"service_request.headers"}]}`,
			0, "invalid", "output", `invalid connection ("invalid" -> "service_request.headers"): type mismatch: object -> map`},
		{"static value of the wrong type", `{"nodes":[
			{"name":"CALL_INPUTS","type":"static","values":{"headers":"oops not valid headers"}},
			{"name":"CALL","type":"call","url":"https://example.com/","method":"POST","input":"CALL_INPUTS"}]}`,
			1, "CALL", "input", `type mismatch on "headers": string -> map`},
		{"any node-wise conflicts with a field", `{"nodes":[
			{"name":"get-foo","type":"property","property":"kong.ctx.shared.foo","output":"response"},
			{"name":"get-bar","type":"property","property":"kong.ctx.shared.bar","output":"response.body"}]}`,
			1, "get-bar", "output", `conflicts with existing connection ("get-foo" -> "response.body")`},
		{"jq outputs by field", `{"nodes":[{"name":"J","type":"jq","jq":".","outputs":{"body":"response.body"}}]}`,
			0, "J", "outputs", "unknown field"},
		{"property inputs by field", `{"nodes":[{"name":"P","type":"property","property":"kong.ctx.shared.x","inputs":{"body":"request.body"}}]}`,
			0, "P", "inputs", "unknown field"},
		{"upstream request after the upstream's answer", `{"nodes":[
			{"name":"CALL","type":"call","url":"https://example.com/","inputs":{"body":"service_response.body"},"outputs":{"headers":"service_request.headers"}}]}`,
			0, "CALL", "", `invalid dependency (node #1 (CALL) -> node service_response): circular dependency`},
		{"bad jq", `{"nodes":[{"name":"J","type":"jq","jq":".a |"}]}`, 0, "J", "jq", "invalid jq filter"},
		{"branch on unknown node", `{"nodes":[{"name":"B","type":"branch","input":"request.body","then":["NOPE"]}]}`,
			0, "B", "then", `unknown node "NOPE"`},
		{"no nodes", `{"nodes":[]}`, -1, "", "nodes", "length must be between 1 and 64"},
		{"nodes missing", `{"debug":true}`, -1, "", "nodes", "required field missing"},
		{"unknown top-level field", `{"nodes":[{"name":"S","type":"static","values":{}}],"extra":1}`, -1, "", "extra", "unknown field"},
		{"cache strategy", `{"nodes":[{"name":"S","type":"static","values":{}}],"resources":{"cache":{"strategy":"disk"}}}`,
			-1, "", "resources.cache.strategy", "expected one of: memory, redis"},
		{"vault reference", `{"nodes":[{"name":"S","type":"static","values":{}}],"resources":{"vault":{"s":"plain"}}}`,
			-1, "", "resources.vault.s", "vault reference"},
		{"jwt algorithm", `{"nodes":[{"name":"S","type":"jwt_sign","algorithm":"none"}]}`, 0, "S", "algorithm", "expected one of"},
		{"both attribute styles", `{"nodes":[{"name":"X","type":"xml_to_json","attributes_block_name":"#attr","attributes_name_prefix":"@"}]}`,
			0, "X", "attributes_name_prefix", "only one of"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(decodeConfig(t, tc.config))
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *ConfigError", err)
			}
			if ce.Index != tc.index || ce.Node != tc.node || ce.Field != tc.field || !strings.Contains(ce.Message, tc.msg) {
				t.Errorf("got index %d node %q field %q message %q; want %d %q %q containing %q",
					ce.Index, ce.Node, ce.Field, ce.Message, tc.index, tc.node, tc.field, tc.msg)
			}
			if tc.index >= 0 && !strings.Contains(err.Error(), tc.node) {
				t.Errorf("error text %q does not name the node", err)
			}
		})
	}
}

// Kong fills the schema's defaults in the stored config.
func TestCompileFillsDefaults(t *testing.T) {
	f := compile(t, `{"nodes":[
		{"name":"C","type":"call","url":"http://example.com"},
		{"name":"E","type":"exit","input":"C"},
		{"name":"S","type":"jwt_sign","algorithm":"HS256"}],
		"resources":{"cache":{"strategy":"redis"}}}`)
	cfg := f.Normalized()
	nodes := cfg["nodes"].([]any)
	call, exit, sign := nodes[0].(map[string]any), nodes[1].(map[string]any), nodes[2].(map[string]any)
	for _, c := range []struct {
		got, want any
		what      string
	}{
		{cfg["debug"], false, "debug"},
		{call["method"], "GET", "call method"},
		{call["ssl_verify"], true, "call ssl_verify"},
		{exit["status"], float64(200), "exit status"},
		{sign["expires_in"], float64(300), "jwt_sign expires_in"},
		{sign["typ"], "JWT", "jwt_sign typ"},
		{cfg["resources"].(map[string]any)["cache"].(map[string]any)["redis"].(map[string]any)["port"], float64(6379), "redis port"},
		// Konnect answers false for every Redis block's ssl_verify (Kong's schema says true).
		{cfg["resources"].(map[string]any)["cache"].(map[string]any)["redis"].(map[string]any)["ssl_verify"], false, "redis ssl_verify"},
		{cfg["resources"].(map[string]any)["cache"].(map[string]any)["memory"].(map[string]any)["dictionary_name"], "kong_db_cache", "dictionary"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
	if _, has := call["timeout"]; has {
		t.Error("timeout has no default")
	}
}

// An object -> object connection connects the fields both nodes have, in any config order.
func TestCompileObjectConnectionAndOrder(t *testing.T) {
	f := compile(t, `{"nodes":[
		{"name":"api_call","type":"call","url":"https://example.com/","method":"POST","input":"request","output":"service_request"},
		{"name":"LATE","type":"jq","jq":".","input":"EARLY"},
		{"name":"EARLY","type":"static","values":{"x":1}}]}`)
	call := 0
	var got []string
	for field := range f.slots[call] {
		got = append(got, field)
	}
	if len(got) != 3 {
		t.Errorf("api_call inputs %v, want body, headers, query", got)
	}
	sreq := f.slots[f.implicit(nodeServiceRequest)]
	if sreq["body"] == nil || sreq["headers"] == nil || sreq["query"] != nil {
		t.Errorf("service_request inputs %v, want body and headers", sreq)
	}
	if len(f.deps[1]) != 1 || f.deps[1][0] != 2 {
		t.Errorf("LATE depends on %v, want EARLY", f.deps[1])
	}
}

// The same connection written from both of its ends is one connection.
func TestCompileSameConnectionFromBothEnds(t *testing.T) {
	f := compile(t, `{"nodes":[
		{"name":"A","type":"static","values":{"x":1},"output":"B"},
		{"name":"B","type":"jq","jq":".x","input":"A"}]}`)
	if len(f.slots[1]) != 1 {
		t.Errorf("B's inputs: %v", f.slots[1])
	}
}

// Whatever JSON a client sends, Compile answers a *ConfigError or a Flow, never a panic.
func FuzzCompile(f *testing.F) {
	for _, seed := range []string{
		`{}`, `null`, `{"nodes":null}`, `{"nodes":[null]}`, `{"nodes":[{"name":"a","type":"call","inputs":{"url":null}}]}`,
		`{"nodes":[{"name":"a","type":"static","values":{"a":[1,{"b":null}]},"outputs":{"a":"b.x"}},{"name":"b","type":"jq","jq":"."}]}`,
		`{"nodes":[{"name":"b","type":"branch","input":"request","then":"x"}]}`,
		`{"nodes":[{"name":"c","type":"cache","inputs":{"key":"request.body"}}],"resources":{"cache":{"redis":{"port":"x"}}}}`,
		`{"resources":{"vault":{"a":null}},"nodes":[{"name":"j","type":"jwt_verify","allowed_algorithms":[1]}]}`,
		thirdPartyAuth("http://127.0.0.1:1/", true),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, config string) {
		var m map[string]any
		if json.Unmarshal([]byte(config), &m) != nil {
			return
		}
		flow, err := Compile(m)
		var ce *ConfigError
		if err != nil && !errors.As(err, &ce) {
			t.Fatalf("error %v is not a *ConfigError", err)
		}
		if err == nil && flow == nil {
			t.Fatal("no flow and no error")
		}
	})
}
