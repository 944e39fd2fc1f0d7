package dataplane

import (
	"fmt"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// BenchmarkOpenIDConnectBearer measures what openid-connect's bearer check (signature by the
// issuer's JWKS, exp, scope and audience) adds to a proxied request: a route with the plugin
// and a route without it, on one proxy, to the same echo upstream, interleaved so that both
// see the same machine. It prints the median of each and their ratio; the JWKS is fetched
// once, as Kong caches it.
func BenchmarkOpenIDConnectBearer(b *testing.B) {
	const requests = 2000
	g := newTestGateway(b)
	is := newTestIssuer(b)
	guarded, _ := g.route("/guarded")
	g.add("plugins", Entity{"name": "openid-connect", "route": map[string]any{"id": guarded}, "config": map[string]any{
		"issuer": is.srv.URL, "auth_methods": []any{"bearer"}, "scopes_required": []any{"read"}, "audience_required": []any{"api"}}})
	g.route("/open")
	token := is.sign(map[string]any{"sub": "alice", "scope": "openid read", "aud": "api"})

	remote := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
	var fc fasthttp.RequestCtx
	var req fasthttp.Request
	handle := func(path string) time.Duration {
		req.Reset()
		req.SetRequestURI(path)
		req.Header.SetHost("bench.example.com")
		req.Header.Set("Authorization", "Bearer "+token)
		fc.Init(&req, remote, nil)
		start := time.Now()
		g.proxy.Handle(&fc)
		elapsed := time.Since(start)
		if fc.Response.StatusCode() != 200 {
			b.Fatalf("%s: %d %s", path, fc.Response.StatusCode(), fc.Response.Body())
		}
		return elapsed
	}
	handle("/open") // warm up: snapshot, discovery, JWKS, connections
	handle("/guarded")
	var open, guardedTimes []time.Duration
	for range b.N {
		open, guardedTimes = open[:0], guardedTimes[:0]
		for range requests {
			open = append(open, handle("/open"))
			guardedTimes = append(guardedTimes, handle("/guarded"))
		}
	}
	p50 := func(d []time.Duration) time.Duration { slices.Sort(d); return d[len(d)/2] }
	mOpen, mGuarded := p50(open), p50(guardedTimes)
	is.mu.Lock()
	fetches := is.jwksFetches
	is.mu.Unlock()
	ratio := float64(mGuarded) / float64(mOpen)
	fmt.Printf("proxy, in-process, median of %d requests: no plugin %s, openid-connect bearer (RS256, scope, audience) %s; "+
		"ratio %.2f, added %s; JWKS fetched %d time(s)\n", requests, mOpen, mGuarded, ratio, mGuarded-mOpen, fetches)
	b.ReportMetric(ratio, "oidc/none")
}
