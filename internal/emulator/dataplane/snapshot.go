// Package dataplane is the emulator's gateway: a Kong-style proxy that routes real HTTP
// traffic with Kong's router and runs Kong's plugins, from what the control plane's API stored.
package dataplane

import (
	"encoding/json"
	"slices"
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
	// tls holds the parsed certificates; upstreamTLS the TLS settings of https services, by id.
	tls         *tlsMaterial
	upstreamTLS map[string]*upstreamTLS
	// certsByName are the certificates by SNI name (wildcards included), for the TLS
	// listener's handshakes.
	certsByName map[string]*servedCertificate
	// Skipped are the entities left out of this snapshot, and why.
	Skipped []Skipped

	mu      sync.Mutex
	indexes map[string]map[string]Entity // "kind\x00field" -> value -> entity
}

// snapshotKinds are the kinds the data plane reads.
var snapshotKinds = []string{"services", "routes", "consumers", "consumer_groups", "consumer_group_consumers",
	"plugins", "key-auth", "basic-auth", "jwt", "hmac-auth", "acls", "upstreams", "targets", "partials",
	"certificates", "snis", "ca_certificates"}

// loadSnapshot reads a control plane's configuration and compiles its routes and plugins.
// An entity that cannot be applied is left out and listed in Skipped; the rest is served.
func loadSnapshot(tx store.Reader, cp string, res *resources) *Snapshot {
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
				s.Skipped = append(s.Skipped, Skipped{Kind: kind, ID: rec.ID, Reason: "stored body does not decode: " + err.Error()})
				continue
			}
			if e == nil {
				s.Skipped = append(s.Skipped, Skipped{Kind: kind, ID: rec.ID, Reason: "stored body is null"})
				continue
			}
			if e["id"] == nil {
				e["id"] = rec.ID // the record's key is the id, even if the body lacks one
			}
			list = append(list, e)
			ids[rec.ID] = e
		}
		s.byKind[kind] = list
		s.byID[kind] = ids
	}
	s.dropUnusable()
	s.loadCertificates()
	s.loadTLSMaterial()
	router, skipped := NewRouter(s.byKind["routes"])
	s.router = router
	s.Skipped = append(s.Skipped, skipped...)
	s.resolvePartials(tx)
	s.plugins, skipped = compilePlugins(s.byKind["plugins"], res)
	s.Skipped = append(s.Skipped, skipped...)
	return s
}

// dropUnusable leaves out services that cannot be proxied to and the routes of services that
// are missing or left out (a route without a service stays: Kong answers it with 503). As in
// Kong, the routes of a disabled service are not routed either, which is no fault.
func (s *Snapshot) dropUnusable() {
	s.filter("services", func(svc Entity) string { return checkService(svc) })
	s.filter("routes", func(route Entity) string {
		if id := RefID(route["service"]); id != "" && s.byID["services"][id] == nil {
			return "its service " + id + " is missing or was skipped"
		}
		return ""
	})
	s.byKind["routes"] = slices.DeleteFunc(s.byKind["routes"], func(route Entity) bool {
		enabled, set := s.byID["services"][RefID(route["service"])]["enabled"].(bool)
		return set && !enabled
	})
}

// filter removes the entities of a kind for which reason is not "", recording why.
func (s *Snapshot) filter(kind string, reason func(Entity) string) {
	kept := s.byKind[kind][:0:0]
	for _, e := range s.byKind[kind] {
		if why := reason(e); why != "" {
			s.Skipped = append(s.Skipped, Skipped{Kind: kind, ID: Str(e, "id"), Name: Str(e, "name"), Reason: why})
			delete(s.byID[kind], Str(e, "id"))
			continue
		}
		kept = append(kept, e)
	}
	s.byKind[kind] = kept
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
