package pluginschema_test

import "testing"

func basicAuthDefaults() map[string]any {
	return map[string]any{
		"anonymous":        nil,
		"hide_credentials": false, // Konnect's default (Kong 3.15 says true)
		"realm":            "service",
		"brute_force_protection": map[string]any{
			"strategy": "off",
			"redis":    redisDefaults(),
		},
		"principals": map[string]any{
			"enabled":       false,
			"directory":     "default",
			"error_on_miss": true,
		},
	}
}

func TestBasicAuthDefaults(t *testing.T) {
	p := mustLookup(t, "basic-auth")
	for name, config := range map[string]string{
		"nil config":   "",
		"empty config": `{}`,
		"all null": `{"anonymous":null,"hide_credentials":null,"realm":null,"brute_force_protection":null,
			"principals":null}`,
		"null inside records": `{"brute_force_protection":{"strategy":null,"redis":{"port":null}},"principals":{}}`,
	} {
		t.Run(name, func(t *testing.T) {
			sameJSON(t, normalizeOK(t, p, decode(t, config)), basicAuthDefaults())
		})
	}
}

func TestBasicAuthValues(t *testing.T) {
	p := mustLookup(t, "basic-auth")
	in := decode(t, `{
		"anonymous": "guest",
		"hide_credentials": true,
		"realm": "shop",
		"brute_force_protection": {"strategy": "redis", "redis": {"host": "redis.internal", "port": 6380}},
		"principals": {"enabled": true, "directory": "staff"}
	}`)
	want := basicAuthDefaults()
	want["anonymous"] = "guest"
	want["hide_credentials"] = true
	want["realm"] = "shop"
	redis := redisDefaults()
	redis["host"] = "redis.internal"
	redis["port"] = int64(6380)
	want["brute_force_protection"] = map[string]any{"strategy": "redis", "redis": redis}
	want["principals"] = map[string]any{"enabled": true, "directory": "staff", "error_on_miss": true}
	sameJSON(t, normalizeOK(t, p, in), want)
}

func TestBasicAuthErrors(t *testing.T) {
	checkErrors(t, mustLookup(t, "basic-auth"), []errorCase{
		{"string expected", `{"anonymous":7}`, fe(field("config.anonymous", "expected a string"))},
		{"empty anonymous", `{"anonymous":""}`, fe(field("config.anonymous", "length must be at least 1"))},
		{"boolean expected", `{"hide_credentials":"yes"}`, fe(field("config.hide_credentials", "expected a boolean"))},
		{"empty realm", `{"realm":""}`, fe(field("config.realm", "length must be at least 1"))},
		{"record expected", `{"brute_force_protection":"off"}`,
			fe(field("config.brute_force_protection", "expected a record"))},
		{"strategy enum", `{"brute_force_protection":{"strategy":"disk"}}`,
			fe(field("config.brute_force_protection.strategy", "expected one of: cluster, memory, off, redis"))},
		{"redis port range", `{"brute_force_protection":{"redis":{"port":70000}}}`,
			fe(field("config.brute_force_protection.redis.port", "value should be between 0 and 65535"))},
		{"redis host with port", `{"brute_force_protection":{"redis":{"host":"redis:6379"}}}`,
			fe(field("config.brute_force_protection.redis.host", "must not have a port"))},
		{"principals record expected", `{"principals":[]}`, fe(field("config.principals", "expected a record"))},
		{"principals boolean expected", `{"principals":{"error_on_miss":"no"}}`,
			fe(field("config.principals.error_on_miss", "expected a boolean"))},
		{"unknown field", `{"key_names":["apikey"]}`, fe(field("config.key_names", "unknown field"))},
		{"errors sorted by path", `{"realm":1,"anonymous":false,"principals":{"enabled":1}}`, fe(
			field("config.anonymous", "expected a string"),
			field("config.principals.enabled", "expected a boolean"),
			field("config.realm", "expected a string"),
		)},
	})
}

func TestBasicAuthRegistration(t *testing.T) {
	all := []string{"grpc", "grpcs", "http", "https", "ws", "wss"}
	checkRegistration(t, "basic-auth", 1100, all, all, "consumer", "consumer_group")
}
