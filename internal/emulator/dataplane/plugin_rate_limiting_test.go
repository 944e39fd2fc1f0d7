package dataplane

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
	"github.com/openkonnect/terraform-provider-konnect/internal/redistest"
)

// limit_by=header counts per the value the client sent, whatever plugins of higher priority
// did to the request on its way upstream: key-auth (1250) with hide_credentials removes the
// very header that rate-limiting (910) counts by. The limit is per day: the requests must be
// counted in one window, and a minute's could end between them.
func TestRateLimitingByHeaderReadsTheClientsRequest(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	g.route("/h")
	g.add("plugins", Entity{"name": "key-auth", "config": map[string]any{"hide_credentials": true}})
	g.add("plugins", Entity{"name": "rate-limiting", "config": map[string]any{"day": 1, "limit_by": "header", "header_name": "apikey"}})
	for _, user := range []string{"ann", "bob"} {
		g.add("key-auth", Entity{"key": user + "-key", "consumer": map[string]any{"id": g.consumer(user)}})
	}
	for _, user := range []string{"ann", "bob"} {
		resp, body := g.get("/h", map[string]string{"apikey": user + "-key"})
		if resp.StatusCode != http.StatusOK || resp.Header.Get("X-RateLimit-Remaining-Day") != "0" {
			t.Fatalf("%s's first request: %d %v %s (want 200, each key its own counter)", user, resp.StatusCode, resp.Header, body)
		}
		if _, seen := g.echo(body).Headers["Apikey"]; seen {
			t.Fatalf("hide_credentials: the key reached the upstream")
		}
	}
	resp, _ := g.get("/h", map[string]string{"apikey": "ann-key"})
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("ann's second request: %d, want 429", resp.StatusCode)
	}
}

// serveProxy runs another gateway node over st, for tests that need several nodes or the
// proxy itself; it returns the proxy and its URL.
func serveProxy(t *testing.T, st store.Store) (*Proxy, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := NewProxy(st, testCP, nil)
	srv := NewServer(p.Handle, nil)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Shutdown(); p.Close() })
	return p, "http://" + ln.Addr().String()
}

// dayLeft sends a request to a node and returns its status and X-RateLimit-Remaining-Day.
func dayLeft(t *testing.T, proxyURL, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(proxyURL + path)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining-Day")
}

// synced waits until every Redis syncer of a node has pushed its hits and forgotten what it read.
func synced(t *testing.T, p *Proxy) {
	t.Helper()
	redistest.WaitFor(t, "the node's sync to Redis", func() bool {
		p.node.mu.Lock()
		defer p.node.mu.Unlock()
		for _, c := range p.node.redis {
			s := c.syncer
			s.mu.Lock()
			idle := s.pending == nil && len(s.delta) == 0 && len(s.read) == 0
			s.mu.Unlock()
			if !idle {
				return false
			}
		}
		return true
	})
}

// With sync_rate above zero, a node counts in its memory from what it read in Redis and adds
// its hits to Redis sync_rate after the first of them; then it reads Redis again, with every
// node's hits. Closing the node drops a sync that is due.
func TestRateLimitingRedisSyncRate(t *testing.T) {
	t.Parallel()
	host, port := redistest.Start(t)
	rdb := redistest.Client(t, host, port)
	bg := context.Background()
	stored := func() map[string]string {
		t.Helper()
		keys, err := rdb.Keys(bg, "ratelimit:*").Result()
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, k := range keys {
			out[k] = rdb.Get(bg, k).Val()
		}
		return out
	}
	g := newTestGateway(t)
	route, _ := g.route("/rl")
	plugin := func(syncRate float64) {
		g.add("plugins", Entity{"id": "rl", "name": "rate-limiting", "route": map[string]any{"id": route}, "config": map[string]any{
			"day": 5, "limit_by": "ip", "policy": "redis", "sync_rate": syncRate, "redis": map[string]any{"host": host, "port": port}}})
	}
	expect := func(node, proxyURL string, status int, left string) {
		t.Helper()
		if gotStatus, gotLeft := dayLeft(t, proxyURL, "/rl"); gotStatus != status || gotLeft != left {
			t.Fatalf("node %s: %d with %s remaining, want %d with %s", node, gotStatus, gotLeft, status, left)
		}
	}

	// A sync an hour away: the node counts, Redis holds nothing, and closing the node drops the sync.
	plugin(3600)
	p0, url0 := serveProxy(t, g.store)
	for _, left := range []string{"4", "3", "2"} {
		expect("0", url0, http.StatusOK, left)
	}
	p0.Close()
	p0.Close()
	if got := stored(); len(got) != 0 {
		t.Fatalf("sync_rate 3600: Redis holds %v", got)
	}

	// A sync 50 ms away, two nodes: each reads what the other pushed.
	plugin(0.05)
	a, urlA := serveProxy(t, g.store)
	b, urlB := serveProxy(t, g.store)
	expect("a", urlA, http.StatusOK, "4")
	expect("a", urlA, http.StatusOK, "3")
	synced(t, a)
	got := stored()
	if len(got) != 1 {
		t.Fatalf("after a's sync, Redis holds %v, want one counter", got)
	}
	var key string
	for k, v := range got {
		if key = k; v != "2" || !strings.HasSuffix(k, ":day") || !strings.HasPrefix(k, "ratelimit:"+route+":"+zeroID+":127.0.0.1:") {
			t.Fatalf("after a's sync, Redis holds %v, want %s...:day = 2", got, "ratelimit:"+route+":"+zeroID+":127.0.0.1:")
		}
	}
	if ttl := rdb.TTL(bg, key).Val(); ttl <= 0 || ttl > 24*time.Hour {
		t.Fatalf("the counter expires in %v, want by the end of its day", ttl)
	}
	expect("b", urlB, http.StatusOK, "2")
	synced(t, b)
	expect("a", urlA, http.StatusOK, "1")
	synced(t, a)
	if v := rdb.Get(bg, key).Val(); v != "4" {
		t.Fatalf("after both nodes' syncs the counter is %s, want 4", v)
	}
	rdb.IncrBy(bg, key, 1) // a third node's hit
	expect("b", urlB, http.StatusTooManyRequests, "0")
}

// Closing a node stops its syncers and closes its Redis clients, once and for all.
func TestNodeCloseStopsSyncersAndRedisClients(t *testing.T) {
	t.Parallel()
	host, port := redistest.Start(t)
	node := newNodeState()
	conn, err := node.redisConn(redisSettingsOf(redisConfig{Host: host, Port: port}))
	if err != nil {
		t.Fatal(err)
	}
	conn.syncer.increment([]counterKey{{name: "k", windowEnd: time.Now().Add(time.Hour)}}, time.Hour)
	for range 2 {
		if err := node.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
	if conn.syncer.pending != nil {
		t.Fatal("a sync is still due after Close")
	}
	if err := conn.client.Ping(context.Background()).Err(); !errors.Is(err, redis.ErrClosed) {
		t.Fatalf("the Redis client answers after Close: %v", err)
	}
	if _, err := node.redisConn(redisSettingsOf(redisConfig{Host: host, Port: port})); !errors.Is(err, errNodeClosed) {
		t.Fatalf("a closed node opened a connection: %v", err)
	}
}
