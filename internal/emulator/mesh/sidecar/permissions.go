package sidecar

import (
	"sort"
	"strings"
)

// permissions are the MeshTrafficPermissions that select one inbound, least specific first.
type permissions struct {
	policies []*trafficPermission
}

// verdict is the outcome for one client.
type verdict struct {
	allowed bool
	// shadowDeny is set for AllowWithShadowDeny: allowed, but logged as if denied.
	shadowDeny bool
	// by names the policy that decided.
	by string
}

// orderPolicies sorts by targetRef specificity, then by name: later entries win ties.
func orderPolicies[T any](items []T, ref func(T) *TargetRef, name func(T) string) {
	sort.SliceStable(items, func(i, j int) bool {
		si, sj := specificityOf(ref(items[i])), specificityOf(ref(items[j]))
		if si != sj {
			return si < sj
		}
		return name(items[i]) < name(items[j])
	})
}

func specificityOf(t *TargetRef) int {
	if t == nil {
		return 0
	}
	return specificity[t.Kind]
}

// decide applies the permissions to a client. spec.rules (SPIFFE ID matches) are read first:
// a deny match refuses, an allow or allowWithShadowDeny match admits. Then spec.from: the entry
// whose targetRef selects the client most specifically decides, ties going to the more specific
// (then later-named) policy. A client nothing admits is refused. A client from outside the mesh
// only matches from[] entries of kind Mesh.
func (p permissions) decide(id identity) verdict {
	var admit *verdict
	for _, pol := range p.policies {
		for _, rule := range pol.Spec.Rules {
			if matchAny(rule.Default.Deny, id) {
				return verdict{by: pol.Name}
			}
			if admit == nil && matchAny(rule.Default.AllowWithShadowDeny, id) {
				admit = &verdict{allowed: true, shadowDeny: true, by: pol.Name}
			}
			if admit == nil && matchAny(rule.Default.Allow, id) {
				admit = &verdict{allowed: true, by: pol.Name}
			}
		}
	}
	if admit != nil {
		return *admit
	}
	best, bestRank := verdict{}, -1
	for i, pol := range p.policies {
		for _, f := range pol.Spec.From {
			if !clientMatches(f.TargetRef, id) {
				continue
			}
			// Rank: the from[] kind first, then the policy's own order.
			rank := specificity[f.TargetRef.Kind]*len(p.policies)*2 + i
			if rank < bestRank {
				continue
			}
			bestRank = rank
			action := f.Default.Action
			best = verdict{
				allowed:    action == "Allow" || action == "AllowWithShadowDeny",
				shadowDeny: action == "AllowWithShadowDeny",
				by:         pol.Name,
			}
		}
	}
	return best
}

// clientMatches says whether a from[] targetRef selects the client.
func clientMatches(t TargetRef, id identity) bool {
	switch t.Kind {
	case "Mesh":
		return true
	case "MeshSubset":
		return id.known && subset(t.Tags, id.tags)
	case "MeshService":
		return id.known && id.service == t.Name
	case "MeshServiceSubset":
		return id.known && id.service == t.Name && subset(t.Tags, id.tags)
	default:
		return false
	}
}

func matchAny(ms []spiffeMatch, id identity) bool {
	if !id.known {
		return false
	}
	for _, m := range ms {
		if m.SpiffeID == nil {
			continue
		}
		switch m.SpiffeID.Type {
		case "Exact":
			if id.spiffe == m.SpiffeID.Value {
				return true
			}
		case "Prefix":
			if strings.HasPrefix(id.spiffe, m.SpiffeID.Value) {
				return true
			}
		}
	}
	return false
}

// notEnforced lists the parts of the permissions that are accepted but have no effect here.
func (p permissions) notEnforced() []string {
	var out []string
	for _, pol := range p.policies {
		for i, f := range pol.Spec.From {
			if _, ok := specificity[f.TargetRef.Kind]; !ok || f.TargetRef.Kind == "Dataplane" {
				out = append(out, "MeshTrafficPermission "+pol.Name+": from["+itoa(i)+"].targetRef.kind "+f.TargetRef.Kind+" (matches no client)")
			}
		}
		for i, r := range pol.Spec.Rules {
			for _, list := range [][]spiffeMatch{r.Default.Allow, r.Default.Deny, r.Default.AllowWithShadowDeny} {
				for _, m := range list {
					if m.SNI != nil {
						out = append(out, "MeshTrafficPermission "+pol.Name+": rules["+itoa(i)+"] sni matches (no TLS between sidecars)")
					}
				}
			}
		}
	}
	return out
}
