package pluginschema_test

import "testing"

func responseTransformerDefaults() map[string]any {
	set := func() map[string]any {
		return map[string]any{"json": []any{}, "json_types": []any{}, "headers": []any{}}
	}
	return map[string]any{
		"remove":  map[string]any{"json": []any{}, "headers": []any{}},
		"rename":  map[string]any{"json": []any{}, "headers": []any{}},
		"replace": set(),
		"add":     set(),
		"append":  set(),
	}
}

func TestResponseTransformerDefaults(t *testing.T) {
	p := mustLookup(t, "response-transformer")
	for name, config := range map[string]string{
		"nil config":      "",
		"empty config":    `{}`,
		"null records":    `{"remove":null,"rename":null,"replace":null,"add":null,"append":null}`,
		"null in records": `{"add":{"json":null,"json_types":null},"rename":{}}`,
	} {
		t.Run(name, func(t *testing.T) {
			sameJSON(t, normalizeOK(t, p, decode(t, config)), responseTransformerDefaults())
		})
	}
}

func TestResponseTransformerValues(t *testing.T) {
	p := mustLookup(t, "response-transformer")
	in := decode(t, `{
		"remove": {"json": ["internal_id"], "headers": ["Server", "X Anything goes"]},
		"rename": {"json": ["id:uuid"], "headers": ["X-Old:X-New"]},
		"add": {"json": ["count:0", "ok:true", "note:a:b"], "json_types": ["number", "boolean"], "headers": ["X-Via:gateway"]},
		"append": {"headers": ["Cache-Control:no-store, private"]}
	}`)
	want := responseTransformerDefaults()
	want["remove"] = map[string]any{"json": []any{"internal_id"}, "headers": []any{"Server", "X Anything goes"}}
	want["rename"] = map[string]any{"json": []any{"id:uuid"}, "headers": []any{"X-Old:X-New"}}
	want["add"] = map[string]any{
		"json":       []any{"count:0", "ok:true", "note:a:b"},
		"json_types": []any{"number", "boolean"},
		"headers":    []any{"X-Via:gateway"},
	}
	want["append"] = map[string]any{"json": []any{}, "json_types": []any{}, "headers": []any{"Cache-Control:no-store, private"}}
	sameJSON(t, normalizeOK(t, p, in), want)
}

func TestResponseTransformerErrors(t *testing.T) {
	checkErrors(t, mustLookup(t, "response-transformer"), []errorCase{
		{"record expected", `{"replace":"x"}`, fe(field("config.replace", "expected a record"))},
		{"array expected", `{"remove":{"json":"id"}}`, fe(field("config.remove.json", "expected an array"))},
		{"empty entry", `{"remove":{"headers":[""]}}`, fe(field("config.remove.headers.1", "length must be at least 1"))},
		{"no body field", `{"remove":{"body":["x"]}}`, fe(field("config.remove.body", "unknown field"))},
		{"no json_types to remove", `{"remove":{"json_types":["string"]}}`,
			fe(field("config.remove.json_types", "unknown field"))},
		{"json entry without a colon", `{"add":{"json":["count"]}}`, fe(field("config.add.json.1", "invalid value: count"))},
		{"json rename without a colon", `{"rename":{"json":["id"]}}`, fe(field("config.rename.json.1", "invalid value: id"))},
		{"json type enum", `{"append":{"json_types":["integer"]}}`,
			fe(field("config.append.json_types.1", "expected one of: boolean, number, string"))},
		{"header without a colon", `{"replace":{"headers":["X-Via"]}}`,
			fe(field("config.replace.headers.1", "invalid value: X-Via"))},
		{"bad header name", `{"add":{"headers":["X Via:gateway"]}}`,
			fe(field("config.add.headers.1", "'X Via' is not a valid header"))},
		{"control character in a header value", "{\"add\":{\"headers\":[\"X-Via:a\\u0000b\"]}}",
			fe(field("config.add.headers.1", "'a\x00b' is not a valid header"))},
		{"rename to a bad header", `{"rename":{"headers":["X-Old:X/New"]}}`,
			fe(field("config.rename.headers.1", "'X/New' is not a valid header"))},
	})
}

func TestResponseTransformerRegistration(t *testing.T) {
	http := []string{"grpc", "grpcs", "http", "https"}
	checkRegistration(t, "response-transformer", 800, http, http)
}
