package dataplane

import (
	"sync"
)

// TraceLog keeps the latest traces of every proxy of an emulator, newest first when read: a
// ring of fixed size, so a busy proxy never grows it.
type TraceLog struct {
	mu    sync.Mutex
	ring  []Trace
	next  int    // where the next trace goes
	count int    // how many slots hold a trace
	seq   uint64 // the last trace's number
}

// NewTraceLog keeps up to size traces; a size of 0 or less keeps none (nil).
func NewTraceLog(size int) *TraceLog {
	if size <= 0 {
		return nil
	}
	return &TraceLog{ring: make([]Trace, size)}
}

// Size is how many traces the log keeps.
func (l *TraceLog) Size() int {
	if l == nil {
		return 0
	}
	return len(l.ring)
}

// add copies a finished trace into the ring, numbering it. The trace's strings, entities and
// header map are shared, not copied: none of them changes once the request is over.
func (l *TraceLog) add(t *Trace) {
	l.mu.Lock()
	l.seq++
	t.Seq = l.seq
	slot := &l.ring[l.next]
	*slot = *t
	if t.Plugins != nil && len(t.Plugins) <= len(t.plugins) {
		// Plugins pointed into the request's own array; point it into the slot's copy.
		slot.Plugins = slot.plugins[:len(t.Plugins)]
	}
	l.next = (l.next + 1) % len(l.ring)
	l.count = min(l.count+1, len(l.ring))
	l.mu.Unlock()
}

// Traces returns the kept traces that keep says to, newest first, at most limit of them (0:
// all). A trace is rendered by its caller, outside the lock.
func (l *TraceLog) Traces(keep func(*Trace) bool, limit int) []Trace {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Trace
	for i := 1; i <= l.count; i++ {
		t := &l.ring[(l.next-i+len(l.ring))%len(l.ring)]
		if keep != nil && !keep(t) {
			continue
		}
		c := *t
		if c.Plugins != nil && len(c.Plugins) <= len(c.plugins) {
			c.Plugins = append([]PluginRun(nil), t.Plugins...)
		}
		out = append(out, c)
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out
}
