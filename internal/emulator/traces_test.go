package emulator_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/dataplane"
)

// startWith is start with emulator options.
func startWith(t *testing.T, opts emulator.Options) *harness {
	t.Helper()
	ctx := context.Background()
	emu, err := emulator.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	c, err := client.New(emu.URL, client.WithPersonalAccessToken(emu.Token))
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, emu: emu, c: c, ctx: ctx}
	r, err := c.CreateControlPlaneWithResponse(ctx, client.CreateControlPlaneRequest{Name: "cp-" + uuid.NewString()[:8]})
	if err != nil {
		t.Fatal(err)
	}
	h.cp = r.JSON201.Id
	return h
}

// traces reads GET /_emulator/requests with the given query.
func (h *harness) traces(query string) []dataplane.TraceView {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.emu.URL+"/_emulator/requests?"+query, nil)
	req.Header.Set("Authorization", "Bearer "+h.emu.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var out emulator.RequestTraces
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("GET /_emulator/requests?%s: %d", query, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		h.t.Fatal(err)
	}
	return out.Data
}

// trace is the trace of the request with this X-Kong-Request-Id.
func (h *harness) trace(requestID string) dataplane.TraceView {
	h.t.Helper()
	for _, tr := range h.traces("control_plane_id=" + h.cp.String()) {
		if tr.RequestID == requestID {
			return tr
		}
	}
	h.t.Fatalf("no trace of request %s", requestID)
	return dataplane.TraceView{}
}

// keyAuthRoute makes a service on an echo upstream with a route /k (named "keyed") guarded by
// key-auth, and a consumer alice with the key "alice-key".
func keyAuthRoute(t *testing.T, h *harness) (serviceID, routeID, consumerID string) {
	t.Helper()
	up := echoServer(t, "echo")
	host, port := hostPort(t, up.URL)
	svc := h.post("/services", fmt.Sprintf(`{"name":"keyed-svc","host":%q,"port":%d}`, host, port))
	route := h.post("/services/"+svc["id"].(string)+"/routes", `{"name":"keyed","paths":["/k"],"methods":["GET"],"hosts":["api.example.com"]}`)
	h.post("/routes/"+route["id"].(string)+"/plugins", `{"name":"key-auth"}`)
	consumer := h.post("/consumers", `{"username":"alice"}`)
	h.post("/consumers/"+consumer["id"].(string)+"/key-auth", `{"key":"alice-key"}`)
	return svc["id"].(string), route["id"].(string), consumer["id"].(string)
}

func TestKongDebugHeaderNamesRouteAndService(t *testing.T) {
	t.Parallel()
	on := startWith(t, emulator.Options{AllowDebugHeader: true})
	svcID, routeID, _ := keyAuthRoute(t, on)
	off := start(t)
	keyAuthRoute(t, off)
	for _, c := range []struct {
		name  string
		h     *harness
		debug bool
		key   string
		want  bool
	}{
		{"allowed, asked, proxied", on, true, "alice-key", true},
		{"allowed, asked, refused by key-auth", on, true, "", true},
		{"allowed, not asked", on, false, "alice-key", false},
		{"not allowed, asked", off, true, "alice-key", false},
	} {
		hdr := map[string]string{"Host": "api.example.com"}
		if c.debug {
			hdr["Kong-Debug"] = "1"
		}
		if c.key != "" {
			hdr["apikey"] = c.key
		}
		resp, body := send(t, c.h.proxy(), "GET", "/k", hdr)
		got := resp.Header.Get("Kong-Route-Id") != ""
		if got != c.want {
			t.Fatalf("%s: Kong-Route-Id present %v, want %v (%d %v %s)", c.name, got, c.want, resp.StatusCode, resp.Header, body)
		}
		if c.want && (resp.Header.Get("Kong-Route-Id") != routeID || resp.Header.Get("Kong-Route-Name") != "keyed" ||
			resp.Header.Get("Kong-Service-Id") != svcID || resp.Header.Get("Kong-Service-Name") != "keyed-svc") {
			t.Fatalf("%s: debug headers %v", c.name, resp.Header)
		}
	}
}

// debugOutput is X-Kong-Request-Debug-Output decoded.
type debugOutput struct {
	RequestID string                     `json:"request_id"`
	Child     map[string]json.RawMessage `json:"child"`
}

func TestRequestDebugOutput(t *testing.T) {
	t.Parallel()
	// The proxy is reached from loopback; a trusted_ips peer giving another address in
	// X-Real-IP makes the client remote, which then needs the token.
	h := startWith(t, emulator.Options{TrustedIPs: []string{"127.0.0.1"}, RequestDebugToken: "debug-secret"})
	keyAuthRoute(t, h)
	proxy := h.proxy()
	base := map[string]string{"Host": "api.example.com", "apikey": "alice-key"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	for _, c := range []struct {
		name string
		hdr  map[string]string
		want bool
	}{
		{"loopback, no token", with(map[string]string{"X-Kong-Request-Debug": "*"}), true},
		{"loopback, not *", with(map[string]string{"X-Kong-Request-Debug": "access"}), false},
		{"remote, no token", with(map[string]string{"X-Kong-Request-Debug": "*", "X-Real-IP": "203.0.113.5"}), false},
		{"remote, wrong token", with(map[string]string{"X-Kong-Request-Debug": "*", "X-Real-IP": "203.0.113.5", "X-Kong-Request-Debug-Token": "nope"}), false},
		{"remote, token", with(map[string]string{"X-Kong-Request-Debug": "*", "X-Real-IP": "203.0.113.5", "X-Kong-Request-Debug-Token": "debug-secret"}), true},
		{"not asked", base, false},
	} {
		resp, body := send(t, proxy, "GET", "/k", c.hdr)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", c.name, resp.StatusCode, body)
		}
		if saw := upstreamSaw(t, body); saw.Headers["X-Kong-Request-Debug"] != nil || saw.Headers["X-Kong-Request-Debug-Token"] != nil {
			t.Fatalf("%s: the upstream got the request-debugging headers: %v", c.name, saw.Headers)
		}
		raw := resp.Header.Get("X-Kong-Request-Debug-Output")
		if (raw != "") != c.want {
			t.Fatalf("%s: output %q, want one: %v", c.name, raw, c.want)
		}
		if !c.want {
			continue
		}
		var out debugOutput
		if err := json.Unmarshal([]byte(raw), &out); err != nil {
			t.Fatalf("%s: output is not JSON: %s", c.name, raw)
		}
		if out.RequestID != resp.Header.Get("X-Kong-Request-Id") || out.Child["access"] == nil || out.Child["upstream"] == nil ||
			!strings.Contains(string(out.Child["access"]), `"key-auth"`) || !strings.Contains(string(out.Child["access"]), `"router"`) {
			t.Fatalf("%s: output %s", c.name, raw)
		}
	}
}

func TestTraceExplainsKeyAuthRefusals(t *testing.T) {
	t.Parallel()
	h := start(t)
	_, routeID, consumerID := keyAuthRoute(t, h)
	proxy := h.proxy()
	for _, c := range []struct {
		name, key, decision string
		status              int
	}{
		{"no key", "", "no key in header `apikey`, query `apikey`", http.StatusUnauthorized},
		{"wrong key", "bob-key", "the key matches no key-auth credential", http.StatusUnauthorized},
		{"right key", "alice-key", "the key belongs to a key-auth credential", http.StatusOK},
	} {
		hdr := map[string]string{"Host": "api.example.com"}
		if c.key != "" {
			hdr["apikey"] = c.key
		}
		resp, body := send(t, proxy, "GET", "/k?x=1", hdr)
		if resp.StatusCode != c.status {
			t.Fatalf("%s: %d %s", c.name, resp.StatusCode, body)
		}
		tr := h.trace(resp.Header.Get("X-Kong-Request-Id"))
		if tr.Status != c.status || tr.Route == nil || tr.Route.ID != routeID || len(tr.Plugins) != 1 ||
			tr.Plugins[0].Name != "key-auth" || tr.Plugins[0].Decision != c.decision {
			t.Fatalf("%s: trace %+v", c.name, tr)
		}
		if c.status == http.StatusUnauthorized {
			if tr.Plugins[0].Status != http.StatusUnauthorized || tr.Upstream != nil || tr.Consumer != nil ||
				!strings.Contains(tr.Summary, "key-auth: "+c.decision+"; 401") {
				t.Fatalf("%s: trace %+v", c.name, tr)
			}
			continue
		}
		// Proxied: the consumer, the credential, and what the upstream got, the key redacted.
		u := tr.Upstream
		if tr.Consumer == nil || tr.Consumer.ID != consumerID || tr.Consumer.Name != "alice" || tr.Credential == nil ||
			tr.Credential.Type != "key-auth" || u == nil || u.Status != http.StatusOK || u.Method != http.MethodGet ||
			!strings.HasSuffix(u.URL, "/?x=1") || u.Headers["Apikey"][0] != "[redacted]" || u.Headers["X-Consumer-Username"][0] != "alice" || u.LatencyMS <= 0 {
			t.Fatalf("%s: trace %+v, upstream %+v", c.name, tr, u)
		}
	}
}

func TestTraceNamesClosestRouteWhenNoneMatches(t *testing.T) {
	t.Parallel()
	h := start(t)
	svcID, routeID, _ := keyAuthRoute(t, h)
	// A route that the router tries first (longer path) and that fails on more rules.
	h.post("/services/"+svcID+"/routes", `{"name":"far","paths":["/zzzz"],"methods":["PUT"],"hosts":["far.example.com"]}`)
	resp, body := send(t, h.proxy(), "GET", "/k", map[string]string{"Host": "other.example.com"})
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	tr := h.trace(resp.Header.Get("X-Kong-Request-Id"))
	if tr.NoRoute == nil || tr.NoRoute.ClosestRoute == nil || tr.NoRoute.ClosestRoute.ID != routeID || len(tr.NoRoute.Failed) != 1 ||
		!strings.HasPrefix(tr.NoRoute.Failed[0], `host: "other.example.com"`) || !strings.Contains(tr.NoRoute.Failed[0], "api.example.com") ||
		tr.Message != "no Route matched with those values" {
		t.Fatalf("trace %+v %+v", tr, tr.NoRoute)
	}
	// Two rules failing: the method and the path.
	resp, _ = send(t, h.proxy(), "POST", "/other", map[string]string{"Host": "api.example.com"})
	tr = h.trace(resp.Header.Get("X-Kong-Request-Id"))
	if tr.NoRoute == nil || len(tr.NoRoute.Failed) != 2 || !strings.HasPrefix(tr.NoRoute.Failed[0], "method: POST is not one of GET") ||
		!strings.HasPrefix(tr.NoRoute.Failed[1], "path: /other matches none of /k") {
		t.Fatalf("trace %+v", tr.NoRoute)
	}
}

func TestTraceOfRateLimitedRequestAndFilters(t *testing.T) {
	t.Parallel()
	h := start(t)
	_, routeID, _ := keyAuthRoute(t, h)
	h.post("/routes/"+routeID+"/plugins", `{"name":"rate-limiting","config":{"day":1,"limit_by":"consumer"}}`)
	proxy := h.proxy()
	hdr := map[string]string{"Host": "api.example.com", "apikey": "alice-key"}
	first, _ := send(t, proxy, "GET", "/k", hdr)
	second, body := send(t, proxy, "GET", "/k", hdr)
	if first.StatusCode != http.StatusOK || second.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("%d then %d %s", first.StatusCode, second.StatusCode, body)
	}
	tr := h.trace(second.Header.Get("X-Kong-Request-Id"))
	if len(tr.Plugins) != 2 || tr.Plugins[1].Name != "rate-limiting" || tr.Plugins[1].Status != http.StatusTooManyRequests ||
		!strings.HasPrefix(tr.Plugins[1].Decision, "limit of 1 per day reached for consumer ") ||
		!strings.Contains(tr.Plugins[1].Decision, "day: 1 of 1 used") {
		t.Fatalf("trace %+v", tr.Plugins)
	}
	send(t, proxy, "GET", "/nowhere", nil)
	cp := "control_plane_id=" + h.cp.String()
	for _, c := range []struct {
		query string
		want  []int
	}{
		{cp, []int{404, 429, 200}},
		{cp + "&status=429", []int{429}},
		{cp + "&status=2xx", []int{200}},
		{cp + "&route=keyed", []int{429, 200}},
		{cp + "&route=" + routeID, []int{429, 200}},
		{cp + "&consumer=alice", []int{429, 200}},
		{cp + "&consumer=nobody", nil},
		{cp + "&limit=1", []int{404}},
		{"control_plane_id=" + uuid.NewString(), nil},
	} {
		var got []int
		for _, tr := range h.traces(c.query) {
			got = append(got, tr.Status)
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Fatalf("%s: statuses %v, want %v (newest first)", c.query, got, c.want)
		}
	}
	if status, _ := h.raw(http.MethodGet, "/_emulator/requests?colour=red", ""); status != http.StatusBadRequest {
		t.Fatalf("an unknown filter: %d", status)
	}
	if status, _ := h.raw(http.MethodGet, "/_emulator/requests", "", ""); status != http.StatusUnauthorized {
		t.Fatalf("without the token: %d", status)
	}
}

func TestTraceBufferKeepsTheNewest(t *testing.T) {
	t.Parallel()
	h := startWith(t, emulator.Options{TraceBuffer: 3})
	proxy := h.proxy()
	var ids []string
	for i := 0; i < 5; i++ {
		resp, _ := send(t, proxy, "GET", fmt.Sprintf("/nowhere/%d", i), nil)
		ids = append(ids, resp.Header.Get("X-Kong-Request-Id"))
	}
	got := h.traces("")
	if len(got) != 3 || got[0].RequestID != ids[4] || got[1].RequestID != ids[3] || got[2].RequestID != ids[2] || got[0].Seq != got[1].Seq+1 {
		t.Fatalf("kept %d traces: %+v", len(got), got)
	}
	if after := h.traces(fmt.Sprintf("after=%d", got[1].Seq)); len(after) != 1 || after[0].RequestID != ids[4] {
		t.Fatalf("after: %+v", after)
	}
}

// lockedBuffer collects log lines written from the proxy's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// At debug level every request's trace is logged, even with no trace buffer.
func TestTraceIsLoggedAtDebugLevel(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := startWith(t, emulator.Options{Logger: logger, TraceBuffer: -1})
	keyAuthRoute(t, h)
	resp, _ := send(t, h.proxy(), "GET", "/k", map[string]string{"Host": "api.example.com"})
	id := resp.Header.Get("X-Kong-Request-Id")
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "request trace") && strings.Contains(line, id) {
			if !strings.Contains(line, "key-auth: no key in header `apikey`, query `apikey`; 401") {
				t.Fatalf("logged trace: %s", line)
			}
			if got := h.traces(""); len(got) != 0 {
				t.Fatalf("no buffer was asked for, yet %d traces are kept", len(got))
			}
			return
		}
	}
	t.Fatalf("no trace of %s in the log:\n%s", id, logs.String())
}
