package pluginschema_test

import (
	"encoding/json"
	"strings"
	"testing"
)

func requestTerminationDefaults() map[string]any {
	return map[string]any{
		"status_code":  int64(503),
		"message":      nil,
		"content_type": nil,
		"body":         nil,
		"echo":         false,
		"trigger":      nil,
	}
}

func TestRequestTerminationDefaults(t *testing.T) {
	p := mustLookup(t, "request-termination")
	for name, config := range map[string]string{
		"nil config":   "",
		"empty config": `{}`,
		"all null":     `{"status_code":null,"message":null,"content_type":null,"body":null,"echo":null,"trigger":null}`,
	} {
		t.Run(name, func(t *testing.T) {
			sameJSON(t, normalizeOK(t, p, decode(t, config)), requestTerminationDefaults())
		})
	}
	b, _ := json.Marshal(normalizeOK(t, p, nil))
	if !strings.Contains(string(b), `"status_code":503,`) {
		t.Errorf("JSON %s does not write status_code as an integer", b)
	}
}

func TestRequestTerminationValues(t *testing.T) {
	p := mustLookup(t, "request-termination")
	want := requestTerminationDefaults()
	want["status_code"] = int64(200)
	want["content_type"] = "application/json"
	want["body"] = `{"ok":true}`
	sameJSON(t, normalizeOK(t, p, decodeNumbers(t, `{"status_code":200.0,"content_type":"application/json","body":"{\"ok\":true}"}`)), want)

	want = requestTerminationDefaults()
	want["echo"] = true
	want["trigger"] = "X-Debug"
	want["message"] = "echoed"
	sameJSON(t, normalizeOK(t, p, decode(t, `{"echo":true,"trigger":"X-Debug","message":"echoed"}`)), want)
}

func TestRequestTerminationErrors(t *testing.T) {
	checkErrors(t, mustLookup(t, "request-termination"), []errorCase{
		// Field types and bounds.
		{"status too low", `{"status_code":99}`, fe(field("config.status_code", "value should be between 100 and 599"))},
		{"status too high", `{"status_code":600}`, fe(field("config.status_code", "value should be between 100 and 599"))},
		{"integer expected", `{"status_code":200.5}`, fe(field("config.status_code", "expected an integer"))},
		{"integer, not a string", `{"status_code":"200"}`, fe(field("config.status_code", "expected an integer"))},
		{"boolean expected", `{"echo":"true"}`, fe(field("config.echo", "expected a boolean"))},
		{"empty body", `{"body":""}`, fe(field("config.body", "length must be at least 1"))},
		{"bad trigger", `{"trigger":"X Debug"}`,
			fe(field("config.trigger", "bad header name 'X Debug', allowed characters are A-Z, a-z, 0-9, '_', and '-'"))},
		{"unknown field", `{"status":403}`, fe(field("config.status", "unknown field"))},

		// Rules on the whole config.
		{"message and body", `{"message":"bye","body":"bye"}`,
			fe(field("config", "message cannot be used with content_type or body"))},
		{"message and content type", `{"message":"bye","content_type":"text/plain"}`,
			fe(field("config", "message cannot be used with content_type or body"))},
		{"content type without a body", `{"content_type":"text/plain"}`,
			fe(field("config", "content_type requires a body"))},
		{"echo and a body", `{"echo":true,"body":"x"}`,
			fe(field("config", "echo cannot be used with content_type and body"))},
		{"echo and a full body", `{"echo":true,"body":"x","content_type":"text/plain"}`,
			fe(field("config", "echo cannot be used with content_type and body"))},
		{"whole-config rule waits for valid fields", `{"message":"bye","body":"bye","status_code":99}`,
			fe(field("config.status_code", "value should be between 100 and 599"))},
	})
}

func TestRequestTerminationAccepts(t *testing.T) {
	checkAccepts(t, mustLookup(t, "request-termination"),
		`{"status_code":100}`,
		`{"status_code":599,"message":"maintenance"}`,
		`{"body":"<h1>Closed</h1>","content_type":"text/html"}`,
		`{"body":"raw, no content type"}`,
		`{"echo":true,"trigger":"X-Echo"}`,
		`{"echo":false,"body":"x"}`,
	)
}

func TestRequestTerminationRegistration(t *testing.T) {
	http := []string{"grpc", "grpcs", "http", "https"}
	checkRegistration(t, "request-termination", 2, http, http)
}
