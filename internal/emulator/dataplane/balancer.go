package dataplane

import (
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
)

// balancer spreads requests over an upstream's targets by weight, like Kong's round-robin: a
// wheel with weight/gcd entries per target, shuffled once, walked in order.
type balancer struct {
	mu    sync.Mutex
	wheel []target
	next  int
}

type target struct {
	host string
	port int
}

func buildBalancers(upstreams, targets []Entity) map[string]*balancer {
	out := map[string]*balancer{}
	for _, u := range upstreams {
		var ts []target
		var weights []int
		for _, t := range targets {
			if RefID(t["upstream"]) != Str(u, "id") {
				continue
			}
			w := int(Num(t, "weight"))
			if _, set := t["weight"]; !set {
				w = 100
			}
			if w <= 0 {
				continue // weight 0 disables a target
			}
			host, portStr, err := net.SplitHostPort(Str(t, "target"))
			if err != nil {
				continue
			}
			port, _ := strconv.Atoi(portStr)
			ts = append(ts, target{host: host, port: port})
			weights = append(weights, w)
		}
		b := &balancer{}
		g := 0
		for _, w := range weights {
			g = gcd(g, w)
		}
		for i, t := range ts {
			for range weights[i] / g {
				b.wheel = append(b.wheel, t)
			}
		}
		rand.Shuffle(len(b.wheel), func(i, j int) { b.wheel[i], b.wheel[j] = b.wheel[j], b.wheel[i] })
		out[Str(u, "name")] = b
	}
	return out
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// pick returns the next target, false when the upstream has none usable.
func (b *balancer) pick() (target, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.wheel) == 0 {
		return target{}, false
	}
	t := b.wheel[b.next%len(b.wheel)]
	b.next++
	return t, true
}
