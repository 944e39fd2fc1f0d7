package pluginschema_test

import "testing"

func jwtDefaults() map[string]any {
	return map[string]any{
		"uri_param_names":    []any{"jwt"},
		"cookie_names":       []any{},
		"key_claim_name":     "iss",
		"secret_is_base64":   false,
		"claims_to_verify":   nil,
		"anonymous":          nil,
		"run_on_preflight":   true,
		"maximum_expiration": 0.0,
		"header_names":       []any{"authorization"},
		"realm":              nil,
	}
}

func TestJWTDefaults(t *testing.T) {
	p := mustLookup(t, "jwt")
	for name, config := range map[string]string{
		"nil config":   "",
		"empty config": `{}`,
		"all null": `{"uri_param_names":null,"cookie_names":null,"key_claim_name":null,"secret_is_base64":null,
			"claims_to_verify":null,"anonymous":null,"run_on_preflight":null,"maximum_expiration":null,
			"header_names":null,"realm":null}`,
	} {
		t.Run(name, func(t *testing.T) {
			sameJSON(t, normalizeOK(t, p, decode(t, config)), jwtDefaults())
		})
	}
}

func TestJWTValues(t *testing.T) {
	p := mustLookup(t, "jwt")
	in := decode(t, `{
		"uri_param_names": ["token", "jwt", "token"],
		"cookie_names": ["session"],
		"key_claim_name": "kid",
		"secret_is_base64": true,
		"claims_to_verify": ["exp", "nbf", "exp"],
		"maximum_expiration": 3600,
		"header_names": ["authorization", "x-token"],
		"realm": "api"
	}`)
	want := jwtDefaults()
	want["uri_param_names"] = []any{"token", "jwt"} // sets drop repeated values
	want["cookie_names"] = []any{"session"}
	want["key_claim_name"] = "kid"
	want["secret_is_base64"] = true
	want["claims_to_verify"] = []any{"exp", "nbf"}
	want["maximum_expiration"] = 3600.0
	want["header_names"] = []any{"authorization", "x-token"}
	want["realm"] = "api"
	sameJSON(t, normalizeOK(t, p, in), want)
}

func TestJWTErrors(t *testing.T) {
	const conditional = "failed conditional validation given value of field 'config.maximum_expiration'"
	checkErrors(t, mustLookup(t, "jwt"), []errorCase{
		// Field types and bounds.
		{"set expected", `{"uri_param_names":"jwt"}`, fe(field("config.uri_param_names", "expected a set"))},
		{"string element expected", `{"header_names":["authorization", 1]}`,
			fe(field("config.header_names.2", "expected a string"))},
		{"empty element", `{"cookie_names":[""]}`, fe(field("config.cookie_names.1", "length must be at least 1"))},
		{"claim enum", `{"claims_to_verify":["iat"]}`,
			fe(field("config.claims_to_verify.1", "expected one of: exp, nbf"))},
		{"number expected", `{"maximum_expiration":"1h"}`, fe(field("config.maximum_expiration", "expected a number"))},
		{"negative lifetime", `{"maximum_expiration":-1}`,
			fe(field("config.maximum_expiration", "value should be between 0 and 31536000"))},
		{"lifetime over a year", `{"maximum_expiration":31536001}`,
			fe(field("config.maximum_expiration", "value should be between 0 and 31536000"))},
		{"boolean expected", `{"secret_is_base64":"false"}`, fe(field("config.secret_is_base64", "expected a boolean"))},
		{"empty claim name", `{"key_claim_name":""}`, fe(field("config.key_claim_name", "length must be at least 1"))},
		{"no algorithms field", `{"algorithms":["HS256"]}`, fe(field("config.algorithms", "unknown field"))},

		// A maximum lifetime needs the exp claim checked.
		{"lifetime without exp", `{"maximum_expiration":3600,"claims_to_verify":["nbf"]}`, fe(
			entity(conditional),
			field("config.claims_to_verify", "expected to contain: exp"),
		)},
		{"lifetime with no claims", `{"maximum_expiration":60,"claims_to_verify":[]}`, fe(
			entity(conditional),
			field("config.claims_to_verify", "expected to contain: exp"),
		)},
		{"lifetime with a bad claim", `{"maximum_expiration":60,"claims_to_verify":["iat"]}`, fe(
			entity(conditional),
			field("config.claims_to_verify.1", "expected one of: exp, nbf"),
		)},
		{"bad lifetime does not trigger the rule", `{"maximum_expiration":99999999,"claims_to_verify":["nbf"]}`,
			fe(field("config.maximum_expiration", "value should be between 0 and 31536000"))},
	})
}

func TestJWTAccepts(t *testing.T) {
	checkAccepts(t, mustLookup(t, "jwt"),
		`{"maximum_expiration":3600,"claims_to_verify":["exp"]}`,
		`{"maximum_expiration":31536000,"claims_to_verify":["nbf","exp"]}`,
		`{"maximum_expiration":0,"claims_to_verify":["nbf"]}`,
		// Kong only checks the claims that are listed: no list at all passes.
		`{"maximum_expiration":3600}`,
		`{"maximum_expiration":0.5,"claims_to_verify":["exp"]}`,
	)
}

func TestJWTRegistration(t *testing.T) {
	http := []string{"grpc", "grpcs", "http", "https"}
	checkRegistration(t, "jwt", 1450, http, http, "consumer", "consumer_group")
}
