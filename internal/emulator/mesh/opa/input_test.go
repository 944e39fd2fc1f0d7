package opa

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestInputDocument: the ext_authz document has the fields a policy reads, named as the
// OPA-Envoy plugin names them.
func TestInputDocument(t *testing.T) {
	t.Parallel()
	r := request(http.MethodPost, "http://echo.mesh/people/42?lang=en&lang=fr", "Bearer x", `{"name":"alice"}`)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Add("X-Multi", "a")
	r.Header.Add("X-Multi", "b")
	in, err := Input(CheckRequest{
		Request: r, ID: "7", SendBody: true, Body: []byte(`{"name":"alice"}`),
		Source: "127.0.0.1:5555", Destination: "127.0.0.1:8080", SourcePrincipal: "spiffe://m/web", Time: time.Unix(0, 0),
	})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(in)
	for _, want := range []string{
		`"method":"POST"`, `"path":"/people/42?lang=en\u0026lang=fr"`, `"host":"echo.mesh"`, `"id":"7"`, `"protocol":"HTTP/1.1"`,
		`":authority":"echo.mesh"`, `":method":"POST"`, `":path":"/people/42?lang=en\u0026lang=fr"`, `"authorization":"Bearer x"`,
		`"x-multi":"a,b"`, `"content-length":"16"`, `"x-envoy-auth-partial-body":"false"`, `"body":"{\"name\":\"alice\"}"`, `"size":"16"`,
		`"parsed_path":["people","42"]`, `"parsed_query":{"lang":["en","fr"]}`, `"parsed_body":{"name":"alice"}`, `"truncated_body":false`,
		`"socketAddress":{"address":"127.0.0.1","portValue":5555}`, `"principal":"spiffe://m/web"`,
		`"version":{"encoding":"protojson","ext_authz":"v3"}`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("input lacks %s:\n%s", want, b)
		}
	}

	// A cut JSON body is reported as truncated and not parsed; a raw body goes as base64.
	cut, err := Input(CheckRequest{Request: r, SendBody: true, Body: []byte(`{"na`), Truncated: true})
	if err != nil {
		t.Fatal(err)
	}
	if cut["truncated_body"] != true || cut["parsed_body"] != nil {
		t.Errorf("truncated body: %v %v", cut["truncated_body"], cut["parsed_body"])
	}
	raw, _ := Input(CheckRequest{Request: r, SendBody: true, RawBody: true, Body: []byte("hi")})
	h := raw["attributes"].(map[string]any)["request"].(map[string]any)["http"].(map[string]any)
	if h["rawBody"] != "aGk=" || h["body"] != nil {
		t.Errorf("raw body: %v body %v", h["rawBody"], h["body"])
	}
	// No body unless asked.
	none, _ := Input(CheckRequest{Request: r})
	h = none["attributes"].(map[string]any)["request"].(map[string]any)["http"].(map[string]any)
	if _, ok := h["body"]; ok {
		t.Error("body sent without requestBody")
	}
	if _, ok := h["headers"].(map[string]any)[PartialBodyHeader]; ok {
		t.Error("partial-body header without a body")
	}
}
