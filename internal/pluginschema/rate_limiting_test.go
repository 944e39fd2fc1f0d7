package pluginschema_test

import (
	"encoding/json"
	"strings"
	"testing"
)

func redisDefaults() map[string]any {
	return map[string]any{
		"host":                 nil,
		"port":                 int64(6379),
		"timeout":              int64(2000),
		"username":             nil,
		"password":             nil,
		"database":             int64(0),
		"ssl":                  false,
		"ssl_verify":           false, // Konnect's default (Kong 3.15 says true)
		"server_name":          nil,
		"cloud_authentication": nil,
	}
}

func rateLimitingDefaults() map[string]any {
	return map[string]any{
		"second":              nil,
		"minute":              nil,
		"hour":                nil,
		"day":                 nil,
		"month":               nil,
		"year":                nil,
		"limit_by":            "consumer",
		"header_name":         nil,
		"path":                nil,
		"policy":              "local",
		"fault_tolerant":      true,
		"redis":               redisDefaults(),
		"hide_client_headers": false,
		"error_code":          429.0,
		"error_message":       "API rate limit exceeded",
		"sync_rate":           -1.0,
	}
}

func TestRateLimitingDefaults(t *testing.T) {
	p := mustLookup(t, "rate-limiting")
	want := rateLimitingDefaults()
	want["minute"] = 5.0
	for name, config := range map[string]string{
		"only a limit":    `{"minute":5}`,
		"null redis":      `{"minute":5,"redis":null}`,
		"empty redis":     `{"minute":5,"redis":{}}`,
		"null everywhere": `{"minute":5,"limit_by":null,"policy":null,"sync_rate":null,"redis":{"port":null,"ssl_verify":null}}`,
	} {
		t.Run(name, func(t *testing.T) {
			sameJSON(t, normalizeOK(t, p, decode(t, config)), want)
		})
	}
}

func TestRateLimitingJSON(t *testing.T) {
	p := mustLookup(t, "rate-limiting")
	out := normalizeOK(t, p, decode(t, `{"second":1.5,"hour":100}`))
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"error_code":429,`, `"port":6379,`, `"timeout":2000,`, `"second":1.5,`, `"hour":100,`, `"sync_rate":-1,`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
}

func TestRateLimitingRedis(t *testing.T) {
	p := mustLookup(t, "rate-limiting")
	in := decodeNumbers(t, `{
		"minute": 10, "policy": "redis", "sync_rate": 0.5,
		"redis": {"host": "redis.internal", "port": 6380, "password": "", "ssl": true,
			"server_name": "redis.example.com",
			"cloud_authentication": {"auth_provider": "aws", "aws_region": "eu-west-1"}}
	}`)
	want := rateLimitingDefaults()
	want["minute"] = 10.0
	want["policy"] = "redis"
	want["sync_rate"] = 0.5
	redis := want["redis"].(map[string]any)
	redis["host"] = "redis.internal"
	redis["port"] = int64(6380)
	redis["password"] = "" // the password may be empty
	redis["ssl"] = true
	redis["server_name"] = "redis.example.com"
	redis["cloud_authentication"] = map[string]any{
		"auth_provider":            "aws",
		"aws_access_key_id":        nil,
		"aws_assume_role_arn":      nil,
		"aws_cache_name":           nil,
		"aws_is_serverless":        true,
		"aws_region":               "eu-west-1",
		"aws_role_session_name":    nil,
		"aws_secret_access_key":    nil,
		"azure_client_id":          nil,
		"azure_client_secret":      nil,
		"azure_tenant_id":          nil,
		"gcp_service_account_json": nil,
	}
	sameJSON(t, normalizeOK(t, p, in), want)
}

func TestRateLimitingVaultReferences(t *testing.T) {
	p := mustLookup(t, "rate-limiting")
	out := normalizeOK(t, p, decode(t, `{"minute":1,"policy":"redis",
		"redis":{"host":"{vault://env/redis-host}","port":"{vault://env/redis-port}","password":"{vault://aws/redis/password}"}}`))
	redis := out["redis"].(map[string]any)
	sameJSON(t, []any{redis["host"], redis["port"], redis["password"]},
		[]any{"{vault://env/redis-host}", "{vault://env/redis-port}", "{vault://aws/redis/password}"})

	// Only referenceable fields take references.
	_, errs := p.Normalize(decode(t, `{"minute":1,"redis":{"timeout":"{vault://env/t}"}}`))
	sameErrors(t, errs, fe(field("config.redis.timeout", "expected an integer")))
}

func TestRateLimitingErrors(t *testing.T) {
	p := mustLookup(t, "rate-limiting")
	const atLeastOne = "at least one of these fields must be non-empty: 'config.second', 'config.minute', " +
		"'config.hour', 'config.day', 'config.month', 'config.year'"
	const limitByValues = "expected one of: consumer, credential, ip, service, header, path, consumer-group"
	for _, tc := range []struct {
		name   string
		config string
		want   []FieldError
	}{
		// At least one period.
		{"no limit", "", fe(entity(atLeastOne))},
		{"only null limits", `{"second":null,"year":null}`, fe(entity(atLeastOne))},
		{"no limit and a bad field", `{"policy":"memory"}`, fe(
			entity(atLeastOne),
			field("config.policy", "expected one of: local, redis"),
		)},

		// Field types and bounds.
		{"number expected", `{"minute":"5"}`, fe(field("config.minute", "expected a number"))},
		{"limit must be positive", `{"minute":0}`, fe(field("config.minute", "value must be greater than 0"))},
		{"error_code must be positive", `{"minute":1,"error_code":-429}`, fe(field("config.error_code", "value must be greater than 0"))},
		{"integer expected", `{"minute":1,"redis":{"database":1.5}}`, fe(field("config.redis.database", "expected an integer"))},
		{"port range", `{"minute":1,"redis":{"port":65536}}`, fe(field("config.redis.port", "value should be between 0 and 65535"))},
		{"timeout range", `{"minute":1,"redis":{"timeout":-1}}`, fe(field("config.redis.timeout", "value should be between 0 and 2147483646"))},
		{"boolean expected", `{"minute":1,"fault_tolerant":1}`, fe(field("config.fault_tolerant", "expected a boolean"))},
		{"record expected", `{"minute":1,"redis":"localhost"}`, fe(field("config.redis", "expected a record"))},
		{"empty string", `{"minute":1,"error_message":""}`, fe(field("config.error_message", "length must be at least 1"))},
		{"limit_by enum", `{"minute":1,"limit_by":"route"}`, fe(field("config.limit_by", limitByValues))},
		{"auth_provider enum", `{"minute":1,"redis":{"cloud_authentication":{"auth_provider":"ibm"}}}`,
			fe(field("config.redis.cloud_authentication.auth_provider", "expected one of: aws, azure, gcp"))},
		{"unknown field", `{"minute":1,"limit":5}`, fe(field("config.limit", "unknown field"))},
		{"deprecated shorthand is unknown", `{"minute":1,"redis_host":"localhost"}`, fe(field("config.redis_host", "unknown field"))},
		{"unknown redis field", `{"minute":1,"redis":{"hostname":"x"}}`, fe(field("config.redis.hostname", "unknown field"))},

		// Konnect is a control plane: no cluster policy.
		{"cluster policy", `{"minute":1,"policy":"cluster"}`, fe(field("config.policy", "expected one of: local, redis"))},

		// Typed strings.
		{"host with port", `{"minute":1,"redis":{"host":"redis:6379"}}`, fe(field("config.redis.host", "must not have a port"))},
		{"bad host", `{"minute":1,"redis":{"host":"redis host"}}`, fe(field("config.redis.host", "invalid value: redis host"))},
		{"server_name is an IP", `{"minute":1,"redis":{"server_name":"10.0.0.1"}}`, fe(field("config.redis.server_name", "must not be an IP"))},
		{"header name", `{"minute":1,"limit_by":"header","header_name":"X Client"}`,
			fe(field("config.header_name", "bad header name 'X Client', allowed characters are A-Z, a-z, 0-9, '_', and '-'"))},
		{"relative path", `{"minute":1,"limit_by":"path","path":"api"}`, fe(field("config.path", "should start with: /"))},
		{"empty segment", `{"minute":1,"limit_by":"path","path":"/api//v1"}`, fe(field("config.path", "must not have empty segments"))},
		{"bad path character", `{"minute":1,"path":"/a b"}`,
			fe(field("config.path", "invalid path: '/a b' (characters outside of the reserved list of RFC 3986 found)"))},
		{"bad escape", `{"minute":1,"path":"/a%zz"}`, fe(field("config.path", "invalid url-encoded value: '%zz'"))},

		// Conditional requirements.
		{"header_name required", `{"minute":1,"limit_by":"header"}`, fe(
			entity("failed conditional validation given value of field 'config.limit_by'"),
			field("config.header_name", "required field missing"),
		)},
		{"path required", `{"minute":1,"limit_by":"path"}`, fe(
			entity("failed conditional validation given value of field 'config.limit_by'"),
			field("config.path", "required field missing"),
		)},
		{"redis host required", `{"minute":1,"policy":"redis"}`, fe(
			entity("failed conditional validation given value of field 'config.policy'"),
			field("config.redis.host", "required field missing"),
		)},

		// Rules on the whole config.
		{"longer period lower", `{"minute":10,"hour":5}`,
			fe(field("config", "The limit for hour(5.0) cannot be lower than the limit for minute(10.0)"))},
		{"longer period lower, non-adjacent", `{"second":2.5,"minute":100,"year":2}`,
			fe(field("config", "The limit for year(2.0) cannot be lower than the limit for second(2.5)"))},
		{"sync_rate without redis", `{"minute":1,"sync_rate":10}`,
			fe(field("config", "sync_rate can only be used with the redis policy"))},
		{"sync_rate too small", `{"minute":1,"policy":"redis","redis":{"host":"localhost"},"sync_rate":0.01}`,
			fe(field("config", "sync_rate must be greater than 0.02, or -1 to disable"))},
		{"whole-config rule waits for valid fields", `{"minute":10,"hour":5,"error_message":""}`,
			fe(field("config.error_message", "length must be at least 1"))},
		{"entity errors first, in check order", `{"policy":"redis","limit_by":"header","sync_rate":0}`, fe(
			entity(atLeastOne),
			entity("failed conditional validation given value of field 'config.policy'"),
			entity("failed conditional validation given value of field 'config.limit_by'"),
			field("config", "sync_rate must be greater than 0.02, or -1 to disable"),
			field("config.header_name", "required field missing"),
			field("config.redis.host", "required field missing"),
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

func TestRateLimitingAccepts(t *testing.T) {
	p := mustLookup(t, "rate-limiting")
	for _, config := range []string{
		`{"second":1,"minute":1,"hour":1,"day":1,"month":1,"year":1}`,
		`{"minute":1,"limit_by":"header","header_name":"X-Client-Id"}`,
		`{"minute":1,"limit_by":"path","path":"/api/v1/%C3%A9t%C3%A9"}`,
		`{"minute":1,"limit_by":"consumer-group"}`,
		`{"minute":1,"policy":"redis","redis":{"host":"10.0.0.7"}}`,
		`{"minute":1,"policy":"redis","redis":{"host":"::1"}}`,
		`{"minute":1,"policy":"redis","redis":{"host":"redis.internal."}}`,
		`{"minute":1,"policy":"redis","redis":{"host":"redis"},"sync_rate":0.02}`,
		`{"minute":1,"policy":"redis","redis":{"host":"{vault://env/host}","port":6380.0}}`,
	} {
		t.Run(config, func(t *testing.T) {
			normalizeOK(t, p, decode(t, config))
		})
	}
}

func TestRateLimitingScope(t *testing.T) {
	p := mustLookup(t, "rate-limiting")
	sameErrors(t, p.CheckScope(Scope{Consumer: true, ConsumerGroup: true, Route: true, Service: true}), nil)
	got, errs := p.NormalizeProtocols(nil)
	sameErrors(t, errs, nil)
	sameJSON(t, got, []string{"grpc", "grpcs", "http", "https"})
	_, errs = p.NormalizeProtocols([]any{"ws"})
	sameErrors(t, errs, fe(field("protocols.1", "expected one of: grpc, grpcs, http, https")))
}

// Host checks follow Kong's normalize_ip: IPv4, IPv6 and names, never with a port.
func TestRateLimitingHosts(t *testing.T) {
	p := mustLookup(t, "rate-limiting")
	for host, want := range map[string]string{
		"redis":              "",
		"redis.internal":     "",
		"my_redis-1.local":   "",
		"10.1.2.3":           "",
		"::1":                "",
		"[::1]":              "",
		"2001:db8::7":        "",
		"redis:6379":         "must not have a port",
		"redis:70000":        "must not have a port",
		"10.1.2.3:6379":      "must not have a port",
		"[2001:db8::7]:6379": "must not have a port",
		"256.1.2.3":          "invalid value: 256.1.2.3",
		"10.1.2":             "invalid value: 10.1.2",
		"redis-.internal":    "invalid value: redis-.internal",
		"redis..internal":    "invalid value: redis..internal",
		"2001:db8::zz":       "invalid value: 2001:db8::zz",
		"redis/0":            "invalid value: redis/0",
	} {
		t.Run(host, func(t *testing.T) {
			config := map[string]any{"minute": 1.0, "redis": map[string]any{"host": host}}
			_, errs := p.Normalize(config)
			if want == "" {
				sameErrors(t, errs, nil)
			} else {
				sameErrors(t, errs, fe(field("config.redis.host", want)))
			}
		})
	}
	for name, want := range map[string]string{
		"redis.example.com":      "",
		"10.1.2.3":               "must not be an IP",
		"::1":                    "must not be an IP",
		"redis.example.com:6380": "must not have a port",
		"redis.example.com:1e3":  "invalid value: redis.example.com:1e3",
	} {
		t.Run("server_name "+name, func(t *testing.T) {
			config := map[string]any{"minute": 1.0, "redis": map[string]any{"server_name": name}}
			_, errs := p.Normalize(config)
			if want == "" {
				sameErrors(t, errs, nil)
			} else {
				sameErrors(t, errs, fe(field("config.redis.server_name", want)))
			}
		})
	}
}
