package dataplane

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// syncBuffer is a log destination safe for the proxy's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestBadEntitiesAreSkipped stores, past the API's checks, one entity of each kind the data
// plane cannot apply, and shows that each is left out and logged while the rest is served.
func TestBadEntitiesAreSkipped(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	g := newTestGatewayLogging(t, slog.New(slog.NewTextHandler(logs, nil)))
	g.route("/good")

	// A route whose regex Go cannot compile (a PCRE look-ahead).
	_, svc := g.route("/other")
	badRegex := g.add("routes", Entity{"paths": []any{"~/(?=x)"}, "service": map[string]any{"id": svc}})
	// A header regex that does not compile either.
	badHeader := g.add("routes", Entity{"paths": []any{"/hdr"}, "headers": map[string]any{"x-a": []any{"~*(("}}, "service": map[string]any{"id": svc}})
	// A service whose host cannot be a host, and its route.
	badSvc := g.add("services", Entity{"name": "bad", "host": "not a host", "port": 80, "protocol": "http"})
	badSvcRoute := g.add("routes", Entity{"paths": []any{"/bad-service"}, "service": map[string]any{"id": badSvc}})
	// A body that is not JSON at all.
	garbled := g.addRaw("consumers", Entity{}, []byte("{not json"))
	// A plugin whose config does not decode into what the plugin reads, on its own route.
	brokenRoute, _ := g.route("/broken-plugin")
	broken := g.addRaw("plugins", Entity{"route": map[string]any{"id": brokenRoute}},
		[]byte(`{"name":"cors","enabled":true,"protocols":["http","https"],"route":{"id":"`+brokenRoute+`"},"config":{"origins":"not a list"}}`))
	// A plugin the data plane has no schema for.
	unknown := g.addRaw("plugins", Entity{}, []byte(`{"name":"no-such-plugin","enabled":true,"config":{}}`))

	for path, want := range map[string]int{"/good": 200, "/other": 200, "/hdr": 404, "/bad-service": 404, "/broken-plugin": 500} {
		if resp, body := g.get(path, nil); resp.StatusCode != want {
			t.Errorf("%s: %d, want %d: %s", path, resp.StatusCode, want, body)
		}
	}
	skipped := map[string]Skipped{}
	for _, s := range g.proxy.Skipped() {
		skipped[s.ID] = s
	}
	for id, reason := range map[string]string{badRegex: "regex", badHeader: "regex", badSvc: "not a host", badSvcRoute: "service",
		garbled: "does not decode", broken: "answered 500", unknown: "unknown plugin"} {
		s, ok := skipped[id]
		if !ok || !strings.Contains(s.Reason, reason) {
			t.Errorf("%s: skipped %+v, want a reason with %q", id, s, reason)
		}
		if !strings.Contains(logs.String(), id) {
			t.Errorf("%s: not logged", id)
		}
	}
	if len(skipped) != 7 {
		t.Errorf("skipped %d entities, want 7: %+v", len(skipped), skipped)
	}
}

func TestPluginSupportTable(t *testing.T) {
	t.Parallel()
	byName := map[string]PluginSupport{}
	for _, p := range Plugins() {
		byName[p.Name] = p
	}
	for _, name := range Registered() {
		if !byName[name].Runs {
			t.Errorf("%s is registered but not listed as run", name)
		}
	}
	// Derived from the config type: basic-auth reads neither of its brute-force nor its
	// principals settings.
	if got := byName["basic-auth"].NotEnforced; strings.Join(got, ",") != "brute_force_protection,principals" {
		t.Errorf("basic-auth not enforced: %v", got)
	}
	if got := byName["jwt"].NotEnforced; len(got) != 0 {
		t.Errorf("jwt not enforced: %v", got)
	}
	raw, _ := json.Marshal(byName["acl"])
	if string(raw) != `{"name":"acl","runs":true,"not_enforced":[]}` {
		t.Errorf("acl: %s", raw)
	}
}

func TestNotEnforcedFields(t *testing.T) {
	t.Parallel()
	schema, _ := lookupSchema(t, "rate-limiting")
	type redisPart struct {
		Host string `json:"host"`
	}
	type partial struct {
		Minute float64   `json:"minute"`
		Redis  redisPart `json:"redis"`
	}
	got, err := notEnforcedFields(schema, typeOf[partial](), "")
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(got, ",")
	for _, want := range []string{"second", "redis.port", "redis.cloud_authentication", "sync_rate"} {
		if !strings.Contains(","+joined+",", ","+want+",") {
			t.Errorf("%s not reported in %s", want, joined)
		}
	}
	for _, declared := range []string{"minute", "redis.host", "redis,"} {
		if strings.Contains(","+joined+",", ","+declared) && declared != "redis," {
			t.Errorf("%s reported though declared: %s", declared, joined)
		}
	}
	type typo struct {
		Minit float64 `json:"minit"`
	}
	if _, err := notEnforcedFields(schema, typeOf[typo](), ""); err == nil || !strings.Contains(err.Error(), "minit") {
		t.Errorf("a field the schema lacks: %v", err)
	}
}

func TestResourcesAreClosedWithTheProxy(t *testing.T) {
	t.Parallel()
	p := NewProxy(nil, "cp", nil)
	closed := 0
	open := func() (io.Closer, error) { return closerFunc(func() error { closed++; return nil }), nil }
	in := Instance{resources: &p.resources}
	for _, key := range []string{"redis:a", "redis:a", "redis:b", "redis:a"} {
		if _, err := in.Resource(key, open); err != nil {
			t.Fatal(err)
		}
	}
	p.Close()
	if closed != 2 {
		t.Fatalf("closed %d resources, want 2 (one per key)", closed)
	}
	if _, err := in.Resource("redis:a", open); err == nil {
		t.Fatal("a closed proxy opened a resource")
	}
}

// TestDisabledServiceIsNotRouted: as in Kong, the routes of a service with enabled=false are
// left out of the router, so another route that matches serves the request.
func TestDisabledServiceIsNotRouted(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	g.route("/")
	host, portText, _ := net.SplitHostPort(strings.TrimPrefix(g.upstream.URL, "http://"))
	port, _ := strconv.Atoi(portText)
	service := Entity{"id": "svc-off", "name": "off", "host": host, "port": port, "protocol": "http", "path": "/via-off"}
	g.add("services", service)
	g.add("routes", Entity{"paths": []any{"/off"}, "service": map[string]any{"id": "svc-off"}, "strip_path": false})
	if resp, body := g.get("/off/x", nil); resp.StatusCode != http.StatusOK || g.echo(body).Path != "/via-off/off/x" {
		t.Fatalf("enabled: %d %s", resp.StatusCode, body)
	}
	service["enabled"] = false
	g.add("services", service)
	if resp, body := g.get("/off/x", nil); resp.StatusCode != http.StatusOK || g.echo(body).Path != "/off/x" {
		t.Fatalf("disabled: %d %s", resp.StatusCode, body)
	}
	if len(g.proxy.Skipped()) != 0 {
		t.Fatalf("a disabled service is no fault: %+v", g.proxy.Skipped())
	}
}
