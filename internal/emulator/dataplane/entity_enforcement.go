package dataplane

import "sort"

// ignoredField is a field of a core entity the API accepts and stores but the data plane
// does not act on, and why.
type ignoredField struct {
	Field, Why string
}

// entityEnforcement lists, per kind of core entity, what the data plane does not enforce:
// every field of a kind it does not use at all (storedOnly), or the fields it ignores. Kinds
// not listed are applied in full. Reading the data plane's code is the source of truth; the
// test TestEntityTableMatchesTheDataPlane checks the fields are not read.
var entityEnforcement = map[string]struct {
	storedOnly string
	fields     []ignoredField
}{
	"routes": {fields: []ignoredField{
		{Field: "request_buffering", Why: "request bodies are always read whole before they are proxied"},
		{Field: "response_buffering", Why: "upstream answers are always read whole before they are sent on"},
		{Field: "path_handling", Why: "paths are always joined as `v0` does (as Kong's traditional_compatible router does)"},
	}},
	"services": {fields: []ignoredField{
		{Field: "tls_sans", Why: "with `tls_verify` the upstream certificate's names are checked against the SNI sent (the Host sent upstream) only"},
	}},
	"targets": {fields: []ignoredField{
		{Field: "failover", Why: "every healthy target takes traffic; none is held back for failover"},
	}},
	"plugins": {fields: []ignoredField{
		{Field: "ordering", Why: "plugins run in Kong's static priority order"},
		{Field: "condition", Why: "Kong's expressions are not evaluated: a plugin runs on every request of its scope"},
	}},
	"upstreams": {fields: []ignoredField{
		{Field: "use_srv_name", Why: "targets are not resolved through DNS SRV records"},
	}},
	"vaults":   {storedOnly: "vault references (`{vault://...}`) are not resolved: a referenced value is used as written"},
	"key-sets": {storedOnly: "no plugin the data plane runs reads keys"},
	"keys":     {storedOnly: "no plugin the data plane runs reads keys"},
}

// EntitySupport is what the data plane does with one kind of core entity.
type EntitySupport struct {
	Kind string `json:"kind"`
	// Applied tells whether the data plane uses the kind at all; when it does not, entities of
	// the kind are stored (and returned by the API) but have no effect on traffic.
	Applied bool `json:"applied"`
	// Why says why the kind is not applied.
	Why string `json:"why,omitempty"`
	// NotEnforced are the fields the data plane accepts but ignores, with why in Reasons.
	NotEnforced []string          `json:"not_enforced"`
	Reasons     map[string]string `json:"reasons,omitempty"`
}

// Entities describes the kinds of core entity the data plane does not enforce in full,
// sorted by kind.
func Entities() []EntitySupport {
	out := make([]EntitySupport, 0, len(entityEnforcement))
	for kind, e := range entityEnforcement {
		s := EntitySupport{Kind: kind, Applied: e.storedOnly == "", Why: e.storedOnly, NotEnforced: []string{}}
		for _, f := range e.fields {
			if s.Reasons == nil {
				s.Reasons = map[string]string{}
			}
			s.NotEnforced = append(s.NotEnforced, f.Field)
			s.Reasons[f.Field] = f.Why
		}
		sort.Strings(s.NotEnforced)
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}
