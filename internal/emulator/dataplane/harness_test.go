package dataplane

import (
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
	"github.com/openkonnect/terraform-provider-konnect/internal/pluginschema"
)

// testGateway is a proxy over a store filled directly (no API), with an echo upstream, for
// plugin tests: entities go in with add, requests go out with do.
type testGateway struct {
	t        testing.TB
	store    *store.Memory
	proxyURL string
	upstream *httptest.Server
	proxy    *Proxy
	n        int
}

// echoReply is what the test upstream answers: what it received.
type echoReply struct {
	Method  string              `json:"method"`
	Path    string              `json:"path"`
	Query   string              `json:"query"`
	Headers map[string][]string `json:"headers"`
	Body    string              `json:"body"`
}

const testCP = "cp-test"

func newTestGateway(t testing.TB) *testGateway {
	t.Helper()
	return newTestGatewayLogging(t, nil)
}

// newTestGatewayLogging is newTestGateway with the proxy logging to logger.
func newTestGatewayLogging(t testing.TB, logger *slog.Logger) *testGateway {
	t.Helper()
	return newTestGatewayConfigured(t, logger, Settings{})
}

// newTracedGateway is newTestGateway keeping request traces (g.traces).
func newTracedGateway(t testing.TB) *testGateway {
	t.Helper()
	return newTestGatewayConfigured(t, nil, Settings{Traces: NewTraceLog(100)})
}

// traces are the gateway's request traces, newest first.
func (g *testGateway) traces() []TraceView {
	g.t.Helper()
	var out []TraceView
	for _, tr := range g.proxy.settings.Traces.Traces(nil, 100) {
		out = append(out, tr.View())
	}
	return out
}

// newTestGatewayConfigured is newTestGatewayLogging with the node's settings.
func newTestGatewayConfigured(t testing.TB, logger *slog.Logger, settings Settings) *testGateway {
	t.Helper()
	g := &testGateway{t: t, store: store.NewMemory()}
	g.upstream = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Upstream", "yes")
		_ = json.NewEncoder(w).Encode(echoReply{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Headers: r.Header, Body: string(body)})
	}))
	t.Cleanup(g.upstream.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	proxy := NewProxy(g.store, testCP, logger)
	proxy.Configure(settings)
	g.proxy = proxy
	srv := NewServer(proxy.Handle, nil)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Shutdown(); proxy.Close() })
	g.proxyURL = "http://" + ln.Addr().String()
	return g
}

// add stores an entity of a kind (its "id" is set when missing) and returns the id. Plugin
// configs are completed through their schema, as the API would.
func (g *testGateway) add(kind string, e Entity) string {
	g.t.Helper()
	g.n++
	if Str(e, "id") == "" {
		e["id"] = kind + "-" + strconv.Itoa(g.n)
	}
	if kind == "plugins" {
		p, ok := pluginschema.Lookup(Str(e, "name"))
		if !ok {
			g.t.Fatalf("no schema for plugin %s", Str(e, "name"))
		}
		cfg, _ := e["config"].(map[string]any)
		full, errs := p.Normalize(cfg)
		if len(errs) > 0 {
			g.t.Fatalf("plugin %s config: %v", Str(e, "name"), errs)
		}
		e["config"] = full
		if _, ok := e["protocols"]; !ok {
			e["protocols"] = toAny(p.DefaultProtocols)
		}
		if _, ok := e["enabled"]; !ok {
			e["enabled"] = true
		}
	}
	body, err := json.Marshal(e)
	if err != nil {
		g.t.Fatal(err)
	}
	return g.addRaw(kind, e, body)
}

// addRaw stores an entity's body as given, bypassing the API's checks (entities an older or
// buggy writer could have left); e gives its id and references.
func (g *testGateway) addRaw(kind string, e Entity, body []byte) string {
	g.t.Helper()
	if Str(e, "id") == "" {
		g.n++
		e["id"] = kind + "-" + strconv.Itoa(g.n)
	}
	rec := &store.Record{ID: Str(e, "id"), Body: body}
	for _, f := range []string{"consumer", "consumer_group", "service", "route", "upstream"} {
		if id := RefID(e[f]); id != "" {
			rec.Refs = append(rec.Refs, store.Ref{Field: f, Kind: f + "s", ID: id})
		}
	}
	_ = g.store.Write(func(w store.Writer) error { w.Put(testCP, kind, rec); return nil })
	return rec.ID
}

func toAny(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}

// route adds a service pointing at the echo upstream and a route with the given paths; it
// returns the route's and the service's ids.
func (g *testGateway) route(paths ...string) (string, string) {
	g.t.Helper()
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(g.upstream.URL, "http://"))
	p, _ := strconv.Atoi(port)
	svc := g.add("services", Entity{"name": "svc-" + strconv.Itoa(g.n), "host": host, "port": p, "protocol": "http"})
	r := g.add("routes", Entity{"paths": toAny(paths), "service": map[string]any{"id": svc}, "protocols": []any{"http", "https"}, "strip_path": false})
	return r, svc
}

// consumer adds a consumer with a username and returns its id.
func (g *testGateway) consumer(username string) string {
	return g.add("consumers", Entity{"username": username})
}

// reply is what a test reads of a proxied response; the body is returned beside it, read and closed.
type reply struct {
	StatusCode int
	Header     http.Header
}

// noRedirects is a client that shows the proxy's redirects instead of following them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// do sends a request through the proxy.
func (g *testGateway) do(req *http.Request) (reply, []byte) {
	g.t.Helper()
	u := g.proxyURL + req.URL.RequestURI()
	out, err := http.NewRequest(req.Method, u, req.Body)
	if err != nil {
		g.t.Fatal(err)
	}
	out.Header = req.Header
	out.Host = req.Host
	resp, err := noRedirects.Do(out)
	if err != nil {
		g.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header}, body
}

// get is do for a GET with headers.
func (g *testGateway) get(path string, headers map[string]string) (reply, []byte) {
	g.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, path, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return g.do(req)
}

// echo decodes what the upstream received (fails the test if the answer is not an echo).
func (g *testGateway) echo(body []byte) echoReply {
	g.t.Helper()
	var e echoReply
	if err := json.Unmarshal(body, &e); err != nil {
		g.t.Fatalf("not an upstream echo: %s", body)
	}
	return e
}

func TestGatewayHarness(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	g.route("/h")
	g.add("plugins", Entity{"name": "key-auth"})
	c := g.consumer("bob")
	g.add("key-auth", Entity{"key": "k1", "consumer": map[string]any{"id": c}})
	resp, body := g.get("/h", map[string]string{"apikey": "k1"})
	if resp.StatusCode != http.StatusOK || http.Header(g.echo(body).Headers).Get("X-Consumer-Username") != "bob" {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	resp, _ = g.get("/h", nil)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no key: %d", resp.StatusCode)
	}
}

// buildPlugin builds a registered plugin from a config map, as a snapshot does.
func buildPlugin(t *testing.T, name string, config map[string]any) (Handler, error) {
	t.Helper()
	def, ok := lookupPlugin(name)
	if !ok {
		t.Fatalf("plugin %s is not registered", name)
	}
	return def.build(config, Entity{"name": name}, &resources{})
}
