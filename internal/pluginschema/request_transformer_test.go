package pluginschema_test

import "testing"

func requestTransformerDefaults() map[string]any {
	parts := func() map[string]any {
		return map[string]any{"body": []any{}, "headers": []any{}, "querystring": []any{}}
	}
	replace := parts()
	replace["uri"] = nil
	return map[string]any{
		"http_method": nil,
		"remove":      parts(),
		"rename":      parts(),
		"replace":     replace,
		"add":         parts(),
		"append":      parts(),
	}
}

func TestRequestTransformerDefaults(t *testing.T) {
	p := mustLookup(t, "request-transformer")
	for name, config := range map[string]string{
		"nil config":      "",
		"empty config":    `{}`,
		"null records":    `{"http_method":null,"remove":null,"rename":null,"replace":null,"add":null,"append":null}`,
		"empty records":   `{"remove":{},"rename":{},"replace":{},"add":{},"append":{}}`,
		"null in records": `{"add":{"headers":null,"body":null},"replace":{"uri":null}}`,
	} {
		t.Run(name, func(t *testing.T) {
			sameJSON(t, normalizeOK(t, p, decode(t, config)), requestTransformerDefaults())
		})
	}
}

func TestRequestTransformerValues(t *testing.T) {
	p := mustLookup(t, "request-transformer")
	in := decode(t, `{
		"http_method": "POST",
		"remove": {"headers": ["X-Internal", "X-Debug:ignored"], "querystring": ["debug"], "body": ["password"]},
		"rename": {"headers": ["X-Old:X-New"], "querystring": ["q:query"], "body": ["user:username"]},
		"replace": {"headers": ["Host:upstream.internal"], "uri": "/v2$(uri_captures.rest)"},
		"add": {"headers": ["X-Request-Source:gateway", "X-Empty:", "X-Spaced:a b\tc"], "querystring": ["page:1", "range:1:10"]},
		"append": {"headers": ["X-Tag:$(headers.x_id)"], "body": ["tags:new"]}
	}`)
	want := requestTransformerDefaults()
	want["http_method"] = "POST"
	want["remove"] = map[string]any{
		"headers":     []any{"X-Internal", "X-Debug:ignored"},
		"querystring": []any{"debug"},
		"body":        []any{"password"},
	}
	want["rename"] = map[string]any{
		"headers":     []any{"X-Old:X-New"},
		"querystring": []any{"q:query"},
		"body":        []any{"user:username"},
	}
	want["replace"] = map[string]any{
		"headers":     []any{"Host:upstream.internal"},
		"querystring": []any{},
		"body":        []any{},
		"uri":         "/v2$(uri_captures.rest)",
	}
	want["add"] = map[string]any{
		"headers":     []any{"X-Request-Source:gateway", "X-Empty:", "X-Spaced:a b\tc"},
		"querystring": []any{"page:1", "range:1:10"},
		"body":        []any{},
	}
	want["append"] = map[string]any{
		"headers":     []any{"X-Tag:$(headers.x_id)"},
		"querystring": []any{},
		"body":        []any{"tags:new"},
	}
	sameJSON(t, normalizeOK(t, p, in), want)
}

func TestRequestTransformerErrors(t *testing.T) {
	checkErrors(t, mustLookup(t, "request-transformer"), []errorCase{
		// http_method is Kong's typedefs.http_method: capitals only.
		{"lower-case method", `{"http_method":"post"}`, fe(field("config.http_method", "invalid value: post"))},
		{"method with a space", `{"http_method":"GET "}`, fe(field("config.http_method", "invalid value: GET "))},
		{"empty method", `{"http_method":""}`, fe(field("config.http_method", "length must be at least 1"))},

		// Record and list types.
		{"record expected", `{"add":["X-A:b"]}`, fe(field("config.add", "expected a record"))},
		{"array expected", `{"add":{"headers":"X-A:b"}}`, fe(field("config.add.headers", "expected an array"))},
		{"string element expected", `{"append":{"body":[true]}}`, fe(field("config.append.body.1", "expected a string"))},
		{"empty entry", `{"remove":{"querystring":[""]}}`, fe(field("config.remove.querystring.1", "length must be at least 1"))},
		{"uri only on replace", `{"add":{"uri":"/x"}}`, fe(field("config.add.uri", "unknown field"))},
		{"empty uri", `{"replace":{"uri":""}}`, fe(field("config.replace.uri", "length must be at least 1"))},

		// Header names to remove.
		{"bad header to remove", `{"remove":{"headers":["X Debug"]}}`,
			fe(field("config.remove.headers.1", "'X Debug' is not a valid header"))},
		{"header to remove without a name", `{"remove":{"headers":[":x"]}}`,
			fe(field("config.remove.headers.1", "'nil' is not a valid header"))},

		// Renames: "old:new", both header names for headers.
		{"rename without a colon", `{"rename":{"headers":["X-Old"]}}`,
			fe(field("config.rename.headers.1", "invalid value: X-Old"))},
		{"rename to a bad header", `{"rename":{"headers":["X-Old:X New"]}}`,
			fe(field("config.rename.headers.1", "'X New' is not a valid header"))},
		{"rename to nothing", `{"rename":{"headers":["X-Old:"]}}`,
			fe(field("config.rename.headers.1", "'' is not a valid header"))},
		{"rename from a bad header", `{"rename":{"headers":["X.Old:X-New"]}}`,
			fe(field("config.rename.headers.1", "'X.Old' is not a valid header"))},
		{"rename a body field to nothing", `{"rename":{"body":["user"]}}`,
			fe(field("config.rename.body.1", "key 'user' has no value"))},

		// Values: "name:value".
		{"header without a colon", `{"add":{"headers":["X-Source"]}}`,
			fe(field("config.add.headers.1", "invalid value: X-Source"))},
		{"header starting with a colon", `{"add":{"headers":[":gateway"]}}`,
			fe(field("config.add.headers.1", "invalid value: :gateway"))},
		{"bad header name", `{"replace":{"headers":["X Source:gateway"]}}`,
			fe(field("config.replace.headers.1", "'X Source' is not a valid header"))},
		{"control character in a header value", `{"append":{"headers":["X-Source:a\r\nX-Evil: 1"]}}`,
			fe(field("config.append.headers.1", "'a\r\nX-Evil: 1' is not a valid header"))},
		{"query parameter without a value", `{"add":{"querystring":["page"]}}`,
			fe(field("config.add.querystring.1", "key 'page' has no value"))},
		{"query parameter with an empty value", `{"add":{"querystring":["page:"]}}`,
			fe(field("config.add.querystring.1", "key 'page' has no value"))},
		{"body field without a name", `{"replace":{"body":[":v"]}}`,
			fe(field("config.replace.body.1", "key '' has no value"))},

		{"errors sorted by path", `{"http_method":"get","append":{"headers":["bad"]},"add":{"body":["x"]}}`, fe(
			field("config.add.body.1", "key 'x' has no value"),
			field("config.append.headers.1", "invalid value: bad"),
			field("config.http_method", "invalid value: get"),
		)},
	})
}

func TestRequestTransformerRegistration(t *testing.T) {
	checkRegistration(t, "request-transformer", 801,
		[]string{"grpc", "grpcs", "http", "https", "tcp", "tls", "tls_passthrough", "udp", "ws", "wss"},
		[]string{"grpc", "grpcs", "http", "https"})
}
