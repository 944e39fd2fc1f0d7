package emulator_test

import (
	"net/http"
	"strings"
	"testing"
)

// Regex paths and header regexes are compiled when written.
func TestRouteRegexesAreCheckedWhenWritten(t *testing.T) {
	t.Parallel()
	h := start(t)
	for _, tc := range []struct{ name, body, field, value string }{
		{"path", `{"paths":["/ok","~/(unclosed"]}`, "paths[1]", "~/(unclosed"},
		{"header", `{"headers":{"x-version":["v1","~*v(2"]}}`, "headers.x-version[1]", "~*v(2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := h.raw(http.MethodPost, h.core("/routes"), tc.body)
			if status != http.StatusBadRequest {
				t.Fatalf("%d %v", status, body)
			}
			d := body["details"].([]any)[0].(map[string]any)
			msg, _ := d["messages"].([]any)[0].(string)
			if d["field"] != tc.field || !strings.HasPrefix(msg, "invalid regex: '"+tc.value+"'") {
				t.Fatalf("detail: %v", d)
			}
		})
	}
	for _, body := range []string{`{"paths":["~/v(?<version>\\d+)/"]}`, `{"headers":{"x-version":["~*^v[0-9]+$"]}}`} {
		if status, answer := h.raw(http.MethodPost, h.core("/routes"), body); status != http.StatusCreated {
			t.Fatalf("valid regex %s: %d %v", body, status, answer)
		}
	}
}
