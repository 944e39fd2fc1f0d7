package sidecar

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// echoReply is what the test service answers: the request as it reached it.
type echoReply struct {
	Method  string      `json:"method"`
	Path    string      `json:"path"`
	Host    string      `json:"host"`
	Headers http.Header `json:"headers"`
	Body    string      `json:"body"`
}

// testMesh is one mesh with a dataplane dp-1 whose inbound (service echo) fronts an echo service.
type testMesh struct {
	t        testing.TB
	m        *Manager
	logs     *bytes.Buffer
	upstream *httptest.Server
	port     int
	protocol string
	client   *http.Client
}

func newTestMesh(t testing.TB) *testMesh {
	t.Helper()
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(echoReply{Method: r.Method, Path: r.URL.RequestURI(), Host: r.Host, Headers: r.Header, Body: string(body)})
	}))
	t.Cleanup(upstream.Close)
	logs := &bytes.Buffer{}
	m := NewManager(slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { _ = m.Close() })
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}, Timeout: 10 * time.Second}
	return &testMesh{t: t, m: m, logs: logs, upstream: upstream, port: freePort(t), protocol: "http", client: client}
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().(*net.TCPAddr).Port
}

func (tm *testMesh) upstreamPort() int {
	_, p, _ := net.SplitHostPort(tm.upstream.Listener.Addr().String())
	n, _ := strconv.Atoi(p)
	return n
}

// dataplane is dp-1 as the Kuma API returns it.
func (tm *testMesh) dataplane() json.RawMessage {
	return mustJSON(tm.t, map[string]any{
		"type": "Dataplane", "mesh": "m", "name": "dp-1", "labels": map[string]string{"app": "echo"},
		"networking": map[string]any{"address": "127.0.0.1", "inbound": []any{map[string]any{
			"port": tm.port, "servicePort": tm.upstreamPort(),
			"tags": map[string]string{"kuma.io/service": "echo", "kuma.io/protocol": tm.protocol, "version": "v1"},
		}}},
	})
}

// apply gives the manager dp-1 and the resources.
func (tm *testMesh) apply(r Resources) {
	tm.t.Helper()
	r.Dataplanes = append([]json.RawMessage{tm.dataplane()}, r.Dataplanes...)
	if err := tm.m.Apply("cp", "m", r); err != nil {
		tm.t.Fatal(err)
	}
}

type call struct {
	method, path string
	headers      map[string]string
	body         string
}

// do sends a request to dp-1's inbound and returns status, headers and body.
func (tm *testMesh) do(c call) (int, http.Header, string) {
	tm.t.Helper()
	if c.method == "" {
		c.method = http.MethodGet
	}
	if c.path == "" {
		c.path = "/people"
	}
	req, err := http.NewRequest(c.method, "http://127.0.0.1:"+strconv.Itoa(tm.port)+c.path, bytes.NewBufferString(c.body))
	if err != nil {
		tm.t.Fatal(err)
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	resp, err := tm.client.Do(req)
	if err != nil {
		tm.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func mustJSON(t testing.TB, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// opaResource is a MeshOPA resource on the whole mesh with the given spec.default.
func opaResource(t testing.TB, name string, def map[string]any) json.RawMessage {
	return mustJSON(t, map[string]any{"type": "MeshOPA", "mesh": "m", "name": name,
		"spec": map[string]any{"targetRef": map[string]any{"kind": "Mesh"}, "default": def}})
}

// inlinePolicy is a spec.default with one inline policy and the given authConfig.
func inlinePolicy(text string, authConfig map[string]any) map[string]any {
	d := map[string]any{"appendPolicies": []any{map[string]any{"rego": map[string]any{"inlineString": text}}}}
	if authConfig != nil {
		d["authConfig"] = authConfig
	}
	return d
}

func meshSecret(t testing.TB, name string, data []byte) json.RawMessage {
	return mustJSON(t, map[string]any{"type": "Secret", "mesh": "m", "name": name, "data": base64.StdEncoding.EncodeToString(data)})
}

func readPolicy(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("../opa/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// bearer is an Authorization value with an HS256 JWT (key "secret"), valid from a minute ago for validFor.
func bearer(t testing.TB, role string, validFor time.Duration) string {
	t.Helper()
	now := time.Now()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"role": role, "nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(validFor).Unix(),
	}).SignedString([]byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	return "Bearer " + s
}
