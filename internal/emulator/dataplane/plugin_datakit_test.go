package dataplane

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/openkonnect/terraform-provider-konnect/internal/redistest"
)

// tokenService is a third party's token endpoint: it answers a bearer token for an
// X-Api-Key only when it received the client-credentials form, and counts its calls.
type tokenService struct {
	*httptest.Server
	calls atomic.Int64
}

func newTokenService(t testing.TB) *tokenService {
	ts := &tokenService{}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		key := r.Header.Get("X-Api-Key")
		if r.Method != http.MethodPost || string(body) != "grant_type=client_credentials" ||
			r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || key == "" {
			http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"token_type": "Bearer", "access_token": "token-for-" + key})
	}))
	t.Cleanup(ts.Close)
	return ts
}

// thirdPartyAuthFlow is the four-node flow (Kong's third-party auth example).
func thirdPartyAuthFlow(tokenURL string, debug bool) map[string]any {
	return jsonConfig(`{"debug":` + map[bool]string{true: "true", false: "false"}[debug] + `,"nodes":[
		{"name":"STATIC_INPUTS","type":"static",
		 "values":{"headers":{"Content-Type":"application/x-www-form-urlencoded"},"body":"grant_type=client_credentials"}},
		{"name":"BUILD_HEADERS","type":"jq","inputs":{"headers":"STATIC_INPUTS.headers","query":"request.query"},
		 "jq":".headers * { \"X-Api-Key\": (.query.api_key // \"none\") }"},
		{"name":"AUTH_REQUEST","type":"call","inputs":{"headers":"BUILD_HEADERS","body":"STATIC_INPUTS.body"},
		 "url":"` + tokenURL + `","method":"POST"},
		{"name":"UPSTREAM_AUTH_HEADER","type":"jq","input":"AUTH_REQUEST.body","output":"service_request.headers",
		 "jq":"{ Authorization: (.token_type + \" \" + .access_token) }"}]}`)
}

func jsonConfig(s string) map[string]any {
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		panic(err)
	}
	return m
}

func TestDatakitThirdPartyAuth(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	tokens := newTokenService(t)
	route, _ := g.route("/dk")
	g.add("plugins", Entity{"name": "datakit", "route": map[string]any{"id": route}, "config": thirdPartyAuthFlow(tokens.URL+"/auth-token", false)})

	resp, body := g.get("/dk?api_key=secret", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if got := http.Header(g.echo(body).Headers).Get("Authorization"); got != "Bearer token-for-secret" {
		t.Errorf("upstream Authorization = %q", got)
	}
	// No api_key: the jq falls back to "none".
	_, body = g.get("/dk", nil)
	if got := http.Header(g.echo(body).Headers).Get("Authorization"); got != "Bearer token-for-none" {
		t.Errorf("without api_key: upstream Authorization = %q", got)
	}
	if tokens.calls.Load() != 2 {
		t.Errorf("token service called %d times, want 2", tokens.calls.Load())
	}
}

// A failing call node gives the client Kong's 500; with debug the node is named.
func TestDatakitTokenServiceDown(t *testing.T) {
	t.Parallel()
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close()
	for _, debug := range []bool{false, true} {
		g := newTestGateway(t)
		g.route("/dk")
		g.add("plugins", Entity{"name": "datakit", "config": thirdPartyAuthFlow(downURL+"/auth-token", debug)})
		resp, body := g.get("/dk?api_key=x", nil)
		if resp.StatusCode != http.StatusInternalServerError {
			t.Fatalf("debug %t: status %d: %s", debug, resp.StatusCode, body)
		}
		var got map[string]any
		_ = json.Unmarshal(body, &got)
		switch {
		case !debug && got["message"] != "An unexpected error occurred":
			t.Errorf("body %s", body)
		case debug && !strings.Contains(string(body), "AUTH_REQUEST"):
			t.Errorf("debug body does not name the node: %s", body)
		case resp.Header.Get("X-Upstream") != "":
			t.Error("the request was proxied")
		}
	}
}

// An exit node answers the client; the upstream is not called.
func TestDatakitExit(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	g.route("/dk")
	g.add("plugins", Entity{"name": "datakit", "config": jsonConfig(`{"nodes":[
		{"name":"BODY","type":"static","values":{"body":{"hello":"world"},"headers":{"X-Exit":"yes"}}},
		{"name":"STOP","type":"exit","status":418,"input":"BODY"}]}`)})
	resp, body := g.get("/dk", nil)
	if resp.StatusCode != http.StatusTeapot || resp.Header.Get("X-Exit") != "yes" || resp.Header.Get("X-Upstream") != "" {
		t.Fatalf("status %d headers %v", resp.StatusCode, resp.Header)
	}
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil || got["hello"] != "world" {
		t.Errorf("body %s", body)
	}
}

// A node reading the upstream's answer changes what the client receives.
func TestDatakitResponsePhase(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	g.route("/dk")
	g.add("plugins", Entity{"name": "datakit", "config": jsonConfig(`{"nodes":[
		{"name":"SEEN","type":"jq","inputs":{"status":"service_response.status","headers":"service_response.headers"},
		 "output":"response.headers","jq":"{ \"X-Seen-Status\": (.status|tostring), \"X-Seen-Upstream\": .headers[\"X-Upstream\"] }"}]}`)})
	resp, body := g.get("/dk", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Seen-Status") != "200" || resp.Header.Get("X-Seen-Upstream") != "yes" {
		t.Fatalf("status %d headers %v", resp.StatusCode, resp.Header)
	}
	g.echo(body) // the body is the upstream's
}

// The response phase may change the status and body together.
func TestDatakitResponseExit(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	g.route("/dk")
	g.add("plugins", Entity{"name": "datakit", "config": jsonConfig(`{"nodes":[
		{"name":"WRAP","type":"jq","input":"service_response.body","jq":"{ wrapped: .method }"},
		{"name":"STOP","type":"exit","status":201,"inputs":{"body":"WRAP"}}]}`)})
	resp, body := g.get("/dk", nil)
	if resp.StatusCode != http.StatusCreated || strings.TrimSpace(string(body)) != `{"wrapped":"GET"}` {
		t.Fatalf("status %d body %s", resp.StatusCode, body)
	}
}

// cacheNodes answer the cached value of query k: 200 with v on a miss (storing it), 203 with
// the stored value on a hit.
const cacheNodes = `[
	{"name":"KEY","type":"jq","input":"request.query","jq":".k"},
	{"name":"GET","type":"cache","inputs":{"key":"KEY"}},
	{"name":"IF_MISS","type":"branch","input":"GET.miss","then":["DATA","SET","EXIT_MISS"],"else":["EXIT_HIT"]},
	{"name":"DATA","type":"jq","input":"request.query","jq":"{value: .v}"},
	{"name":"SET","type":"cache","inputs":{"key":"KEY","data":"DATA"},"ttl":60},
	{"name":"EXIT_MISS","type":"exit","status":200,"inputs":{"body":"SET.data"}},
	{"name":"EXIT_HIT","type":"exit","status":203,"inputs":{"body":"GET.data"}}]`

// The memory cache outlives a request: the second request is a hit with the first value.
func TestDatakitMemoryCache(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	g.route("/dk")
	g.add("plugins", Entity{"name": "datakit", "config": jsonConfig(`{"resources":{"cache":{"strategy":"memory"}},"nodes":` + cacheNodes + `}`)})
	resp, body := g.get("/dk?k=one&v=first", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"first"`) {
		t.Fatalf("miss: %d %s", resp.StatusCode, body)
	}
	resp, body = g.get("/dk?k=one&v=second", nil)
	if resp.StatusCode != http.StatusNonAuthoritativeInfo || !strings.Contains(string(body), `"first"`) {
		t.Fatalf("hit: %d %s", resp.StatusCode, body)
	}
}

// The Redis cache: entries go to the configured server and database, so they outlive the
// proxy's memory; the proxy's Redis clients close with it.
func TestDatakitRedisCache(t *testing.T) {
	t.Parallel()
	host, port := redistest.Start(t)
	g := newTestGateway(t)
	g.route("/dk")
	g.add("plugins", Entity{"name": "datakit", "config": jsonConfig(`{"resources":{"cache":{"strategy":"redis",
		"redis":{"host":"` + host + `","port":` + strconv.Itoa(port) + `,"database":3}}},"nodes":` + cacheNodes + `}`)})
	resp, body := g.get("/dk?k=rk&v=first", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"first"`) {
		t.Fatalf("miss: %d %s", resp.StatusCode, body)
	}
	resp, body = g.get("/dk?k=rk&v=second", nil)
	if resp.StatusCode != http.StatusNonAuthoritativeInfo || !strings.Contains(string(body), `"first"`) {
		t.Fatalf("hit: %d %s", resp.StatusCode, body)
	}
	db3 := redis.NewClient(&redis.Options{Addr: net.JoinHostPort(host, strconv.Itoa(port)), DB: 3})
	defer func() { _ = db3.Close() }()
	if v, err := db3.Get(context.Background(), "rk").Result(); err != nil || v != `{"value":"first"}` {
		t.Errorf("redis database 3 has %q (%v)", v, err)
	}
	g.proxy.Close()
	if r, err := g.proxy.resources.get("datakit redis", nil); err == nil || r != nil {
		t.Errorf("the proxy's resources are still open after Close: %v", r)
	}
}

// Datakit (810) runs after key-auth (1250), so it sees the consumer, and before
// request-transformer (801), which replaces the header Datakit set.
func TestDatakitPriority(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	g.route("/dk")
	c := g.consumer("alice")
	g.add("key-auth", Entity{"key": "k1", "consumer": map[string]any{"id": c}})
	g.add("plugins", Entity{"name": "key-auth"})
	g.add("plugins", Entity{"name": "datakit", "config": jsonConfig(`{"nodes":[
		{"name":"WHO","type":"property","property":"kong.client.consumer"},
		{"name":"HEADERS","type":"jq","input":"WHO","output":"service_request.headers",
		 "jq":"{ \"X-Datakit-Consumer\": .username, \"X-Replaced\": \"datakit\" }"}]}`)})
	g.add("plugins", Entity{"name": "request-transformer", "config": jsonConfig(`{"replace":{"headers":["X-Replaced:transformer"]}}`)})
	resp, body := g.get("/dk", map[string]string{"apikey": "k1"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	h := http.Header(g.echo(body).Headers)
	if h.Get("X-Datakit-Consumer") != "alice" || h.Get("X-Replaced") != "transformer" {
		t.Errorf("upstream headers %v", h)
	}
}

// Properties: kong.ctx.shared is shared with other plugins, kong.client.consumer can be set.
func TestDatakitProperties(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	g.route("/dk")
	g.consumer("carol")
	g.add("plugins", Entity{"name": "datakit", "config": jsonConfig(`{"nodes":[
		{"name":"NAME","type":"jq","input":"request.query","jq":".user"},
		{"name":"SET_CONSUMER","type":"property","property":"kong.client.consumer","input":"NAME"},
		{"name":"SET_SHARED","type":"property","property":"kong.ctx.shared.note","input":"NAME"},
		{"name":"GET_SHARED","type":"property","property":"kong.ctx.shared.note"},
		{"name":"HEADERS","type":"jq","inputs":{"note":"GET_SHARED","after":"SET_SHARED"},"output":"service_request.headers",
		 "jq":"{ \"X-Note\": .note }"}]}`)})
	_, body := g.get("/dk?"+url.Values{"user": {"carol"}}.Encode(), nil)
	h := http.Header(g.echo(body).Headers)
	if h.Get("X-Consumer-Username") != "carol" || h.Get("X-Note") != "carol" {
		t.Errorf("upstream headers %v", h)
	}
	resp, body := g.get("/dk?user=nobody", nil)
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("unknown consumer: %d %s", resp.StatusCode, body)
	}
}

// A Datakit setting the engine accepts but does not act on is warned about when it differs
// from the engine's default (a Redis block's filled-in keepalive_pool_size is not).
func TestDatakitIgnoredSettingsWarned(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	var mu sync.Mutex
	g := newTestGatewayLogging(t, slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, nil)))
	g.route("/dk")
	g.add("plugins", Entity{"id": "dk-settings", "name": "datakit", "config": jsonConfig(`{
		"resources":{"cache":{"strategy":"redis","redis":{"sentinel_master":"main"}}},
		"nodes":[{"name":"S","type":"static","values":{"body":"hi"}},{"name":"E","type":"exit","warn_headers_sent":true,"input":"S"}]}`)})
	g.get("/dk", nil)
	mu.Lock()
	out := logs.String()
	mu.Unlock()
	for _, field := range []string{"config.nodes[].warn_headers_sent", "config.resources.cache.redis.sentinel_master"} {
		if !strings.Contains(out, "field="+field) {
			t.Errorf("no warning for %s:\n%s", field, out)
		}
	}
	if n := strings.Count(out, "not enforced"); n != 2 {
		t.Errorf("%d warnings, want 2:\n%s", n, out)
	}
}

// kong.service.target sends the request to another host and port; kong.service.upstream to
// an upstream that does not exist is the node's failure.
func TestDatakitServiceTarget(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Other", "yes")
	}))
	t.Cleanup(other.Close)
	route, _ := g.route("/dk")
	g.add("plugins", Entity{"name": "datakit", "route": map[string]any{"id": route}, "config": jsonConfig(`{"nodes":[
		{"name":"WHERE","type":"static","values":{"target":"` + strings.TrimPrefix(other.URL, "http://") + `"}},
		{"name":"SET","type":"property","property":"kong.service.target","input":"WHERE.target"}]}`)})
	resp, body := g.get("/dk", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Other") != "yes" {
		t.Fatalf("status %d headers %v: %s", resp.StatusCode, resp.Header, body)
	}
	route2, _ := g.route("/up")
	g.add("plugins", Entity{"name": "datakit", "route": map[string]any{"id": route2}, "config": jsonConfig(`{"debug":true,"nodes":[
		{"name":"WHERE","type":"static","values":{"name":"no-such-upstream"}},
		{"name":"SET","type":"property","property":"kong.service.upstream","input":"WHERE.name"}]}`)})
	resp, body = g.get("/up", nil)
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(string(body), "no-such-upstream") {
		t.Errorf("unknown upstream: %d %s", resp.StatusCode, body)
	}
}
