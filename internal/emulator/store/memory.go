package store

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/google/btree"
)

// Memory is the in-memory Store.
type Memory struct {
	generation atomic.Uint64

	mu  sync.RWMutex
	cps map[string]*cpState
	// referrers maps a record to the records pointing at it, across kinds.
	referrers map[Key]map[Key]struct{}
	// undo holds, during a Write (logging set), how to take back each change made so far,
	// in order.
	undo    []func()
	logging bool
}

type cpState struct {
	version uint64
	kinds   map[string]*kindState
}

type kindState struct {
	byID   *btree.BTreeG[*Record]
	unique map[string]map[string]string // field -> value -> id
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory {
	return &Memory{cps: map[string]*cpState{}, referrers: map[Key]map[Key]struct{}{}}
}

func (m *Memory) Read(fn func(Reader) error) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return fn(m)
}

// Write applies all of fn's changes or, when fn returns an error or panics, none: the changes
// are taken back from an undo log, newest first.
func (m *Memory) Write(fn func(Writer) error) (err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	// Counted before the lock is released: whoever sees the new generation then reads
	// the new state.
	defer m.generation.Add(1)
	m.undo, m.logging = m.undo[:0], true
	done := false
	defer func() {
		m.logging = false // the undo steps themselves are not logged
		if err != nil || !done {
			m.rollback()
		}
		clear(m.undo)
		m.undo = m.undo[:0]
	}()
	err = fn(m)
	done = true
	return err
}

func (m *Memory) rollback() {
	for i := len(m.undo) - 1; i >= 0; i-- {
		m.undo[i]()
	}
}

// logUndo records how to take back a change, when a Write is running.
func (m *Memory) logUndo(f func()) {
	if m.logging {
		m.undo = append(m.undo, f)
	}
}

// logRecord records how to bring a record and its control plane's version back to what they
// are now.
func (m *Memory) logRecord(cp, kind, id string) {
	if !m.logging {
		return
	}
	c := m.cps[cp]
	if c == nil {
		m.logUndo(func() { delete(m.cps, cp) })
		return
	}
	version := c.version
	var old *Record
	if k := c.kinds[kind]; k != nil {
		old, _ = k.byID.Get(&Record{ID: id})
	}
	m.logUndo(func() {
		if old != nil {
			m.Put(cp, kind, old)
		} else {
			m.Delete(cp, kind, id)
		}
		if c := m.cps[cp]; c != nil {
			c.version = version
		}
	})
}

func (m *Memory) Generation() uint64 { return m.generation.Load() }

func lessByID(a, b *Record) bool { return a.ID < b.ID }

func (m *Memory) kind(cp, kind string, create bool) *kindState {
	c := m.cps[cp]
	if c == nil {
		if !create {
			return nil
		}
		c = &cpState{kinds: map[string]*kindState{}}
		m.cps[cp] = c
	}
	k := c.kinds[kind]
	if k == nil && create {
		k = &kindState{byID: btree.NewG(32, lessByID), unique: map[string]map[string]string{}}
		c.kinds[kind] = k
	}
	return k
}

func (m *Memory) Get(cp, kind, id string) (*Record, bool) {
	k := m.kind(cp, kind, false)
	if k == nil {
		return nil, false
	}
	return k.byID.Get(&Record{ID: id})
}

func (m *Memory) ByUnique(cp, kind, field, value string) (*Record, bool) {
	k := m.kind(cp, kind, false)
	if k == nil {
		return nil, false
	}
	id, ok := k.unique[field][value]
	if !ok {
		return nil, false
	}
	return k.byID.Get(&Record{ID: id})
}

func (m *Memory) List(cp, kind string, q Query) ([]*Record, bool) {
	k := m.kind(cp, kind, false)
	if k == nil {
		return nil, false
	}
	var out []*Record
	more := false
	visit := func(r *Record) bool {
		if q.After != "" && r.ID <= q.After {
			return true
		}
		if !matchesTags(r.Tags, q.Tags) || !matchesRef(r.Refs, q.RefField, q.RefID) {
			return true
		}
		if q.Limit > 0 && len(out) == q.Limit {
			more = true
			return false
		}
		out = append(out, r)
		return true
	}
	if q.After != "" {
		k.byID.AscendGreaterOrEqual(&Record{ID: q.After}, visit)
	} else {
		k.byID.Ascend(visit)
	}
	return out, more
}

func matchesTags(have []string, filter [][]string) bool {
	if len(filter) == 0 {
		return true
	}
	for _, all := range filter {
		ok := true
		for _, t := range all {
			if !slices.Contains(have, t) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func matchesRef(refs []Ref, field, id string) bool {
	if field == "" {
		return true
	}
	for _, r := range refs {
		if r.Field == field && r.ID == id {
			return true
		}
	}
	return false
}

func (m *Memory) Count(cp, kind string) int {
	k := m.kind(cp, kind, false)
	if k == nil {
		return 0
	}
	return k.byID.Len()
}

func (m *Memory) Referrers(target Key) []Key {
	set := m.referrers[target]
	out := make([]Key, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b Key) int {
		if a.Kind != b.Kind {
			if a.Kind < b.Kind {
				return -1
			}
			return 1
		}
		if a.ID < b.ID {
			return -1
		} else if a.ID > b.ID {
			return 1
		}
		return 0
	})
	return out
}

func (m *Memory) Version(cp string) uint64 {
	if c := m.cps[cp]; c != nil {
		return c.version
	}
	return 0
}

func (m *Memory) Put(cp, kind string, r *Record) {
	m.logRecord(cp, kind, r.ID)
	k := m.kind(cp, kind, true)
	if old, ok := k.byID.Get(r); ok {
		m.unindex(cp, kind, k, old)
	}
	k.byID.ReplaceOrInsert(r)
	for _, f := range r.Unique {
		idx := k.unique[f.Name]
		if idx == nil {
			idx = map[string]string{}
			k.unique[f.Name] = idx
		}
		idx[f.Value] = r.ID
	}
	src := Key{CP: cp, Kind: kind, ID: r.ID}
	for _, ref := range r.Refs {
		t := Key{CP: cp, Kind: ref.Kind, ID: ref.ID}
		set := m.referrers[t]
		if set == nil {
			set = map[Key]struct{}{}
			m.referrers[t] = set
		}
		set[src] = struct{}{}
	}
	m.cps[cp].version++
}

func (m *Memory) unindex(cp, kind string, k *kindState, old *Record) {
	for _, f := range old.Unique {
		if k.unique[f.Name][f.Value] == old.ID {
			delete(k.unique[f.Name], f.Value)
		}
	}
	src := Key{CP: cp, Kind: kind, ID: old.ID}
	for _, ref := range old.Refs {
		t := Key{CP: cp, Kind: ref.Kind, ID: ref.ID}
		delete(m.referrers[t], src)
		if len(m.referrers[t]) == 0 {
			delete(m.referrers, t)
		}
	}
}

func (m *Memory) Delete(cp, kind, id string) {
	k := m.kind(cp, kind, false)
	if k == nil {
		return
	}
	if _, ok := k.byID.Get(&Record{ID: id}); !ok {
		return
	}
	m.logRecord(cp, kind, id)
	old, _ := k.byID.Delete(&Record{ID: id})
	m.unindex(cp, kind, k, old)
	m.cps[cp].version++
}

func (m *Memory) DropControlPlane(cp string) {
	if c, ok := m.cps[cp]; ok {
		m.logUndo(func() { m.cps[cp] = c })
	}
	delete(m.cps, cp)
	for t, set := range m.referrers {
		if t.CP == cp {
			m.logUndo(func() { m.referrers[t] = set })
			delete(m.referrers, t)
			continue
		}
		for k := range set {
			if k.CP == cp {
				m.logUndo(func() { set[k] = struct{}{} })
				delete(set, k)
			}
		}
	}
}

func (m *Memory) Reset() {
	cps, referrers := m.cps, m.referrers
	m.logUndo(func() { m.cps, m.referrers = cps, referrers })
	m.cps = map[string]*cpState{}
	m.referrers = map[Key]map[Key]struct{}{}
}
