package dataplane

import (
	"errors"
	"sync"

	"github.com/redis/go-redis/v9"
)

// nodeState is what one gateway keeps across configuration changes, as a Kong node keeps its
// shared dictionaries, timers and connection pools: the local rate-limiting counters and the
// Redis connections (with their counter syncers). Every proxy, so every control plane, has its
// own; snapshots come and go, the node stays until the proxy is closed.
type nodeState struct {
	counters *counterStore

	mu     sync.Mutex
	closed bool
	redis  map[redisSettings]*redisConn
	// warned are the warnings already logged, so a snapshot rebuilt after an unrelated change
	// does not repeat them.
	warned map[string]bool
}

func newNodeState() *nodeState {
	return &nodeState{counters: newCounterStore(), redis: map[redisSettings]*redisConn{}, warned: map[string]bool{}}
}

// firstWarning tells whether the warning key is new to the node, and remembers it.
func (n *nodeState) firstWarning(key string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.warned[key] {
		return false
	}
	n.warned[key] = true
	return true
}

// errNodeClosed answers a plugin that asks a closed node for a connection.
var errNodeClosed = errors.New("the gateway is shut down")

// redisConn returns the node's connection to a Redis server, opening it on first use.
func (n *nodeState) redisConn(s redisSettings) (*redisConn, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil, errNodeClosed
	}
	if c, ok := n.redis[s]; ok {
		return c, nil
	}
	c := &redisConn{client: redis.NewClient(s.options()), timeout: s.timeout}
	c.syncer = newRedisSyncer(c)
	n.redis[s] = c
	return c, nil
}

// Close stops the node's syncers (a pending sync is dropped, a running one finishes) and closes
// its Redis clients. It may be called more than once.
func (n *nodeState) Close() error {
	n.mu.Lock()
	conns := n.redis
	n.closed, n.redis = true, map[redisSettings]*redisConn{}
	n.mu.Unlock()
	var errs []error
	for _, c := range conns {
		c.syncer.Close()
		if err := c.client.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
