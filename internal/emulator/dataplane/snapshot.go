// Package dataplane is the emulator's gateway: a Kong-style proxy that routes real HTTP
// traffic with Kong's router and runs Kong's plugins, from what the control plane's API stored.
package dataplane

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// Entity is a stored core entity, decoded.
type Entity = map[string]any

// Snapshot is everything one control plane's proxy works from, read from the store at one
// version. A change through the API makes a new snapshot on the next request.
type Snapshot struct {
	CP      string
	Version uint64

	router    *Router
	byKind    map[string][]Entity
	byID      map[string]map[string]Entity
	plugins   []*pluginInstance // enabled plugins, highest priority first
	balancers map[string]*balancer

	mu      sync.Mutex
	indexes map[string]map[string]Entity // "kind\x00field" -> value -> entity
}

// snapshotKinds are the kinds the data plane reads.
var snapshotKinds = []string{"services", "routes", "consumers", "consumer_groups", "consumer_group_consumers",
	"plugins", "key-auth", "basic-auth", "jwt", "hmac-auth", "acls", "upstreams", "targets"}

// loadSnapshot reads a control plane's configuration and compiles its routes and plugins.
func loadSnapshot(tx store.Reader, cp string) (*Snapshot, error) {
	s := &Snapshot{CP: cp, Version: tx.Version(cp), byKind: map[string][]Entity{}, byID: map[string]map[string]Entity{}, indexes: map[string]map[string]Entity{}}
	for _, kind := range snapshotKinds {
		records, _ := tx.List(cp, kind, store.Query{})
		list := make([]Entity, 0, len(records))
		ids := make(map[string]Entity, len(records))
		for _, rec := range records {
			var e Entity
			if kind == "consumer_group_consumers" {
				// Memberships are stored as references only.
				e = Entity{"id": rec.ID}
				for _, r := range rec.Refs {
					e[r.Field] = map[string]any{"id": r.ID}
				}
			} else if err := json.Unmarshal(rec.Body, &e); err != nil {
				return nil, fmt.Errorf("decoding %s %s: %w", kind, rec.ID, err)
			}
			list = append(list, e)
			ids[rec.ID] = e
		}
		s.byKind[kind] = list
		s.byID[kind] = ids
	}
	router, err := NewRouter(s.byKind["routes"])
	if err != nil {
		return nil, err
	}
	s.router = router
	if s.plugins, err = compilePlugins(s.byKind["plugins"]); err != nil {
		return nil, err
	}
	return s, nil
}

// Get returns an entity of a kind by id.
func (s *Snapshot) Get(kind, id string) (Entity, bool) {
	e, ok := s.byID[kind][id]
	return e, ok
}

// List returns every entity of a kind, in id order.
func (s *Snapshot) List(kind string) []Entity { return s.byKind[kind] }

// Lookup finds the entity of a kind whose top-level string field has the value, through an
// index built on first use (credentials by key, consumers by username...).
func (s *Snapshot) Lookup(kind, field, value string) (Entity, bool) {
	s.mu.Lock()
	idx, ok := s.indexes[kind+"\x00"+field]
	if !ok {
		idx = map[string]Entity{}
		for _, e := range s.byKind[kind] {
			if v, ok := e[field].(string); ok {
				idx[v] = e
			}
		}
		s.indexes[kind+"\x00"+field] = idx
	}
	s.mu.Unlock()
	e, ok := idx[value]
	return e, ok
}

// Referencing lists the entities of a kind whose ref field points at id (a consumer's ACLs...).
func (s *Snapshot) Referencing(kind, field, id string) []Entity {
	var out []Entity
	for _, e := range s.byKind[kind] {
		if RefID(e[field]) == id {
			out = append(out, e)
		}
	}
	return out
}

// ConsumerGroups returns the groups a consumer belongs to, by name order.
func (s *Snapshot) ConsumerGroups(consumerID string) []Entity {
	var out []Entity
	for _, m := range s.Referencing("consumer_group_consumers", "consumer", consumerID) {
		if g, ok := s.Get("consumer_groups", RefID(m["consumer_group"])); ok {
			out = append(out, g)
		}
	}
	sort.Slice(out, func(i, j int) bool { return Str(out[i], "name") < Str(out[j], "name") })
	return out
}

// RefID reads {"id": "..."}.
func RefID(v any) string {
	m, _ := v.(map[string]any)
	id, _ := m["id"].(string)
	return id
}

// Str reads a string field ("" when absent).
func Str(e Entity, field string) string {
	s, _ := e[field].(string)
	return s
}

// Bool reads a boolean field.
func Bool(e Entity, field string) bool {
	b, _ := e[field].(bool)
	return b
}

// Num reads a numeric field (0 when absent).
func Num(e Entity, field string) float64 {
	switch v := e[field].(type) {
	case float64:
		return v
	case json.Number:
		f, _ := v.Float64()
		return f
	case int64:
		return float64(v)
	case int:
		return float64(v)
	}
	return 0
}

// Strings reads a list of strings.
func Strings(e Entity, field string) []string {
	list, _ := e[field].([]any)
	out := make([]string, 0, len(list))
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
