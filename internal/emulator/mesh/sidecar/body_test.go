package sidecar

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// seenPolicy denies every request with a 418 whose body is what the policy saw of the body.
const seenPolicy = `package envoy.authz

http_request := input.attributes.request.http

allow := {
	"allowed": false,
	"http_status": 418,
	"body": json.marshal({
		"body": object.get(http_request, "body", null),
		"rawBody": object.get(http_request, "rawBody", null),
		"partial": object.get(http_request.headers, "x-envoy-auth-partial-body", null),
		"truncated": input.truncated_body,
		"parsed": input.parsed_body,
	}),
}
`

// TestRequestBodyToPolicy: the body reaches the policy only with requestBody.maxSize, cut at
// maxSize with x-envoy-auth-partial-body: true; sendRawBody sends base64 bytes instead.
func TestRequestBodyToPolicy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		requestBody map[string]any
		body        string
		want        string
	}{
		{"no requestBody", nil, `{"a":"0123456789"}`,
			`{"body":null,"parsed":null,"partial":null,"rawBody":null,"truncated":false}`},
		{"maxSize 0", map[string]any{"maxSize": 0}, `{"a":"0123456789"}`,
			`{"body":null,"parsed":null,"partial":null,"rawBody":null,"truncated":false}`},
		{"whole body", map[string]any{"maxSize": 100}, `{"a":"0123456789"}`,
			`{"body":"{\"a\":\"0123456789\"}","parsed":{"a":"0123456789"},"partial":"false","rawBody":null,"truncated":false}`},
		{"truncated", map[string]any{"maxSize": 8}, `{"a":"0123456789"}`,
			`{"body":"{\"a\":\"01","parsed":null,"partial":"true","rawBody":null,"truncated":true}`},
		{"raw", map[string]any{"maxSize": 4, "sendRawBody": true}, `{"a":"0123456789"}`,
			`{"body":null,"parsed":null,"partial":"true","rawBody":"eyJhIg==","truncated":false}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			tm := newTestMesh(t)
			var auth map[string]any
			if c.requestBody != nil {
				auth = map[string]any{"requestBody": c.requestBody}
			}
			tm.apply(Resources{MeshOPAs: []json.RawMessage{opaResource(t, "seen", inlinePolicy(seenPolicy, auth))}})
			status, h, body := tm.do(call{method: http.MethodPost, body: c.body, headers: map[string]string{"Content-Type": "application/json"}})
			if status != http.StatusTeapot || body != c.want {
				t.Fatalf("status %d body\n%s\nwant\n%s", status, body, c.want)
			}
			if h.Get("Content-Type") != "text/plain" {
				t.Errorf("deny content-type %q", h.Get("Content-Type"))
			}
		})
	}
}

// TestBodyStillReachesService: reading the body for the policy leaves the whole body for the service.
func TestBodyStillReachesService(t *testing.T) {
	t.Parallel()
	tm := newTestMesh(t)
	tm.apply(Resources{MeshOPAs: []json.RawMessage{opaResource(t, "open", inlinePolicy(
		"package envoy.authz\n\nallow if input.attributes.request.http.headers[\"x-envoy-auth-partial-body\"] == \"true\"\n",
		map[string]any{"requestBody": map[string]any{"maxSize": 3}}))}})
	long := strings.Repeat("abcdefghij", 1000)
	status, _, body := tm.do(call{method: http.MethodPost, body: long})
	var e echoReply
	if status != http.StatusOK || json.Unmarshal([]byte(body), &e) != nil || e.Body != long {
		t.Fatalf("status %d, service got %d bytes", status, len(e.Body))
	}
}
