package emulator_test

import (
	"net/http"
	"testing"
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
