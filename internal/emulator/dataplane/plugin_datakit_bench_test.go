package dataplane

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkDatakitAddedLatency sends the same requests through the real proxy to a route
// with the four-node Datakit flow (its token service on loopback) and to a route
// without Datakit, and times the token request alone, interleaved so that all three see the
// same machine. What Datakit adds beyond the token call is p50(flow) - p50(plain) -
// p50(token call); the target is under 1 ms. (make bench runs it once: the requests
// counted are the loop's, not b.N.)
func BenchmarkDatakitAddedLatency(b *testing.B) {
	const requests = 2000
	g := newTestGateway(b)
	tokens := newTokenService(b)
	g.route("/plain")
	withFlow, _ := g.route("/dk")
	g.add("plugins", Entity{"name": "datakit", "route": map[string]any{"id": withFlow}, "config": thirdPartyAuthFlow(tokens.URL+"/auth-token", false)})

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	timed := func(req func() (*http.Response, error), check func([]byte) bool) time.Duration {
		start := time.Now()
		resp, err := req()
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		elapsed := time.Since(start)
		if resp.StatusCode != http.StatusOK || !check(body) {
			b.Fatalf("%d %s", resp.StatusCode, body)
		}
		return elapsed
	}
	get := func(path string) func() (*http.Response, error) {
		return func() (*http.Response, error) { return client.Get(g.proxyURL + path) }
	}
	tokenCall := func() (*http.Response, error) {
		req, _ := http.NewRequest(http.MethodPost, tokens.URL+"/auth-token", strings.NewReader("grant_type=client_credentials"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Api-Key", "k")
		return client.Do(req)
	}
	authorized := func(body []byte) bool {
		var e echoReply
		return json.Unmarshal(body, &e) == nil && http.Header(e.Headers).Get("Authorization") == "Bearer token-for-k"
	}
	proxied := func(body []byte) bool { var e echoReply; return json.Unmarshal(body, &e) == nil }
	token := func(body []byte) bool { return strings.Contains(string(body), "token-for-k") }

	var plain, flow, call []time.Duration
	for range b.N {
		plain, flow, call = plain[:0], flow[:0], call[:0]
		for range requests {
			plain = append(plain, timed(get("/plain"), proxied))         //nolint:bodyclose // timed closes every body
			flow = append(flow, timed(get("/dk?api_key=k"), authorized)) //nolint:bodyclose // timed closes every body
			call = append(call, timed(tokenCall, token))
		}
	}
	p50 := func(d []time.Duration) time.Duration { slices.Sort(d); return d[len(d)/2] }
	pPlain, pFlow, pCall := p50(plain), p50(flow), p50(call)
	added := pFlow - pPlain - pCall
	fmt.Printf("datakit four-node flow through the proxy, p50 of %d requests: %s with Datakit, %s without, token call alone %s; "+
		"added beyond the token call %s (target: under 1ms)\n", requests, pFlow, pPlain, pCall, added)
	b.ReportMetric(float64(added.Microseconds())/1000, "ms-added-p50")
}
