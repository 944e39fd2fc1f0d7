package dataplane

import (
	"encoding/json"
	"hash/crc32"
	"log/slog"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"time"
)

// balancer is an upstream's load balancer, as Kong's: it picks a target by the upstream's
// algorithm among the targets that are enabled (weight > 0) and healthy.
type balancer struct {
	algorithm string
	hash      hashPolicy
	peers     []*peer
	wheel     []*peer // round-robin: weight/gcd entries per peer, shuffled once
	ring      []*peer // consistent-hashing: `slots` positions, some empty
	health    *healthRules
	hostHdr   string // the upstream's host_header, used by active probes

	mu   sync.Mutex
	next int // the wheel's position

	// The active health checker, when one runs.
	stop      func()
	done      chan struct{}
	closeOnce sync.Once
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
	weight int

	healthy  bool
	counters healthCounters
	inFlight int     // least-connections and latency
	ewma     float64 // latency: peak-EWMA of answer times, ms
	sampled  bool
}

// pickedPeer is what one attempt of a request uses: the target, and the peer to report to.
type pickedPeer struct {
	target
	p *peer
}

func newBalancer(u Entity, targets []Entity, logger *slog.Logger) *balancer {
	b := &balancer{algorithm: Str(u, "algorithm"), hash: newHashPolicy(u), hostHdr: Str(u, "host_header")}
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
			logger.Warn("skipping a target that is not host:port", "target", Str(t, "target"), "error", err)
			continue
		}
		port, _ := strconv.Atoi(portStr)
		b.peers = append(b.peers, &peer{target: target{host: host, port: port}, addr: net.JoinHostPort(host, portStr), weight: w, healthy: true})
	}
	b.wheel = buildWheel(b.peers)
	if b.algorithm == "consistent-hashing" {
		slots := int(Num(u, "slots"))
		if slots <= 0 {
			slots = 10000
		}
		b.ring = buildRing(b.peers, slots)
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

// buildRing is Kong's consistent-hashing continuum: `slots` positions, each peer taking a
// share proportional to its weight at positions hashed from "host:port i". A request's
// value hashes to a position; the next occupied one names the peer. Adding or removing a
// target moves only the values that land on its positions.
func buildRing(peers []*peer, slots int) []*peer {
	ring := make([]*peer, slots)
	total := 0
	for _, p := range peers {
		total += p.weight
	}
	for _, p := range peers {
		points := slots * p.weight / total
		for i := 1; i <= points; i++ {
			pos := int(crc32.ChecksumIEEE([]byte(p.addr+" "+strconv.Itoa(i))) % uint32(slots))
			for ring[pos] != nil { // a taken position: the next free one
				pos = (pos + 1) % slots
			}
			ring[pos] = p
		}
	}
	return ring
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

// pick returns the peer for a request's attempt (0 first, then each retry); key is the
// consistent-hashing value ("" when there is none). false: no healthy peer (Kong's 503
// "failure to get a peer from the ring-balancer").
func (b *balancer) pick(key string, attempt int) (pickedPeer, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.usable() {
		return pickedPeer{}, false
	}
	var p *peer
	switch {
	case b.algorithm == "consistent-hashing" && key != "":
		p = b.fromRing(key, attempt)
	case b.algorithm == "least-connections":
		p = b.leastBy(func(p *peer) float64 { return float64(p.inFlight+1) / float64(p.weight) })
	case b.algorithm == "latency":
		// Peak-EWMA: the lowest latency, weighed by the requests already in flight; a peer
		// without a sample yet scores 0 and is tried first.
		p = b.leastBy(func(p *peer) float64 { return p.ewma * float64(p.inFlight+1) })
	default: // round-robin, and consistent-hashing without a value to hash
		p = b.fromWheel()
	}
	if p == nil {
		return pickedPeer{}, false
	}
	p.inFlight++
	return pickedPeer{target: p.target, p: p}, true
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

// fromRing finds the key's position and takes the first healthy peer from there; a retry
// moves on to the peer after the one the previous attempt used.
func (b *balancer) fromRing(key string, attempt int) *peer {
	pos := int(crc32.ChecksumIEEE([]byte(key)) % uint32(len(b.ring)))
	var last *peer
	seen := 0
	for range b.ring {
		p := b.ring[pos]
		pos = (pos + 1) % len(b.ring)
		if p == nil || !p.healthy || p == last {
			continue
		}
		if seen == attempt%len(b.peers) {
			return p
		}
		last = p
		seen++
	}
	return last
}

// leastBy returns the healthy peer with the lowest score; ties go round the peers in turn.
func (b *balancer) leastBy(score func(*peer) float64) *peer {
	var best *peer
	var bestScore float64
	n := len(b.peers)
	for i := range n {
		p := b.peers[(b.next+i)%n]
		if !p.healthy {
			continue
		}
		if s := score(p); best == nil || s < bestScore {
			best, bestScore = p, s
		}
	}
	b.next++
	return best
}

// finished reports an attempt's outcome: it ends the peer's request in flight, feeds the
// latency algorithm and the passive health check. status is the upstream's answer when err
// is nil.
func (b *balancer) finished(pp pickedPeer, err error, status int, took time.Duration) {
	if pp.p == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	p := pp.p
	p.inFlight--
	if err == nil {
		ms := float64(took.Microseconds()) / 1000
		if !p.sampled || ms > p.ewma {
			p.ewma, p.sampled = ms, true
		} else {
			p.ewma += (ms - p.ewma) / 2
		}
	}
	if b.health == nil {
		return
	}
	switch {
	case err == nil:
		b.health.passive.reportStatus(p, status)
	case isTimeout(err):
		b.health.passive.report(p, outcomeTimeout)
	default:
		b.health.passive.report(p, outcomeTCPFailure)
	}
}

// Close stops the balancer's active health checker and waits for it; it is idempotent.
func (b *balancer) Close() {
	b.closeOnce.Do(func() {
		if b.stop != nil {
			b.stop()
			<-b.done
		}
	})
}

// balancerSet holds a proxy's balancers across snapshots: a balancer whose upstream and
// targets did not change keeps its health state and its checker; one that changed or went
// away is closed.
type balancerSet struct {
	logger *slog.Logger

	mu     sync.Mutex
	byID   map[string]*balancerEntry
	closed bool
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
				b.startActive()
			}
			e = &balancerEntry{fingerprint: string(fp), name: Str(u, "name"), b: b}
		}
		next[id] = e
		out[e.name] = e.b
	}
	for id, e := range s.byID {
		if next[id] != e {
			e.b.Close()
		}
	}
	s.byID = next
	return out
}

// close stops every balancer's checker; balancers made later start none.
func (s *balancerSet) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for _, e := range s.byID {
		e.b.Close()
	}
	s.byID = nil
}
