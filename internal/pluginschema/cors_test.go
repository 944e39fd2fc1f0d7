package pluginschema_test

import "testing"

func corsDefaults() map[string]any {
	return map[string]any{
		"origins":             nil,
		"headers":             nil,
		"exposed_headers":     nil,
		"methods":             []any{"GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS", "TRACE", "CONNECT"},
		"max_age":             nil,
		"credentials":         false,
		"private_network":     false,
		"preflight_continue":  false,
		"allow_origin_absent": true,
	}
}

func TestCORSDefaults(t *testing.T) {
	p := mustLookup(t, "cors")
	for name, config := range map[string]string{
		"nil config":   "",
		"empty config": `{}`,
		"all null": `{"origins":null,"headers":null,"exposed_headers":null,"methods":null,"max_age":null,
			"credentials":null,"private_network":null,"preflight_continue":null,"allow_origin_absent":null}`,
	} {
		t.Run(name, func(t *testing.T) {
			sameJSON(t, normalizeOK(t, p, decode(t, config)), corsDefaults())
		})
	}
}

func TestCORSValues(t *testing.T) {
	p := mustLookup(t, "cors")
	in := decode(t, `{
		"origins": ["https://app.example.com", "https://(.+)\\.example\\.com", "*"],
		"headers": ["Authorization", "Content-Type"],
		"exposed_headers": ["X-Request-Id"],
		"methods": ["GET", "POST"],
		"max_age": 3600,
		"credentials": true,
		"private_network": true,
		"preflight_continue": true,
		"allow_origin_absent": false
	}`)
	sameJSON(t, normalizeOK(t, p, in), map[string]any{
		"origins":             []any{"https://app.example.com", `https://(.+)\.example\.com`, "*"},
		"headers":             []any{"Authorization", "Content-Type"},
		"exposed_headers":     []any{"X-Request-Id"},
		"methods":             []any{"GET", "POST"},
		"max_age":             3600.0,
		"credentials":         true,
		"private_network":     true,
		"preflight_continue":  true,
		"allow_origin_absent": false,
	})
}

func TestCORSErrors(t *testing.T) {
	const methods = "expected one of: GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS, TRACE, CONNECT"
	checkErrors(t, mustLookup(t, "cors"), []errorCase{
		{"method enum", `{"methods":["GET","get"]}`, fe(field("config.methods.2", methods))},
		{"array expected", `{"origins":"*"}`, fe(field("config.origins", "expected an array"))},
		{"empty origin", `{"origins":[""]}`, fe(field("config.origins.1", "length must be at least 1"))},
		{"number expected", `{"max_age":"3600"}`, fe(field("config.max_age", "expected a number"))},
		{"boolean expected", `{"credentials":"true"}`, fe(field("config.credentials", "expected a boolean"))},
		{"unknown field", `{"origin":"*"}`, fe(field("config.origin", "unknown field"))},

		// Origins must compile as regular expressions (or be "*").
		{"unclosed group", `{"origins":["https://(app.example.com"]}`,
			fe(field("config.origins.1", "'https://(app.example.com' is not a valid regex"))},
		{"wildcard subdomain", `{"origins":["*.example.com"]}`,
			fe(field("config.origins.1", "'*.example.com' is not a valid regex"))},
		{"unclosed class", `{"origins":["https://[a-z.example.com"]}`,
			fe(field("config.origins.1", "'https://[a-z.example.com' is not a valid regex"))},
		{"stray parenthesis", `{"origins":["https://example.com)"]}`,
			fe(field("config.origins.1", "'https://example.com)' is not a valid regex"))},
		{"trailing backslash", `{"origins":["https://example.com\\"]}`,
			fe(field("config.origins.1", `'https://example.com\' is not a valid regex`))},
		{"repeat counts out of order", `{"origins":["https://a{3,2}.com"]}`,
			fe(field("config.origins.1", "'https://a{3,2}.com' is not a valid regex"))},
		{"second origin bad", `{"origins":["*","+"]}`, fe(field("config.origins.2", "'+' is not a valid regex"))},
	})
}

// PCRE accepts constructs Go's regexp does not; such origins must be accepted.
func TestCORSAcceptsPCRE(t *testing.T) {
	checkAccepts(t, mustLookup(t, "cors"),
		`{"origins":["^https://(?!evil\\.)[a-z]+\\.example\\.com$"]}`, // lookahead
		`{"origins":["(?<=https://)app\\.example\\.com"]}`,            // lookbehind
		`{"origins":["https://(?>app|api)\\.example\\.com"]}`,         // atomic group
		`{"origins":["https://([a-z])\\1\\.example\\.com"]}`,          // back reference
		`{"origins":["https://[a-z]++\\.example\\.com"]}`,             // possessive quantifier
		`{"origins":["https://a{1,2000}\\.example\\.com"]}`,           // over RE2's 1000 repeats
		`{"origins":["(?x) https:// app \\. example \\. com"]}`,       // extended mode
		`{"origins":["https://app\\.example\\.com\\Z"]}`,              // \Z
		`{"origins":["(?#the app)https://app\\.example\\.com"]}`,      // comment
		`{"origins":["https://{app}.example.com"]}`,                   // braces that are not a repeat
	)
}

func TestCORSRegistration(t *testing.T) {
	http := []string{"grpc", "grpcs", "http", "https"}
	checkRegistration(t, "cors", 2000, http, http, "consumer", "consumer_group")
}
