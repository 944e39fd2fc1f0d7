package pluginschema_test

import "testing"

func hmacAuthDefaults() map[string]any {
	return map[string]any{
		"hide_credentials":      false, // Konnect's default (Kong 3.15 says true)
		"clock_skew":            300.0,
		"anonymous":             nil,
		"validate_request_body": false,
		"enforce_headers":       []any{},
		"algorithms":            []any{"hmac-sha224", "hmac-sha256", "hmac-sha384", "hmac-sha512"},
		"realm":                 nil,
	}
}

func TestHMACAuthDefaults(t *testing.T) {
	p := mustLookup(t, "hmac-auth")
	for name, config := range map[string]string{
		"nil config":   "",
		"empty config": `{}`,
		"all null": `{"hide_credentials":null,"clock_skew":null,"anonymous":null,"validate_request_body":null,
			"enforce_headers":null,"algorithms":null,"realm":null}`,
	} {
		t.Run(name, func(t *testing.T) {
			sameJSON(t, normalizeOK(t, p, decode(t, config)), hmacAuthDefaults())
		})
	}
}

func TestHMACAuthValues(t *testing.T) {
	p := mustLookup(t, "hmac-auth")
	in := decode(t, `{
		"hide_credentials": true,
		"clock_skew": 60,
		"anonymous": "4b7e4f6c-4c1d-4f0e-9d0b-2f3a5b6c7d8e",
		"validate_request_body": true,
		"enforce_headers": ["date", "@request-target", "date"],
		"algorithms": ["hmac-sha1", "hmac-sha512"],
		"realm": "api"
	}`)
	want := hmacAuthDefaults()
	want["hide_credentials"] = true
	want["clock_skew"] = 60.0
	want["anonymous"] = "4b7e4f6c-4c1d-4f0e-9d0b-2f3a5b6c7d8e"
	want["validate_request_body"] = true
	want["enforce_headers"] = []any{"date", "@request-target", "date"} // an array keeps repeats
	want["algorithms"] = []any{"hmac-sha1", "hmac-sha512"}
	want["realm"] = "api"
	sameJSON(t, normalizeOK(t, p, in), want)
}

func TestHMACAuthErrors(t *testing.T) {
	const algorithms = "expected one of: hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512"
	checkErrors(t, mustLookup(t, "hmac-auth"), []errorCase{
		{"clock skew must be positive", `{"clock_skew":0}`, fe(field("config.clock_skew", "value must be greater than 0"))},
		{"negative clock skew", `{"clock_skew":-300}`, fe(field("config.clock_skew", "value must be greater than 0"))},
		{"number expected", `{"clock_skew":"300"}`, fe(field("config.clock_skew", "expected a number"))},
		{"algorithm enum", `{"algorithms":["hmac-sha256","hmac-md5"]}`, fe(field("config.algorithms.2", algorithms))},
		{"array expected", `{"enforce_headers":"date"}`, fe(field("config.enforce_headers", "expected an array"))},
		{"boolean expected", `{"validate_request_body":1}`, fe(field("config.validate_request_body", "expected a boolean"))},
		{"empty realm", `{"realm":""}`, fe(field("config.realm", "length must be at least 1"))},
		{"unknown field", `{"secret":"x"}`, fe(field("config.secret", "unknown field"))},
	})
}

func TestHMACAuthRegistration(t *testing.T) {
	all := []string{"grpc", "grpcs", "http", "https", "ws", "wss"}
	checkRegistration(t, "hmac-auth", 1030, all, all, "consumer", "consumer_group")
}
