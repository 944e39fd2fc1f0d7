package dataplane

import (
	"fmt"
	"net"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// BenchmarkTraceRecordingCost measures what recording traces adds to the proxy: the same
// requests (key-auth and rate-limiting, proxied to the echo upstream) handled in-process by
// two proxies over the same configuration, one keeping traces in a ring buffer and one
// keeping none, interleaved so that both see the same machine. It prints the median time and
// the allocations per request of each, and their ratio.
func BenchmarkTraceRecordingCost(b *testing.B) {
	const requests = 3000
	g := newTestGateway(b)
	routeID, _ := g.route("/bench")
	alice := g.consumer("alice")
	g.add("key-auth", Entity{"key": "bench-key", "consumer": map[string]any{"id": alice}})
	g.add("plugins", Entity{"name": "key-auth", "route": map[string]any{"id": routeID}})
	g.add("plugins", Entity{"name": "rate-limiting", "route": map[string]any{"id": routeID}, "config": map[string]any{"hour": 1e9, "limit_by": "consumer"}})

	off := NewProxy(g.store, testCP, nil)
	on := NewProxy(g.store, testCP, nil)
	on.Configure(Settings{Traces: NewTraceLog(1000)})
	b.Cleanup(func() { off.Close(); on.Close() })

	remote := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
	var fc fasthttp.RequestCtx
	var req fasthttp.Request
	handle := func(p *Proxy) (time.Duration, uint64) {
		req.Reset()
		req.SetRequestURI("/bench/x?y=1")
		req.Header.SetHost("bench.example.com")
		req.Header.Set("apikey", "bench-key")
		fc.Init(&req, remote, nil)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		p.Handle(&fc)
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		if fc.Response.StatusCode() != 200 {
			b.Fatalf("%d %s", fc.Response.StatusCode(), fc.Response.Body())
		}
		return elapsed, after.Mallocs - before.Mallocs
	}
	handle(off) // warm up: snapshot, connections
	handle(on)
	var tOff, tOn []time.Duration
	var aOff, aOn uint64
	for range b.N {
		tOff, tOn, aOff, aOn = tOff[:0], tOn[:0], 0, 0
		for range requests {
			d, a := handle(off)
			tOff, aOff = append(tOff, d), aOff+a
			d, a = handle(on)
			tOn, aOn = append(tOn, d), aOn+a
		}
	}
	p50 := func(d []time.Duration) time.Duration { slices.Sort(d); return d[len(d)/2] }
	mOff, mOn := p50(tOff), p50(tOn)
	ratio := float64(mOn) / float64(mOff)
	fmt.Printf("proxy, key-auth + rate-limiting, in-process, median of %d requests: traces off %s (%d allocs/request), "+
		"traces on %s (%d allocs/request); ratio on/off %.3f\n", requests, mOff, aOff/requests, mOn, aOn/requests, ratio)
	b.ReportMetric(ratio, "on/off")
	b.ReportMetric(float64(aOn-aOff)/requests, "allocs-added/req")
}
