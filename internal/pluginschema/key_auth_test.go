package pluginschema_test

import (
	"testing"
)

func keyAuthDefaults() map[string]any {
	return map[string]any{
		"key_names":        []any{"apikey"},
		"hide_credentials": false, // Konnect's default (Kong 3.15 says true)
		"anonymous":        nil,
		"key_in_header":    true,
		"key_in_query":     true,
		"key_in_body":      false,
		"run_on_preflight": true,
		"realm":            nil,
		// Konnect looks keys up in the control plane's own consumers unless told otherwise.
		"identity_realms": []any{map[string]any{"scope": "cp", "id": nil, "region": nil}},
		"principals": map[string]any{
			"enabled":       false,
			"directory":     "default",
			"error_on_miss": true,
		},
	}
}

func TestKeyAuthDefaults(t *testing.T) {
	p := mustLookup(t, "key-auth")
	for name, config := range map[string]string{
		"nil config":   "",
		"empty config": `{}`,
		"all null": `{"key_names":null,"hide_credentials":null,"anonymous":null,"key_in_header":null,
			"key_in_query":null,"key_in_body":null,"run_on_preflight":null,"realm":null,
			"identity_realms":null,"principals":null}`,
		"null inside a record": `{"principals":{"enabled":null}}`,
	} {
		t.Run(name, func(t *testing.T) {
			sameJSON(t, normalizeOK(t, p, decode(t, config)), keyAuthDefaults())
		})
	}
}

func TestKeyAuthValues(t *testing.T) {
	p := mustLookup(t, "key-auth")
	in := decode(t, `{
		"key_names": ["apikey", "X-Api-Key", "api_key"],
		"hide_credentials": true,
		"anonymous": "guest",
		"key_in_body": true,
		"realm": "shop",
		"identity_realms": [
			{"region": "eu", "id": "7F9FD0B8-4AF0-4C43-9E2B-7C3F3E9AB5E1"},
			{"scope": "realm"}
		],
		"principals": {"enabled": true}
	}`)
	want := keyAuthDefaults()
	want["key_names"] = []any{"apikey", "X-Api-Key", "api_key"}
	want["hide_credentials"] = true
	want["anonymous"] = "guest"
	want["key_in_body"] = true
	want["realm"] = "shop"
	want["identity_realms"] = []any{
		map[string]any{"region": "eu", "id": "7F9FD0B8-4AF0-4C43-9E2B-7C3F3E9AB5E1", "scope": "cp"},
		map[string]any{"region": nil, "id": nil, "scope": "realm"},
	}
	want["principals"] = map[string]any{"enabled": true, "directory": "default", "error_on_miss": true}
	sameJSON(t, normalizeOK(t, p, in), want)
}

func TestKeyAuthErrors(t *testing.T) {
	p := mustLookup(t, "key-auth")
	const badHeader = "bad header name 'api key', allowed characters are A-Z, a-z, 0-9, '_', and '-'"
	for _, tc := range []struct {
		name   string
		config string
		want   []FieldError
	}{
		{"array expected", `{"key_names":"apikey"}`, fe(field("config.key_names", "expected an array"))},
		{"string element expected", `{"key_names":["ok", 5]}`, fe(field("config.key_names.2", "expected a string"))},
		{"null element", `{"key_names":[null]}`, fe(field("config.key_names.1", "required field missing"))},
		{"empty element", `{"key_names":[""]}`, fe(field("config.key_names.1", "length must be at least 1"))},
		{"bad header name", `{"key_names":["api key"]}`, fe(field("config.key_names.1", badHeader))},
		{"boolean expected", `{"hide_credentials":"yes"}`, fe(field("config.hide_credentials", "expected a boolean"))},
		{"string expected", `{"anonymous":42}`, fe(field("config.anonymous", "expected a string"))},
		{"empty string", `{"realm":""}`, fe(field("config.realm", "length must be at least 1"))},
		{"record expected", `{"principals":true}`, fe(field("config.principals", "expected a record"))},
		{"unknown field", `{"key_name":["apikey"]}`, fe(field("config.key_name", "unknown field"))},
		{"unknown nested field", `{"principals":{"enable":true}}`, fe(field("config.principals.enable", "unknown field"))},
		{"enum", `{"identity_realms":[{"scope":"global"}]}`,
			fe(field("config.identity_realms.1.scope", "expected one of: cp, realm"))},
		{"uuid", `{"identity_realms":[{"id":"nope"}]}`,
			fe(field("config.identity_realms.1.id", "expected a valid UUID"))},
		{"record element expected", `{"identity_realms":["cp"]}`,
			fe(field("config.identity_realms.1", "expected a record"))},
		{"errors sorted by path", `{"zzz":1,"realm":"","key_names":["a b"],"anonymous":1,"key_in_query":0}`, fe(
			field("config.anonymous", "expected a string"),
			field("config.key_in_query", "expected a boolean"),
			field("config.key_names.1", "bad header name 'a b', allowed characters are A-Z, a-z, 0-9, '_', and '-'"),
			field("config.realm", "length must be at least 1"),
			field("config.zzz", "unknown field"),
		)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errs := p.Normalize(decode(t, tc.config))
			if out != nil {
				t.Errorf("got a config %v along with errors", out)
			}
			sameErrors(t, errs, tc.want)
		})
	}
}

func TestKeyAuthScope(t *testing.T) {
	p := mustLookup(t, "key-auth")
	sameErrors(t, p.CheckScope(Scope{Consumer: true, ConsumerGroup: true, Route: true, Service: true}), fe(
		field("consumer", "value must be null"),
		field("consumer_group", "value must be null"),
	))
	sameErrors(t, p.CheckScope(Scope{Route: true, Service: true}), nil)
}

func TestKeyAuthProtocols(t *testing.T) {
	p := mustLookup(t, "key-auth")
	got, errs := p.NormalizeProtocols(nil)
	sameErrors(t, errs, nil)
	sameJSON(t, got, []string{"grpc", "grpcs", "http", "https", "ws", "wss"})

	got, errs = p.NormalizeProtocols([]any{"https", "ws", "https"})
	sameErrors(t, errs, nil)
	sameJSON(t, got, []string{"https", "ws"}) // a set: duplicates dropped

	_, errs = p.NormalizeProtocols([]any{"https", "tcp"})
	sameErrors(t, errs, fe(field("protocols.2", "expected one of: grpc, grpcs, http, https, ws, wss")))

	_, errs = p.NormalizeProtocols("https")
	sameErrors(t, errs, fe(field("protocols", "expected a set")))
}
