package dataplane

import (
	"bufio"
	"cmp"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// upstreamGateway is a test gateway whose proxy the test holds (to close it, or to set its
// limits), with a service whose host is an upstream's name.
type upstreamGateway struct {
	*testGateway
	proxy    *Proxy
	protocol string // the service's; http when empty
	svc      string // the service's id, once upstream made it
}

func newUpstreamGateway(t *testing.T) *upstreamGateway {
	t.Helper()
	g := &testGateway{t: t, store: store.NewMemory()}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	proxy := NewProxy(g.store, testCP, nil)
	srv := NewServer(proxy.Handle, nil)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Shutdown(); proxy.Close() })
	g.proxyURL = "http://" + ln.Addr().String()
	return &upstreamGateway{testGateway: g, proxy: proxy}
}

// upstream adds an upstream named "backend" with the given fields, targets at the addresses,
// a service on it and a route /u to the service; it returns the upstream's id.
func (g *upstreamGateway) upstream(fields Entity, addrs ...string) string {
	fields["name"] = "backend"
	u := g.add("upstreams", fields)
	for _, a := range addrs {
		g.add("targets", Entity{"target": a, "weight": 100, "upstream": map[string]any{"id": u}})
	}
	g.svc = g.add("services", Entity{"name": "svc", "host": "backend", "port": 80, "protocol": cmp.Or(g.protocol, "http"), "retries": 5})
	g.add("routes", Entity{"paths": []any{"/u"}, "service": map[string]any{"id": g.svc}, "protocols": []any{"http"}, "strip_path": false})
	return u
}

// testTarget is an upstream target that answers with its name in X-Target and counts what it
// receives; fail makes its answers (and health probes) 500 while set.
type testTarget struct {
	name  string
	addr  string
	fail  atomic.Bool
	block chan struct{} // when set, requests to /u/block wait on it
	got   chan string   // requests to /u/block are announced here
}

func newTestTargets(t *testing.T, names ...string) []*testTarget {
	t.Helper()
	return startTestTargets(t, false, names...)
}

// startTestTargets starts targets serving HTTP, or HTTPS with a self-signed certificate.
func startTestTargets(t *testing.T, useTLS bool, names ...string) []*testTarget {
	t.Helper()
	var out []*testTarget
	for _, name := range names {
		tt := &testTarget{name: name, got: make(chan string, 16)}
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/status" {
				if tt.fail.Load() {
					w.WriteHeader(http.StatusInternalServerError)
				}
				return
			}
			w.Header().Set("X-Target", tt.name)
			w.Header().Set("X-Host", r.Host)
			if r.URL.Query().Has("set-cookie") {
				w.Header().Add("Set-Cookie", "sticky=from-upstream")
				w.Header().Add("Set-Cookie", "other=kept")
			}
			if r.URL.Path == "/u/block" && tt.block != nil {
				tt.got <- tt.name
				<-tt.block
			}
			if tt.fail.Load() {
				w.WriteHeader(http.StatusInternalServerError)
			}
		}))
		if useTLS {
			srv.StartTLS()
		} else {
			srv.Start()
		}
		t.Cleanup(srv.Close)
		tt.addr = srv.Listener.Addr().String()
		out = append(out, tt)
	}
	return out
}

func addrs(targets []*testTarget) []string {
	var out []string
	for _, t := range targets {
		out = append(out, t.addr)
	}
	return out
}

// hit sends GET path with headers through the proxy and returns the status and the target.
func (g *upstreamGateway) hit(path string, headers map[string]string) (int, string) {
	g.t.Helper()
	resp, _ := g.get(path, headers)
	return resp.StatusCode, resp.Header.Get("X-Target")
}

func TestRoundRobinFollowsWeights(t *testing.T) {
	t.Parallel()
	g := newUpstreamGateway(t)
	ts := newTestTargets(t, "a", "b")
	u := g.add("upstreams", Entity{"name": "backend"})
	g.add("targets", Entity{"target": ts[0].addr, "weight": 300, "upstream": map[string]any{"id": u}})
	g.add("targets", Entity{"target": ts[1].addr, "weight": 100, "upstream": map[string]any{"id": u}})
	svc := g.add("services", Entity{"name": "svc", "host": "backend", "port": 80, "protocol": "http"})
	g.add("routes", Entity{"paths": []any{"/u"}, "service": map[string]any{"id": svc}, "protocols": []any{"http"}})
	seen := map[string]int{}
	for range 40 { // ten turns of the wheel
		_, target := g.hit("/u", nil)
		seen[target]++
	}
	if seen["a"] != 30 || seen["b"] != 10 {
		t.Errorf("answers by target %v, want a:30 b:10", seen)
	}
}

func TestConsistentHashingKeepsAValueOnOneTarget(t *testing.T) {
	t.Parallel()
	ts := newTestTargets(t, "a", "b", "c")
	cases := []struct {
		name     string
		upstream Entity
		request  func(i int) (string, map[string]string) // the i-th distinct value's request
		setup    func(g *upstreamGateway)                // more entities, after the upstream's
	}{
		{name: "consumer", upstream: Entity{"hash_on": "consumer"},
			request: func(i int) (string, map[string]string) {
				return "/u", map[string]string{"apikey": "key" + strconv.Itoa(i)}
			},
			setup: func(g *upstreamGateway) {
				g.add("plugins", Entity{"name": "key-auth"})
				for i := range 30 {
					c := g.consumer("user" + strconv.Itoa(i))
					g.add("key-auth", Entity{"key": "key" + strconv.Itoa(i), "consumer": map[string]any{"id": c}})
				}
			}},
		{name: "uri_capture", upstream: Entity{"hash_on": "uri_capture", "hash_on_uri_capture": "user"},
			request: func(i int) (string, map[string]string) { return "/c/user" + strconv.Itoa(i), nil },
			setup: func(g *upstreamGateway) {
				g.add("routes", Entity{"paths": []any{"~/c/(?<user>[a-z0-9]+)$"}, "service": map[string]any{"id": g.svc}, "protocols": []any{"http"}})
			}},
		{name: "header", upstream: Entity{"hash_on": "header", "hash_on_header": "X-User"},
			request: func(i int) (string, map[string]string) {
				return "/u", map[string]string{"X-User": "user" + strconv.Itoa(i)}
			}},
		{name: "query_arg", upstream: Entity{"hash_on": "query_arg", "hash_on_query_arg": "user"},
			request: func(i int) (string, map[string]string) { return "/u?user=" + strconv.Itoa(i), nil }},
		{name: "path", upstream: Entity{"hash_on": "path"},
			request: func(i int) (string, map[string]string) { return "/u/" + strconv.Itoa(i), nil }},
		{name: "cookie", upstream: Entity{"hash_on": "cookie", "hash_on_cookie": "sticky"},
			request: func(i int) (string, map[string]string) {
				return "/u", map[string]string{"Cookie": "sticky=v" + strconv.Itoa(i)}
			}},
		{name: "header falls back to query_arg",
			upstream: Entity{"hash_on": "header", "hash_on_header": "X-Absent", "hash_fallback": "query_arg", "hash_fallback_query_arg": "user"},
			request:  func(i int) (string, map[string]string) { return "/u?user=" + strconv.Itoa(i), nil }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := newUpstreamGateway(t)
			tc.upstream["algorithm"] = "consistent-hashing"
			g.upstream(tc.upstream, addrs(ts)...)
			if tc.setup != nil {
				tc.setup(g)
			}
			used := map[string]bool{}
			for i := range 30 {
				path, headers := tc.request(i)
				_, first := g.hit(path, headers)
				for range 3 {
					if _, again := g.hit(path, headers); again != first {
						t.Fatalf("value %d went to %s, then %s", i, first, again)
					}
				}
				used[first] = true
			}
			if len(used) < 2 {
				t.Errorf("30 values all went to %v", used)
			}
		})
	}
}

// Without the hashing cookie, Kong makes one up and sets it, so the client sticks to a target.
func TestConsistentHashingSetsTheCookie(t *testing.T) {
	t.Parallel()
	g := newUpstreamGateway(t)
	ts := newTestTargets(t, "a", "b", "c")
	g.upstream(Entity{"algorithm": "consistent-hashing", "hash_on": "cookie", "hash_on_cookie": "sticky", "hash_on_cookie_path": "/u"}, addrs(ts)...)
	resp, _ := g.get("/u", nil)
	set := resp.Header.Get("Set-Cookie")
	value, ok := strings.CutPrefix(set, "sticky=")
	value, ok2 := strings.CutSuffix(value, "; Path=/u; Same-Site=Lax; HttpOnly")
	if !ok || !ok2 || len(value) != 36 {
		t.Fatalf("Set-Cookie %q, want sticky=<uuid>; Path=/u; Same-Site=Lax; HttpOnly", set)
	}
	cookie := &http.Cookie{Name: "sticky", Value: value}
	first := resp.Header.Get("X-Target")
	for range 5 {
		resp, _ := g.get("/u", map[string]string{"Cookie": "sticky=" + cookie.Value})
		if got := resp.Header.Get("X-Target"); got != first {
			t.Fatalf("with the cookie: %s, then %s", first, got)
		}
		if resp.Header.Get("Set-Cookie") != "" {
			t.Fatal("the cookie is set again though the client sent it")
		}
	}
	// Kong's cookie replaces the upstream's of the same name and keeps the others.
	resp, _ = g.get("/u?set-cookie=1", nil)
	cookies := resp.Header.Values("Set-Cookie")
	if len(cookies) != 2 || !slices.Contains(cookies, "other=kept") || slices.Contains(cookies, "sticky=from-upstream") {
		t.Errorf("Set-Cookie %q, want other=kept and Kong's sticky", cookies)
	}
}

// Removing a target moves the values it served and leaves nearly all others where they were
// (a few move as in Kong, whose continuum resolves point collisions in target order).
func TestConsistentHashingMovesOnlyTheRemovedTargetsValues(t *testing.T) {
	t.Parallel()
	g := newUpstreamGateway(t)
	ts := newTestTargets(t, "a", "b", "c")
	u := g.upstream(Entity{"algorithm": "consistent-hashing", "hash_on": "header", "hash_on_header": "X-User"})
	ids := map[string]string{}
	for _, tt := range ts {
		ids[tt.name] = g.add("targets", Entity{"target": tt.addr, "weight": 100, "upstream": map[string]any{"id": u}})
	}
	user := func(i int) map[string]string { return map[string]string{"X-User": "user" + strconv.Itoa(i)} }
	before := map[int]string{}
	for i := range 60 {
		_, before[i] = g.hit("/u", user(i))
	}
	_ = g.store.Write(func(w store.Writer) error { w.Delete(testCP, "targets", ids["c"]); return nil })
	fromC, stayed, moved := 0, 0, 0
	for i := range 60 {
		_, after := g.hit("/u", user(i))
		switch {
		case after == "c":
			t.Fatalf("user%d still goes to the removed target", i)
		case before[i] == "c":
			fromC++
		case after == before[i]:
			stayed++
		default:
			moved++
		}
	}
	if fromC == 0 || moved*4 > stayed {
		t.Errorf("%d values left the removed target; of the others %d stayed and %d moved", fromC, stayed, moved)
	}
}

// The upstream's host_header is the Host sent to its targets, with the port as Kong adds it.
func TestUpstreamHostHeader(t *testing.T) {
	t.Parallel()
	g := newUpstreamGateway(t)
	ts := newTestTargets(t, "a")
	g.upstream(Entity{"host_header": "api.internal"}, addrs(ts)...)
	resp, _ := g.get("/u", nil)
	_, port, _ := net.SplitHostPort(ts[0].addr)
	if got := resp.Header.Get("X-Host"); got != "api.internal:"+port {
		t.Errorf("Host upstream %q, want api.internal:%s", got, port)
	}
}

// Least-connections sends new requests to the target with fewer requests in flight.
func TestLeastConnectionsAvoidsTheBusyTarget(t *testing.T) {
	t.Parallel()
	g := newUpstreamGateway(t)
	ts := newTestTargets(t, "a", "b")
	release := make(chan struct{})
	got := make(chan string, 2)
	for _, tt := range ts {
		tt.block, tt.got = release, got
	}
	g.upstream(Entity{"algorithm": "least-connections"}, addrs(ts)...)
	done := make(chan struct{})
	go func() {
		defer close(done)
		g.hit("/u/block", nil)
	}()
	busy := <-got
	for range 6 {
		if _, target := g.hit("/u", nil); target == busy {
			t.Errorf("a request went to %s, which has one in flight", target)
		}
	}
	close(release)
	<-done
}

// The latency algorithm prefers the target that answered faster.
func TestLatencyPrefersTheFasterTarget(t *testing.T) {
	t.Parallel()
	b := newBalancer(Entity{"algorithm": "latency"}, []Entity{{"target": "10.0.0.1:80"}, {"target": "10.0.0.2:80"}}, nil)
	first, _ := b.pick("", &attempts{})
	second, _ := b.pick("", &attempts{})
	if first.p == second.p {
		t.Fatal("a target without a sample is not tried first")
	}
	slow, fast := first, second
	b.finished(slow, tryResult{status: 200}, 80*time.Millisecond)
	b.finished(fast, tryResult{status: 200}, 2*time.Millisecond)
	for range 5 {
		pp, _ := b.pick("", &attempts{})
		if pp.p != fast.p {
			t.Fatalf("picked %s, want the faster %s", pp.p.addr, fast.p.addr)
		}
		b.finished(pp, tryResult{status: 200}, 2*time.Millisecond)
	}
}

// failure503 checks Kong's answer when no target is healthy.
func failure503(t *testing.T, g *upstreamGateway) {
	t.Helper()
	resp, body := g.get("/u", nil)
	var msg struct {
		Message   string `json:"message"`
		RequestID string `json:"request_id"`
	}
	if resp.StatusCode != http.StatusServiceUnavailable || json.Unmarshal(body, &msg) != nil ||
		msg.Message != "failure to get a peer from the ring-balancer" || msg.RequestID == "" {
		t.Fatalf("all targets unhealthy: %d %s", resp.StatusCode, body)
	}
}

func passiveChecks(unhealthy Entity) Entity {
	return Entity{"healthchecks": map[string]any{"passive": map[string]any{"unhealthy": unhealthy}}}
}

// Passive checks count proxied answers: after http_failures 500s a target leaves the
// rotation; with every target out, Kong answers 503.
func TestPassiveHealthcheckHTTPFailures(t *testing.T) {
	t.Parallel()
	g := newUpstreamGateway(t)
	ts := newTestTargets(t, "a", "b")
	ts[0].fail.Store(true)
	g.upstream(passiveChecks(Entity{"http_failures": 2, "http_statuses": []any{500}}), addrs(ts)...)
	for range 4 { // a's two 500s, with b's answers between
		g.hit("/u", nil)
	}
	for range 5 {
		if status, target := g.hit("/u", nil); status != http.StatusOK || target != "b" {
			t.Fatalf("after a's failures: %d from %q, want 200 from b", status, target)
		}
	}
	ts[1].fail.Store(true)
	g.hit("/u", nil)
	g.hit("/u", nil)
	failure503(t, g)
}

// Connection failures count as tcp_failures; the retry goes on to the next target. The
// request whose retry finds no healthy peer left gets nginx's 503; the next ones Kong's.
func TestPassiveHealthcheckTCPFailures(t *testing.T) {
	t.Parallel()
	g := newUpstreamGateway(t)
	g.upstream(passiveChecks(Entity{"tcp_failures": 1}), closedAddr(t), closedAddr(t))
	resp, body := g.get("/u", nil)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.HasPrefix(string(body), "The upstream server is currently unavailable\n") {
		t.Fatalf("retry without a healthy peer: %d %q", resp.StatusCode, body)
	}
	failure503(t, g)
}

// An upstream that does not answer in the service's read_timeout gets 504, counted as a
// timeout.
func TestPassiveHealthcheckTimeouts(t *testing.T) {
	t.Parallel()
	g := newUpstreamGateway(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	t.Cleanup(func() { close(release); _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { <-release; _ = conn.Close() }() // reads nothing, answers nothing
		}
	}()
	checks := passiveChecks(Entity{"timeouts": 1})
	checks["name"] = "backend"
	u := g.add("upstreams", checks)
	g.add("targets", Entity{"target": ln.Addr().String(), "upstream": map[string]any{"id": u}})
	svc := g.add("services", Entity{"name": "svc", "host": "backend", "port": 80, "protocol": "http", "read_timeout": 50})
	g.add("routes", Entity{"paths": []any{"/u"}, "service": map[string]any{"id": svc}, "protocols": []any{"http"}})
	if status, _ := g.hit("/u", nil); status != http.StatusGatewayTimeout {
		t.Fatalf("first request: %d, want 504", status)
	}
	failure503(t, g)
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// waitFor polls cond until it holds, failing the test after a generous bound.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting until %s", what)
}

func activeChecks() Entity {
	return Entity{"healthchecks": map[string]any{"active": map[string]any{
		"type": "http", "http_path": "/status", "timeout": 1,
		"healthy":   map[string]any{"interval": 0.02, "successes": 1},
		"unhealthy": map[string]any{"interval": 0.02, "http_failures": 1, "http_statuses": []any{500}},
	}}}
}

// Active probes take a failing target out of the rotation and bring it back once it answers
// again; with every target failing, Kong answers 503.
func TestActiveHealthcheck(t *testing.T) {
	t.Parallel()
	for _, scheme := range []string{"http", "https"} {
		t.Run(scheme, func(t *testing.T) {
			t.Parallel()
			testActiveHealthcheck(t, scheme)
		})
	}
}

func testActiveHealthcheck(t *testing.T, scheme string) {
	g := newUpstreamGateway(t)
	ts := startTestTargets(t, scheme == "https", "a", "b")
	checks := activeChecks()
	active := checks["healthchecks"].(map[string]any)["active"].(map[string]any)
	active["type"], active["https_verify_certificate"] = scheme, false
	g.protocol = scheme
	g.upstream(checks, addrs(ts)...)
	allFrom := func(want string) func() bool {
		return func() bool {
			for range 4 {
				if status, target := g.hit("/u", nil); status != http.StatusOK || target != want {
					return false
				}
			}
			return true
		}
	}
	g.hit("/u", nil) // builds the balancer, which starts probing
	ts[0].fail.Store(true)
	waitFor(t, "a leaves the rotation", allFrom("b"))
	ts[1].fail.Store(true)
	ts[0].fail.Store(false)
	waitFor(t, "b leaves and a comes back", allFrom("a"))
	ts[0].fail.Store(true)
	waitFor(t, "no target is healthy", func() bool {
		resp, _ := g.get("/u", nil)
		return resp.StatusCode == http.StatusServiceUnavailable
	})
	failure503(t, g)
}

// The active checker stops when its upstream changes or goes (without waiting for traffic to
// notice), and when the proxy closes.
func TestActiveHealthcheckStops(t *testing.T) {
	t.Parallel()
	g := newUpstreamGateway(t)
	ts := newTestTargets(t, "a")
	checks := activeChecks()
	u := g.upstream(checks, addrs(ts)...)
	current := func() *balancer {
		s, err := g.proxy.snapshot()
		if err != nil {
			t.Fatal(err)
		}
		return s.balancers["backend"]
	}
	// caughtUp: the proxy's snapshot is at the store's generation (a checker's tick rebuilt it).
	caughtUp := func() bool {
		c := g.proxy.snap.Load()
		return c != nil && c.generation == g.store.Generation()
	}
	first := current()
	if first == nil || first.done == nil || first.stopped() {
		t.Fatal("no active checker runs")
	}
	g.add("routes", Entity{"paths": []any{"/other"}, "protocols": []any{"http"}})
	waitFor(t, "the checker's tick reads the change", caughtUp)
	if current() != first || first.stopped() {
		t.Fatal("an unrelated change replaced the upstream's checker")
	}
	checks["id"], checks["slots"] = u, 100
	g.add("upstreams", checks)
	waitFor(t, "changing the upstream stops its checker", first.stopped)
	second := current()
	if second == first || second.stopped() {
		t.Fatal("the changed upstream has no checker of its own")
	}
	_ = g.store.Write(func(w store.Writer) error { w.Delete(testCP, "upstreams", u); return nil })
	waitFor(t, "deleting the upstream stops its checker", second.stopped)
	if current() != nil {
		t.Fatal("the deleted upstream still has a balancer")
	}
	g.add("upstreams", checks)
	third := current()
	g.proxy.Close()
	g.proxy.Close()
	if !third.stopped() {
		t.Fatal("closing the proxy did not stop the checker")
	}
	g.add("upstreams", Entity{"id": u, "name": "backend", "healthchecks": checks["healthchecks"], "slots": 200})
	if after := current(); after == nil || !after.stopped() {
		t.Fatal("a checker started after the proxy closed")
	}
}

// Stopping the checker ends a probe that waits, over TLS too, without waiting for the probe's
// timeout. The stop comes as the target finishes the TLS handshake, while the probe moves on to
// the TLS connection: the stop closes the connection from a goroutine of its own, and the race
// detector checks that it shares nothing unguarded with the probe.
func TestActiveHealthcheckStopEndsAWaitingProbe(t *testing.T) {
	t.Parallel()
	certs := httptest.NewUnstartedServer(http.NotFoundHandler())
	certs.StartTLS() // for its certificate
	certs.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	shaken := make(chan struct{}, 1)
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { _ = conn.Close() }()
				tc := tls.Server(conn, certs.TLS.Clone())
				if tc.Handshake() != nil {
					return
				}
				select {
				case shaken <- struct{}{}:
				default:
				}
				_, _ = io.Copy(io.Discard, tc) // never answers; ends when the probe closes
			}()
		}
	}()
	checks := activeChecks()
	active := checks["healthchecks"].(map[string]any)["active"].(map[string]any)
	active["type"], active["https_verify_certificate"], active["timeout"] = "https", false, 3600
	for range 10 {
		b := newBalancer(checks, []Entity{{"target": ln.Addr().String()}}, nil)
		b.startActive(nil)
		<-shaken
		closed := make(chan struct{})
		go func() { b.Close(); close(closed) }()
		select {
		case <-closed:
		case <-time.After(time.Minute):
			t.Fatal("closing the checker waited for its probe's timeout")
		}
	}
}

// A request the upstream may have received is not sent again: a POST on a pooled connection
// that the upstream reads and then drops gets 502, and the upstream sees it once.
func TestNonIdempotentRequestIsNotReplayed(t *testing.T) {
	t.Parallel()
	for _, method := range []string{http.MethodPost, http.MethodPatch} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			g := newUpstreamGateway(t)
			up := newDroppingUpstream(t, method)
			svc := g.add("services", Entity{"name": "svc", "host": "127.0.0.1", "port": up.port, "protocol": "http"})
			g.add("routes", Entity{"paths": []any{"/u"}, "service": map[string]any{"id": svc}, "protocols": []any{"http"}})
			if status, _ := g.hit("/u", nil); status != http.StatusOK { // opens the pooled connection
				t.Fatalf("GET: %d", status)
			}
			req, _ := http.NewRequest(method, "/u", strings.NewReader("pay once"))
			resp, body := g.do(req)
			if resp.StatusCode != http.StatusBadGateway || !strings.Contains(string(body), "An invalid response was received from the upstream server") {
				t.Errorf("%s: %d %s, want 502", method, resp.StatusCode, body)
			}
			if n := up.received.Load(); n != 1 {
				t.Errorf("the upstream received the %s %d times", method, n)
			}
		})
	}
}

// droppingUpstream answers GETs (keeping the connection) and reads any request of its
// method, then closes the connection without answering.
type droppingUpstream struct {
	port     int
	received atomic.Int64
}

func newDroppingUpstream(t *testing.T, method string) *droppingUpstream {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	up := &droppingUpstream{port: ln.Addr().(*net.TCPAddr).Port}
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { _ = conn.Close() }()
				br := bufio.NewReader(conn)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					_, _ = req.Body.Read(make([]byte, 64))
					if req.Method == method {
						up.received.Add(1)
						return
					}
					_, _ = conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
				}
			}()
		}
	}()
	return up
}

// An upstream answer over the proxy's limit is refused with Kong's 502.
func TestUpstreamAnswerSizeLimit(t *testing.T) {
	t.Parallel()
	g := newUpstreamGateway(t)
	g.proxy.upstreams.maxResponseBody = 1000
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		if r.URL.Query().Get("chunked") == "" {
			w.Header().Set("Content-Length", strconv.Itoa(n))
		}
		_, _ = w.Write([]byte(strings.Repeat("x", n)))
	}))
	t.Cleanup(up.Close)
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(up.URL, "http://"))
	p, _ := strconv.Atoi(port)
	svc := g.add("services", Entity{"name": "svc", "host": host, "port": p, "protocol": "http"})
	g.add("routes", Entity{"paths": []any{"/u"}, "service": map[string]any{"id": svc}, "protocols": []any{"http"}})
	for _, tc := range []struct {
		query  string
		status int
	}{
		{"n=1000", http.StatusOK},
		{"n=1001", http.StatusBadGateway},
		{"n=5000&chunked=1", http.StatusBadGateway},
		{"n=900&chunked=1", http.StatusOK},
	} {
		resp, body := g.get("/u?"+tc.query, nil)
		if resp.StatusCode != tc.status {
			t.Errorf("%s: %d, want %d", tc.query, resp.StatusCode, tc.status)
		}
		if tc.status == http.StatusBadGateway && !strings.Contains(string(body), "An invalid response was received from the upstream server") {
			t.Errorf("%s: body %s", tc.query, body)
		}
	}
}

// A pooled connection the upstream closed while it was idle is not used for a POST: the POST
// goes on a new connection and succeeds, once.
func TestNonIdempotentRequestSkipsAClosedPooledConnection(t *testing.T) {
	t.Parallel()
	g := newUpstreamGateway(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var posts atomic.Int64
	closed := make(chan struct{}, 1)
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { _ = conn.Close() }()
				req, err := http.ReadRequest(bufio.NewReader(conn))
				if err != nil {
					return
				}
				if req.Method == http.MethodPost {
					posts.Add(1)
				}
				// Answered as kept alive, then closed: the proxy pools a dead connection.
				_, _ = conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
				_ = conn.Close()
				if req.Method == http.MethodGet {
					closed <- struct{}{}
				}
			}()
		}
	}()
	svc := g.add("services", Entity{"name": "svc", "host": "127.0.0.1", "port": ln.Addr().(*net.TCPAddr).Port, "protocol": "http"})
	g.add("routes", Entity{"paths": []any{"/u"}, "service": map[string]any{"id": svc}, "protocols": []any{"http"}})
	if status, _ := g.hit("/u", nil); status != http.StatusOK {
		t.Fatalf("GET: %d", status)
	}
	<-closed
	req, _ := http.NewRequest(http.MethodPost, "/u", strings.NewReader("once"))
	if resp, body := g.do(req); resp.StatusCode != http.StatusOK {
		t.Errorf("POST: %d %s", resp.StatusCode, body)
	}
	if n := posts.Load(); n != 1 {
		t.Errorf("the upstream received the POST %d times", n)
	}
}

// sticky-sessions keeps a client on the target its cookie names, and moves it (with a new
// cookie) once that target is unhealthy.
func TestStickySessions(t *testing.T) {
	t.Parallel()
	g := newUpstreamGateway(t)
	ts := newTestTargets(t, "a", "b")
	fields := passiveChecks(Entity{"http_failures": 1, "http_statuses": []any{500}})
	fields["algorithm"], fields["sticky_sessions_cookie"] = "sticky-sessions", "session"
	g.upstream(fields, addrs(ts)...)
	resp, _ := g.get("/u", nil)
	first := resp.Header.Get("X-Target")
	value, ok := strings.CutPrefix(resp.Header.Get("Set-Cookie"), "session=")
	value, ok2 := strings.CutSuffix(value, "; Path=/; Same-Site=Lax; HttpOnly")
	if !ok || !ok2 || value == "" {
		t.Fatalf("Set-Cookie %q", resp.Header.Get("Set-Cookie"))
	}
	withCookie := map[string]string{"Cookie": "session=" + value}
	for range 5 {
		resp, _ := g.get("/u", withCookie)
		if got := resp.Header.Get("X-Target"); got != first || resp.Header.Get("Set-Cookie") != "" {
			t.Fatalf("with the cookie: %s (Set-Cookie %q), want %s and no new cookie", got, resp.Header.Get("Set-Cookie"), first)
		}
	}
	failing, other := ts[0], ts[1]
	if first == "b" {
		failing, other = ts[1], ts[0]
	}
	failing.fail.Store(true)
	g.get("/u", withCookie) // its 500 makes it unhealthy
	resp, _ = g.get("/u", withCookie)
	if got := resp.Header.Get("X-Target"); got != other.name || !strings.HasPrefix(resp.Header.Get("Set-Cookie"), "session=") ||
		strings.HasPrefix(resp.Header.Get("Set-Cookie"), "session="+value+";") {
		t.Errorf("after %s failed: %s with Set-Cookie %q, want %s and a new cookie", first, got, resp.Header.Get("Set-Cookie"), other.name)
	}
}

// With nothing to hash on (hash_on none, or a fallback that gives nothing), Kong hashes the
// empty value: every request goes to one target.
func TestConsistentHashingWithoutAValue(t *testing.T) {
	t.Parallel()
	g := newUpstreamGateway(t)
	ts := newTestTargets(t, "a", "b", "c")
	g.upstream(Entity{"algorithm": "consistent-hashing", "hash_on": "header", "hash_on_header": "X-Absent"}, addrs(ts)...)
	_, first := g.hit("/u", nil)
	for i := range 10 {
		if _, got := g.hit("/u?n="+strconv.Itoa(i), nil); got != first {
			t.Fatalf("went to %s, then %s", first, got)
		}
	}
}

// With healthchecks.threshold, the upstream serves only while that share of its targets'
// weight is healthy.
func TestHealthcheckThreshold(t *testing.T) {
	t.Parallel()
	g := newUpstreamGateway(t)
	ts := newTestTargets(t, "a", "b")
	ts[0].fail.Store(true)
	fields := passiveChecks(Entity{"http_failures": 1, "http_statuses": []any{500}})
	fields["healthchecks"].(map[string]any)["threshold"] = 60
	g.upstream(fields, addrs(ts)...)
	g.hit("/u", nil)
	g.hit("/u", nil) // one of the two was a's 500: half the weight is healthy, under 60%
	failure503(t, g)
}
