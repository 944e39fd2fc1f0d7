package dataplane

import (
	"cmp"
	"encoding/json"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/OneOfOne/xxhash"
)

// balancer is an upstream's load balancer, as Kong's: it picks a target by the upstream's
// algorithm among the targets that are enabled (weight > 0) and healthy.
type balancer struct {
	algorithm string
	hash      hashPolicy
	sticky    hashSource // sticky-sessions: the session cookie
	peers     []*peer
	wheel     []*peer // round-robin: weight/gcd entries per peer, shuffled once
	ring      []*peer // consistent-hashing: the continuum's points, some empty
	health    *healthRules
	hostHdr   string // the upstream's host_header: the Host sent to targets and in probes

	mu   sync.Mutex
	next int // the wheel's position

	// The active health checker, when one runs.
	stop     func()
	done     chan struct{}
	stopOnce sync.Once
}

type target struct {
	host string
	port int
}

// peer is a target in a balancer, with what the algorithms and health checks track of it
// (guarded by the balancer's mu).
type peer struct {
	target
	addr   string
	id     string // what a sticky-sessions cookie names the peer by
	weight int

	healthy  bool
	counters healthCounters
	inFlight int       // least-connections
	ewma     float64   // latency: moving average of answer times, in seconds
	touched  time.Time // latency: when ewma was last updated
}

// pickedPeer is what one attempt of a request uses: the target, and the peer to report to.
type pickedPeer struct {
	target
	p *peer
}

func newBalancer(u Entity, targets []Entity, logger *slog.Logger) *balancer {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	b := &balancer{algorithm: Str(u, "algorithm"), hash: newHashPolicy(u), hostHdr: Str(u, "host_header"),
		sticky: hashSource{kind: "cookie", name: Str(u, "sticky_sessions_cookie"), cookiePath: cmp.Or(Str(u, "sticky_sessions_cookie_path"), "/")}}
	for _, t := range targets {
		w := 100
		if _, set := t["weight"]; set {
			w = int(Num(t, "weight"))
		}
		if w <= 0 {
			continue // weight 0 disables a target
		}
		host, portStr, err := net.SplitHostPort(Str(t, "target"))
		if err != nil {
			// A target without a port uses Kong's default, 8000.
			if host, portStr, err = net.SplitHostPort(net.JoinHostPort(strings.Trim(Str(t, "target"), "[]"), "8000")); err != nil {
				logger.Warn("skipping a target that is not host:port", "target", Str(t, "target"), "error", err)
				continue
			}
		}
		port, _ := strconv.Atoi(portStr)
		addr := net.JoinHostPort(host, portStr)
		b.peers = append(b.peers, &peer{target: target{host: host, port: port}, addr: addr, weight: w, healthy: true,
			id: strconv.FormatUint(uint64(xxhash.ChecksumString32(addr)), 16)})
	}
	b.wheel = buildWheel(b.peers)
	if b.algorithm == "consistent-hashing" {
		slots := 10000
		if _, set := u["slots"]; set {
			slots = int(Num(u, "slots"))
		}
		b.ring = buildRing(b.peers, ringPoints(slots))
	}
	b.health = newHealthRules(u)
	return b
}

// buildWheel is Kong's round-robin wheel: weight/gcd(weights) entries per peer, randomly
// shuffled, then walked in order.
func buildWheel(peers []*peer) []*peer {
	g := 0
	for _, p := range peers {
		g = gcd(g, p.weight)
	}
	var wheel []*peer
	for _, p := range peers {
		for range p.weight / g {
			wheel = append(wheel, p)
		}
	}
	rand.Shuffle(len(wheel), func(i, j int) { wheel[i], wheel[j] = wheel[j], wheel[i] })
	return wheel
}

// ringPoints is the size of Kong's consistent-hashing continuum: the upstream's slots, but
// at least 1000 (Kong's minimum, above the schema's 10).
func ringPoints(slots int) int {
	if slots < 1000 {
		return 1000
	}
	return slots
}

// pointsPerPeer is how many continuum points a peer of average weight gets.
const pointsPerPeer = 160

// buildRing is Kong's consistent-hashing continuum (Ketama-like): each peer, in host and port
// order, takes points in proportion to its weight (160 for an average one, at least 1), at the
// xxHash32 of "host::port i" (Kong's key for an address); a point already taken is skipped
// and the peer takes one more. A request's value hashes to a point; the first peer at or
// below it, wrapping round, serves it. Adding or removing a target moves only the values on
// its points.
func buildRing(peers []*peer, points int) []*peer {
	ring := make([]*peer, points)
	total := 0
	for _, p := range peers {
		total += p.weight
	}
	ordered := slices.Clone(peers)
	slices.SortFunc(ordered, func(a, b *peer) int {
		return cmp.Or(cmp.Compare(a.host, b.host), cmp.Compare(a.port, b.port))
	})
	placed := 0
	for _, p := range ordered {
		entries := int(math.Floor(float64(p.weight) / float64(total) * float64(len(peers)*pointsPerPeer)))
		entries = max(entries, 1)
		prefix := p.host + "::" + strconv.Itoa(p.port) + " "
		for i := 1; i <= entries && placed < points; i++ {
			pos := ringIndex(prefix+strconv.Itoa(i), points)
			if ring[pos] != nil {
				entries++ // a collision: the peer takes one more point
				continue
			}
			ring[pos] = p
			placed++
		}
	}
	return ring
}

// ringIndex is where a value falls on a continuum of points.
func ringIndex(value string, points int) int {
	return int(xxhash.ChecksumString32(value) % uint32(points))
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// usable tells whether the balancer can give a peer at all: some peer is healthy and, with
// a healthchecks.threshold, the healthy share of the weight reaches it. Called with mu held.
func (b *balancer) usable() bool {
	total, healthy := 0, 0
	for _, p := range b.peers {
		total += p.weight
		if p.healthy {
			healthy += p.weight
		}
	}
	if healthy == 0 {
		return false
	}
	return b.health == nil || float64(healthy)*100 >= b.health.threshold*float64(total)
}

// pick returns the peer for a request's next attempt; key is the consistent-hashing value
// ("" when the request gives none, which Kong hashes too). false: no healthy peer (Kong's
// 503 "failure to get a peer from the ring-balancer").
func (b *balancer) pick(key string, a *attempts) (pickedPeer, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.usable() {
		return pickedPeer{}, false
	}
	var p *peer
	switch b.algorithm {
	case "consistent-hashing":
		// A retry starts at the same point: it reaches another peer only once the one
		// that failed is marked unhealthy.
		p = b.fromRing(key)
	case "sticky-sessions":
		// The target the session cookie names, while it is healthy; a new session, or one
		// whose target failed, goes to the least busy target.
		if p = b.byID(key, a); p == nil {
			p = b.leastBy(a, func(p *peer) float64 { return float64(p.inFlight+1) / float64(p.weight) })
		}
	case "least-connections":
		// Kong's +1 makes the heavier of two idle peers go first.
		p = b.leastBy(a, func(p *peer) float64 { return float64(p.inFlight+1) / float64(p.weight) })
	case "latency":
		now := time.Now()
		p = b.leastBy(a, func(p *peer) float64 { return p.decayedEWMA(now) / float64(p.weight) })
	default: // round-robin
		p = b.fromWheel()
	}
	if p == nil {
		return pickedPeer{}, false
	}
	p.inFlight++
	a.tried = append(a.tried, p)
	return pickedPeer{target: p.target, p: p}, true
}

// attempts is what one request's tries have used, so that least-connections and latency
// retry on another peer, as Kong's do.
type attempts struct {
	tried []*peer
}

// byID is the healthy peer a sticky-sessions cookie names, unless the request tried it.
func (b *balancer) byID(id string, a *attempts) *peer {
	if id == "" {
		return nil
	}
	for _, p := range b.peers {
		if p.id == id && p.healthy && !slices.Contains(a.tried, p) {
			return p
		}
	}
	return nil
}

// fromWheel walks the wheel from where it stopped to the next healthy peer.
func (b *balancer) fromWheel() *peer {
	for range b.wheel {
		p := b.wheel[b.next%len(b.wheel)]
		b.next++
		if p.healthy {
			return p
		}
	}
	return nil
}

// fromRing finds the key's point and walks down the continuum to the first healthy peer.
func (b *balancer) fromRing(key string) *peer {
	pos := ringIndex(key, len(b.ring))
	for range b.ring {
		if p := b.ring[pos]; p != nil && p.healthy {
			return p
		}
		if pos--; pos < 0 {
			pos = len(b.ring) - 1
		}
	}
	return nil
}

// leastBy returns the healthy peer with the lowest score that the request has not tried
// yet (once it has tried them all, any healthy one); ties go round the peers in turn.
func (b *balancer) leastBy(a *attempts, score func(*peer) float64) *peer {
	best := b.lowest(a.tried, score)
	if best == nil && len(a.tried) > 0 {
		best = b.lowest(nil, score)
	}
	b.next++
	return best
}

func (b *balancer) lowest(skip []*peer, score func(*peer) float64) *peer {
	var best *peer
	var bestScore float64
	n := len(b.peers)
	for i := range n {
		p := b.peers[(b.next+i)%n]
		if !p.healthy || slices.Contains(skip, p) {
			continue
		}
		if s := score(p); best == nil || s < bestScore {
			best, bestScore = p, s
		}
	}
	return best
}

// ewmaDecay is the latency algorithm's decay time: a sample's weight falls by e every 10 s.
const ewmaDecay = 10 * time.Second

// decayedEWMA is the peer's latency average decayed to now, as Kong scores peers.
func (p *peer) decayedEWMA(now time.Time) float64 {
	w := math.Exp(-float64(now.Sub(p.touched)) / float64(ewmaDecay))
	return p.ewma * w
}

// tryResult is how one try of a request ended: with an HTTP status (the upstream's, or the
// 502 the client gets), or with a failure counted as such.
type tryResult struct {
	failed  bool // no answer from the upstream
	status  int
	outcome outcome // for a failure without status: a timeout or a TCP failure
}

// finished reports a try's result: it ends the peer's request in flight, feeds the latency
// algorithm and the passive health check.
func (b *balancer) finished(pp pickedPeer, r tryResult, took time.Duration) {
	if pp.p == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	p := pp.p
	p.inFlight--
	if !r.failed && b.algorithm == "latency" {
		// Kong's EWMA: the older average weighs exp(-elapsed/10s), the new sample the rest.
		now := time.Now()
		w := math.Exp(-float64(now.Sub(p.touched)) / float64(ewmaDecay))
		p.ewma = p.ewma*w + took.Seconds()*(1-w)
		p.touched = now
	}
	if b.health == nil {
		return
	}
	if r.status != 0 {
		b.health.passive.reportStatus(p, r.status)
	} else {
		b.health.passive.report(p, r.outcome)
	}
}

// stopChecker tells the balancer's active health checker to stop, without waiting for it.
func (b *balancer) stopChecker() {
	b.stopOnce.Do(func() {
		if b.stop != nil {
			b.stop()
		}
	})
}

// Close stops the balancer's active health checker and waits for it; it is idempotent.
func (b *balancer) Close() {
	b.stopChecker()
	if b.done != nil {
		<-b.done
	}
}

// balancerSet holds a proxy's balancers across snapshots: a balancer whose upstream and
// targets did not change keeps its health state and its checker; one that changed or went
// away has its checker stopped.
type balancerSet struct {
	logger *slog.Logger
	// refresh brings the proxy's snapshot up to date. Checkers call it on every tick, so
	// that the checker of an upstream changed or deleted stops without waiting for traffic.
	refresh func()

	mu       sync.Mutex
	byID     map[string]*balancerEntry
	retiring []*balancer // replaced, their checkers told to stop
	closed   bool
}

type balancerEntry struct {
	fingerprint string
	name        string
	b           *balancer
}

// update returns the balancers of a snapshot's upstreams, by upstream name.
func (s *balancerSet) update(upstreams, targets []Entity) map[string]*balancer {
	s.mu.Lock()
	defer s.mu.Unlock()
	byUpstream := map[string][]Entity{}
	for _, t := range targets {
		id := RefID(t["upstream"])
		byUpstream[id] = append(byUpstream[id], t)
	}
	next := make(map[string]*balancerEntry, len(upstreams))
	out := make(map[string]*balancer, len(upstreams))
	for _, u := range upstreams {
		id := Str(u, "id")
		fp, _ := json.Marshal([]any{u, byUpstream[id]}) // maps marshal with sorted keys
		e, ok := s.byID[id]
		if !ok || e.fingerprint != string(fp) {
			b := newBalancer(u, byUpstream[id], s.logger)
			if !s.closed {
				b.startActive(s.refresh)
			}
			e = &balancerEntry{fingerprint: string(fp), name: Str(u, "name"), b: b}
		}
		next[id] = e
		out[e.name] = e.b
	}
	// A replaced checker may be the caller (its tick refreshed the snapshot): it is told to
	// stop, not waited for; close waits for it.
	s.retiring = slices.DeleteFunc(s.retiring, (*balancer).stopped)
	for id, e := range s.byID {
		if next[id] != e {
			e.b.stopChecker()
			s.retiring = append(s.retiring, e.b)
		}
	}
	s.byID = next
	return out
}

// stopped tells whether the balancer's checker, if it had one, has ended.
func (b *balancer) stopped() bool {
	if b.done == nil {
		return true
	}
	select {
	case <-b.done:
		return true
	default:
		return false
	}
}

// close stops every checker and waits for them; balancers made later start none. The
// waiting is done without the lock, which a checker's refresh may be waiting for.
func (s *balancerSet) close() {
	s.mu.Lock()
	s.closed = true
	all := s.retiring
	for _, e := range s.byID {
		all = append(all, e.b)
	}
	s.byID, s.retiring = nil, nil
	s.mu.Unlock()
	for _, b := range all {
		b.Close()
	}
}
