package emulator_test

import (
	"net/http"
	"testing"

	"github.com/google/uuid"
)

// The url shorthand sets protocol, host, port and path.
func TestServiceURLShorthand(t *testing.T) {
	t.Parallel()
	h := start(t)
	for _, tc := range []struct {
		url  string
		want map[string]any
	}{
		{"https://api.example.test/v1", map[string]any{"protocol": "https", "host": "api.example.test", "port": float64(443), "path": "/v1"}},
		{"http://api.example.test:8080", map[string]any{"protocol": "http", "host": "api.example.test", "port": float64(8080), "path": nil}},
		{"grpcs://grpc.example.test:9000", map[string]any{"protocol": "grpcs", "host": "grpc.example.test", "port": float64(9000)}},
	} {
		status, body := h.raw(http.MethodPost, h.core("/services"), `{"url":"`+tc.url+`"}`)
		if status != http.StatusCreated {
			t.Fatalf("%s: %d %v", tc.url, status, body)
		}
		if _, ok := body["url"]; ok {
			t.Errorf("%s: url is write-only but came back", tc.url)
		}
		checkFields(t, tc.url, body, tc.want)
	}
	status, body := h.raw(http.MethodPost, h.core("/services"), `{"url":"not a url"}`)
	if status != http.StatusBadRequest {
		t.Fatalf("bad url: %d %v", status, body)
	}
}

// With url beside protocol, host, port or path, the url's values win, as in Kong (the
// shorthand's expansion overwrites them): a path the url lacks is unset, not kept.
func TestServiceURLOverridesFields(t *testing.T) {
	t.Parallel()
	h := start(t)
	for _, tc := range []struct {
		body string
		want map[string]any
	}{
		{`{"url":"https://api.example.test:8443/v1","host":"other.example.test","protocol":"http","port":1,"path":"/x"}`,
			map[string]any{"protocol": "https", "host": "api.example.test", "port": float64(8443), "path": "/v1"}},
		{`{"url":"https://api.example.test","host":"api.example.test","path":"/x","port":8443}`,
			map[string]any{"protocol": "https", "host": "api.example.test", "port": float64(443), "path": nil}},
	} {
		for _, method := range []string{http.MethodPost, http.MethodPut} {
			path := h.core("/services")
			if method == http.MethodPut {
				path += "/" + uuid.NewString()
			}
			status, body := h.raw(method, path, tc.body)
			if status != http.StatusCreated && status != http.StatusOK {
				t.Fatalf("%s %s: %d %v", method, tc.body, status, body)
			}
			checkFields(t, method+" "+tc.body, body, tc.want)
		}
	}
}
