package dataplane

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisSyncer is rate-limiting's redis policy with sync_rate above zero, as Kong runs it: a
// counter is read from Redis once, then counted in the node; the hits counted here are added
// to Redis sync_rate after the first of them, and the counters read again on their next use.
// Between syncs, nodes sharing a Redis do not see each other's hits (that is the trade).
type redisSyncer struct {
	conn *redisConn

	mu sync.Mutex
	// read is each counter's value as last read from Redis, plus what this node pushed since;
	// readUntil is when that counter's window ends.
	read      map[string]int64
	readUntil map[string]time.Time
	// delta is what this node counted since the last sync, windowEnd each counter's window end.
	delta     map[string]int64
	windowEnd map[string]time.Time
	pending   *time.Timer
	closed    bool
	// syncs counts the scheduled and running syncs, for Close to wait on.
	syncs sync.WaitGroup
}

func newRedisSyncer(conn *redisConn) *redisSyncer {
	return &redisSyncer{conn: conn, read: map[string]int64{}, readUntil: map[string]time.Time{},
		delta: map[string]int64{}, windowEnd: map[string]time.Time{}}
}

// syncedCounters is the syncer as one plugin uses it, with that plugin's sync_rate.
type syncedCounters struct {
	syncer *redisSyncer
	rate   time.Duration
}

func (c syncedCounters) usage(keys []counterKey, now time.Time) ([]float64, error) {
	return c.syncer.usage(keys, now)
}

func (c syncedCounters) increment(keys []counterKey) error {
	c.syncer.increment(keys, c.rate)
	return nil
}

func (s *redisSyncer) usage(keys []counterKey, now time.Time) ([]float64, error) {
	out := make([]float64, len(keys))
	var missing []string
	var missingAt []int
	s.mu.Lock()
	for i, k := range keys {
		if v, ok := s.read[k.name]; ok && now.Before(s.readUntil[k.name]) {
			out[i] = float64(v + s.delta[k.name])
			continue
		}
		missing, missingAt = append(missing, k.name), append(missingAt, i)
	}
	s.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	vals, err := s.conn.get(missing)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for j, name := range missing {
		k := keys[missingAt[j]]
		s.read[name], s.readUntil[name] = vals[j], k.windowEnd
		out[missingAt[j]] = float64(vals[j] + s.delta[name])
	}
	return out, nil
}

// increment counts the hits in the node and makes sure a sync is due within rate.
func (s *redisSyncer) increment(keys []counterKey, rate time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	for _, k := range keys {
		s.delta[k.name]++
		s.windowEnd[k.name] = k.windowEnd
	}
	if s.pending == nil {
		s.syncs.Add(1)
		s.pending = time.AfterFunc(rate, s.sync)
	}
}

// sync adds the node's hits to Redis, then forgets what it read, so that the next request
// reads the counters with every node's hits.
func (s *redisSyncer) sync() {
	defer s.syncs.Done()
	s.mu.Lock()
	s.pending = nil
	if s.closed || len(s.delta) == 0 {
		s.mu.Unlock()
		return
	}
	delta, windowEnd := s.delta, s.windowEnd
	s.delta, s.windowEnd = map[string]int64{}, map[string]time.Time{}
	// Until the push is done, requests go on counting from what was read plus what is pushed.
	for name, n := range delta {
		if _, ok := s.read[name]; ok {
			s.read[name] += n
		}
	}
	s.mu.Unlock()

	_ = s.push(delta, windowEnd) // as in Kong, hits that could not be pushed are dropped

	s.mu.Lock()
	clear(s.read)
	clear(s.readUntil)
	s.mu.Unlock()
}

// push adds counts to Redis; a counter expires at the end of its window.
func (s *redisSyncer) push(delta map[string]int64, windowEnd map[string]time.Time) error {
	rctx, cancel := context.WithTimeout(context.Background(), s.conn.timeout)
	defer cancel()
	_, err := s.conn.client.Pipelined(rctx, func(pipe redis.Pipeliner) error {
		for name, n := range delta {
			pipe.IncrBy(rctx, name, n)
			pipe.ExpireAt(rctx, name, windowEnd[name])
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("rate-limiting: syncing counters to redis: %w", err)
	}
	return nil
}

// Close drops a sync that is due and waits for one that is running. It may be called more
// than once.
func (s *redisSyncer) Close() {
	s.mu.Lock()
	s.closed = true
	if s.pending != nil && s.pending.Stop() {
		s.pending = nil
		s.syncs.Done()
	}
	s.mu.Unlock()
	s.syncs.Wait()
}
