package datakit

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// The test implementation of what the data plane supplies.

// upstreamRequest records what service_request wrote (what the upstream would receive).
type upstreamRequest struct {
	header http.Header
	query  string
	body   []byte
}

func newUpstreamRequest() *upstreamRequest { return &upstreamRequest{header: http.Header{}} }

func (u *upstreamRequest) SetHeader(name string, values []string) {
	if values == nil {
		u.header.Del(name)
		return
	}
	u.header[http.CanonicalHeaderKey(name)] = values
}
func (u *upstreamRequest) SetQuery(q string) { u.query = q }
func (u *upstreamRequest) SetBody(b []byte)  { u.body = b }

// clientResponse records what response wrote.
type clientResponse struct {
	status int
	header http.Header
	body   []byte
}

func (c *clientResponse) SetStatus(s int) { c.status = s }
func (c *clientResponse) SetHeader(name string, values []string) {
	if values == nil {
		c.header.Del(name)
		return
	}
	c.header[http.CanonicalHeaderKey(name)] = values
}
func (c *clientResponse) SetBody(b []byte) { c.body = b }

type upstreamAnswer struct {
	status int
	header http.Header
	body   []byte
}

func (a upstreamAnswer) Status() int           { return a.status }
func (a upstreamAnswer) Header() http.Header   { return a.header }
func (a upstreamAnswer) Body() ([]byte, error) { return a.body, nil }

// testProperties holds kong.ctx.shared.* and a read-only consumer.
type testProperties struct {
	mu       sync.Mutex
	shared   map[string]any
	consumer map[string]any
}

func (p *testProperties) Get(name string) (any, bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if k, ok := strings.CutPrefix(name, "kong.ctx.shared."); ok {
		v, found := p.shared[k]
		return v, found, nil
	}
	if name == "kong.client.consumer" {
		return p.consumer, p.consumer != nil, nil
	}
	return nil, false, errors.New("unknown property " + name)
}

func (p *testProperties) Set(name string, v any) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if k, ok := strings.CutPrefix(name, "kong.ctx.shared."); ok {
		p.shared[k] = v
		return nil
	}
	return errors.New("property " + name + " cannot be set")
}

type mapVault map[string]string

func (m mapVault) Resolve(_ context.Context, ref string) (string, error) {
	if v, ok := m[ref]; ok {
		return v, nil
	}
	return "", errors.New("not found")
}

// compile decodes a JSON config and compiles it, failing the test on error.
func compile(t testing.TB, config string) *Flow {
	t.Helper()
	f, err := Compile(decodeConfig(t, config))
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return f
}

func decodeConfig(t testing.TB, config string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(config), &m); err != nil {
		t.Fatalf("config: %v", err)
	}
	return m
}

type harness struct {
	env      *Env
	upstream *upstreamRequest
	props    *testProperties
}

func newHarness(method, target, body string, header http.Header) *harness {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	for k, v := range header {
		r.Header[k] = v
	}
	h := &harness{upstream: newUpstreamRequest(), props: &testProperties{shared: map[string]any{}}}
	h.env = &Env{Request: HTTPRequest(r, "http", 8000), ServiceRequest: h.upstream, Properties: h.props,
		Memory: func(string) Cache { return memory }, RequestID: "rid-1"}
	return h
}

var memory = NewMemoryCache()

// access runs a flow's access phase for h's request.
func (h *harness) access(t testing.TB, f *Flow) (*Exit, error) {
	t.Helper()
	return f.Start(h.env).Access(context.Background())
}

func jsonBody(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("body %q: %v", b, err)
	}
	return m
}

func readAll(t testing.TB, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
