package dataplane

import (
	"bufio"
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Health checks as Kong's (lua-resty-healthcheck): each target counts successes, HTTP
// failures, TCP failures and timeouts, reported by active probes and by proxied answers
// (passive). A success resets the failure counts and a failure the success count; a healthy
// target turns unhealthy when a failure count reaches its threshold, an unhealthy one healthy
// when the successes reach theirs. A threshold of 0 turns that count off, so with Kong's
// defaults (all 0) nothing is checked.

type outcome int

const (
	outcomeSuccess outcome = iota
	outcomeHTTPFailure
	outcomeTCPFailure
	outcomeTimeout
)

// healthCounters are a target's counts, shared by active and passive checks.
type healthCounters [4]int

// checkRules are one kind of check's (active or passive) statuses and thresholds.
type checkRules struct {
	healthyStatuses, unhealthyStatuses map[int]bool
	limits                             [4]int // by outcome: successes, http_failures, tcp_failures, timeouts
}

// reportStatus classifies an HTTP status: healthy statuses count as successes, unhealthy
// ones as HTTP failures, others not at all. Called with the balancer's mu held.
func (r *checkRules) reportStatus(p *peer, status int) {
	switch {
	case r.healthyStatuses[status]:
		r.report(p, outcomeSuccess)
	case r.unhealthyStatuses[status]:
		r.report(p, outcomeHTTPFailure)
	}
}

// report counts an outcome for a peer and turns it healthy or unhealthy at the threshold.
// Called with the balancer's mu held.
func (r *checkRules) report(p *peer, o outcome) {
	limit := r.limits[o]
	if limit == 0 {
		return
	}
	if o == outcomeSuccess {
		p.counters[outcomeHTTPFailure], p.counters[outcomeTCPFailure], p.counters[outcomeTimeout] = 0, 0, 0
	} else {
		p.counters[outcomeSuccess] = 0
	}
	p.counters[o]++
	if p.counters[o] < limit {
		return
	}
	if healthy := o == outcomeSuccess; p.healthy != healthy {
		p.healthy = healthy
		p.counters = healthCounters{}
	}
}

// healthRules are an upstream's healthchecks.
type healthRules struct {
	active    activeCheck
	passive   checkRules
	threshold float64 // percent of the weight that must be healthy for the upstream to serve
}

// activeCheck is healthchecks.active.
type activeCheck struct {
	checkRules
	kind                               string // http, https, tcp, grpc, grpcs
	path                               string
	timeout                            time.Duration
	concurrency                        int
	healthyInterval, unhealthyInterval time.Duration
	headers                            http.Header
	sni                                string
	verify                             bool
}

// newHealthRules reads an upstream's healthchecks; nil when no check is on.
func newHealthRules(u Entity) *healthRules {
	hc, _ := u["healthchecks"].(map[string]any)
	active, _ := hc["active"].(map[string]any)
	passive, _ := hc["passive"].(map[string]any)
	h := &healthRules{
		passive:   readCheckRules(passive, []int{200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308}, []int{429, 500, 503}),
		threshold: Num(hc, "threshold"),
		active: activeCheck{
			checkRules:        readCheckRules(active, []int{200, 302}, []int{429, 404, 500, 501, 502, 503, 504, 505}),
			kind:              orDefault(Str(active, "type"), "http"),
			path:              orDefault(Str(active, "http_path"), "/"),
			timeout:           seconds(active, "timeout", 1),
			concurrency:       int(Num(active, "concurrency")),
			healthyInterval:   seconds(sub(active, "healthy"), "interval", 0),
			unhealthyInterval: seconds(sub(active, "unhealthy"), "interval", 0),
			headers:           http.Header{},
			sni:               Str(active, "https_sni"),
			verify:            true,
		},
	}
	if v, ok := active["https_verify_certificate"].(bool); ok {
		h.active.verify = v
	}
	if h.active.concurrency <= 0 {
		h.active.concurrency = 10
	}
	headers, _ := active["headers"].(map[string]any)
	for name := range headers {
		h.active.headers[name] = Strings(headers, name)
	}
	// As Kong: checks are on when an active interval is set or a passive failure threshold.
	if !h.active.runs() && h.passive.limits[outcomeHTTPFailure] == 0 && h.passive.limits[outcomeTCPFailure] == 0 &&
		h.passive.limits[outcomeTimeout] == 0 {
		return nil
	}
	return h
}

// runs tells whether active probes run: an interval is set, and the type is not tcp (which
// Kong probes only for stream routes, not HTTP ones).
func (a *activeCheck) runs() bool {
	return (a.healthyInterval > 0 || a.unhealthyInterval > 0) && a.kind != "tcp"
}

func readCheckRules(m map[string]any, healthyDefault, unhealthyDefault []int) checkRules {
	healthy, unhealthy := sub(m, "healthy"), sub(m, "unhealthy")
	statuses := func(m map[string]any, def []int) map[int]bool {
		out := map[int]bool{}
		list, ok := m["http_statuses"].([]any)
		if !ok {
			for _, s := range def {
				out[s] = true
			}
			return out
		}
		for _, v := range list {
			out[int(Num(Entity{"v": v}, "v"))] = true
		}
		return out
	}
	return checkRules{
		healthyStatuses:   statuses(healthy, healthyDefault),
		unhealthyStatuses: statuses(unhealthy, unhealthyDefault),
		limits: [4]int{int(Num(healthy, "successes")), int(Num(unhealthy, "http_failures")),
			int(Num(unhealthy, "tcp_failures")), int(Num(unhealthy, "timeouts"))},
	}
}

func sub(m map[string]any, field string) map[string]any {
	s, _ := m[field].(map[string]any)
	return s
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// seconds reads a number of seconds (fractions allowed), def when absent.
func seconds(m map[string]any, field string, def float64) time.Duration {
	n := def
	if _, ok := m[field]; ok {
		n = Num(m, field)
	}
	return time.Duration(n * float64(time.Second))
}

// startActive runs the active checker when an interval is set: every healthy.interval it
// probes the healthy targets, every unhealthy.interval the unhealthy ones. Before each round
// it calls refresh (when set), which stops it if its upstream changed.
func (b *balancer) startActive(refresh func()) {
	if b.health == nil || !b.health.active.runs() {
		return
	}
	a := &b.health.active
	ctx, cancel := context.WithCancel(context.Background())
	b.stop, b.done = cancel, make(chan struct{})
	go func() {
		defer close(b.done)
		tick := func(d time.Duration) (<-chan time.Time, func()) {
			if d <= 0 {
				return nil, func() {}
			}
			t := time.NewTicker(d)
			return t.C, t.Stop
		}
		healthyC, stopHealthy := tick(a.healthyInterval)
		defer stopHealthy()
		unhealthyC, stopUnhealthy := tick(a.unhealthyInterval)
		defer stopUnhealthy()
		for {
			select {
			case <-ctx.Done():
				return
			case <-healthyC:
				b.round(ctx, refresh, true)
			case <-unhealthyC:
				b.round(ctx, refresh, false)
			}
		}
	}()
}

// round is one tick of the checker: bring the configuration up to date, then, unless that
// retired this checker, probe.
func (b *balancer) round(ctx context.Context, refresh func(), healthy bool) {
	if refresh != nil {
		refresh()
	}
	if ctx.Err() == nil {
		b.probeAll(ctx, healthy)
	}
}

// probeAll probes the targets in one state, concurrency at a time, and reports the results.
func (b *balancer) probeAll(ctx context.Context, healthy bool) {
	a := &b.health.active
	b.mu.Lock()
	var peers []*peer
	for _, p := range b.peers {
		if p.healthy == healthy {
			peers = append(peers, p)
		}
	}
	b.mu.Unlock()
	sem := make(chan struct{}, a.concurrency)
	var wg sync.WaitGroup
	for _, p := range peers {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			o, status := a.probe(ctx, p, b.hostHdr)
			if ctx.Err() != nil {
				return // stopped: the outcome says nothing of the target
			}
			b.mu.Lock()
			defer b.mu.Unlock()
			if o == outcomeSuccess {
				a.reportStatus(p, status)
			} else {
				a.report(p, o)
			}
		}()
	}
	wg.Wait()
}

// probe connects to a target, sends GET http_path with the configured headers and the Host
// (the upstream's host_header, else the target's host) and reads the answer's status.
func (a *activeCheck) probe(ctx context.Context, p *peer, hostHeader string) (outcome, int) {
	failure := func(err error) (outcome, int) {
		if isTimeout(err) {
			return outcomeTimeout, 0
		}
		return outcomeTCPFailure, 0
	}
	d := net.Dialer{Timeout: a.timeout}
	raw, err := d.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		return failure(err)
	}
	defer func() { _ = raw.Close() }()
	// Closing the connection when the checker stops ends a probe that is waiting. The
	// function closes the TCP connection it was given (never the variable conn, which
	// becomes the TLS one below): it runs on a goroutine of its own.
	defer context.AfterFunc(ctx, func() { _ = raw.Close() })()
	if a.timeout > 0 {
		_ = raw.SetDeadline(time.Now().Add(a.timeout))
	}
	conn := raw
	// http and grpc are probed with a plain HTTP GET, https and grpcs over TLS.
	if a.kind == "https" || a.kind == "grpcs" {
		sni := a.sni
		if sni == "" {
			sni = p.host
		}
		tc := tls.Client(conn, &tls.Config{ServerName: sni, InsecureSkipVerify: !a.verify}) //nolint:gosec // as Kong's https_verify_certificate
		if err := tc.HandshakeContext(ctx); err != nil {
			return outcomeTCPFailure, 0 // Kong counts a failed handshake as a TCP failure
		}
		conn = tc
	}
	if hostHeader == "" {
		hostHeader = p.host
	}
	var req strings.Builder
	req.WriteString("GET " + a.path + " HTTP/1.0\r\n")
	names := make([]string, 0, len(a.headers))
	for name := range a.headers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, v := range a.headers[name] {
			req.WriteString(name + ": " + cleanHeaderValue(v) + "\r\n")
		}
	}
	req.WriteString("Host: " + cleanHeaderValue(hostHeader) + "\r\n\r\n")
	if _, err := conn.Write([]byte(req.String())); err != nil {
		return failure(err)
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return failure(err)
	}
	// "HTTP/1.1 200 OK": a status line that does not parse is an HTTP failure.
	fields := strings.Fields(line)
	if len(fields) < 2 || !strings.HasPrefix(fields[0], "HTTP/") {
		return outcomeHTTPFailure, 0
	}
	status, err := strconv.Atoi(fields[1])
	if err != nil {
		return outcomeHTTPFailure, 0
	}
	return outcomeSuccess, status
}
