package sidecar

import (
	"slices"
	"strconv"
)

// TargetRef is a Kuma policy's reference to what it applies to (spec.targetRef, or the clients
// of a from[] entry).
type TargetRef struct {
	Kind        string            `json:"kind"`
	Name        string            `json:"name,omitempty"`
	Namespace   string            `json:"namespace,omitempty"`
	Mesh        string            `json:"mesh,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	SectionName string            `json:"sectionName,omitempty"`
	ProxyTypes  []string          `json:"proxyTypes,omitempty"`
}

// specificity orders kinds as Kuma does when several policies select the same proxy: the more
// specific kind wins.
var specificity = map[string]int{
	"Mesh":              0,
	"MeshSubset":        1,
	"MeshService":       2,
	"MeshServiceSubset": 3,
	"Dataplane":         4,
}

// selects says whether a policy's top-level targetRef applies to one inbound of a dataplane.
// Mesh, MeshSubset and Dataplane select whole proxies (MeshSubset when any inbound has the
// tags, Dataplane by name and labels, narrowed to an inbound by sectionName); MeshService and
// MeshServiceSubset select the inbounds implementing the service. Other kinds (gateways,
// routes, external and multi-zone services) never select a sidecar inbound.
func (t TargetRef) selects(dp *dataplane, in *inboundSpec) bool {
	if len(t.ProxyTypes) > 0 && !slices.Contains(t.ProxyTypes, "Sidecar") {
		return false
	}
	switch t.Kind {
	case "Mesh":
		return true
	case "MeshSubset":
		for i := range dp.Networking.Inbound {
			if subset(t.Tags, dp.Networking.Inbound[i].Tags) {
				return true
			}
		}
		return false
	case "MeshService":
		return t.Name != "" && in.service() == t.Name
	case "MeshServiceSubset":
		return t.Name != "" && in.service() == t.Name && subset(t.Tags, in.Tags)
	case "Dataplane":
		if t.Name != "" && t.Name != dp.Name {
			return false
		}
		if !subset(t.Labels, dp.Labels) {
			return false
		}
		return t.SectionName == "" || t.SectionName == in.Name || t.SectionName == strconv.Itoa(in.Port)
	default:
		return false
	}
}

// notEnforced lists the targetRef fields that are accepted but do not narrow the selection.
func (t TargetRef) notEnforced(where string) []string {
	var out []string
	if t.Namespace != "" {
		out = append(out, where+".namespace (no namespaces in a Universal mesh)")
	}
	if t.Mesh != "" {
		out = append(out, where+".mesh (reserved for cross-mesh references)")
	}
	if t.SectionName != "" && t.Kind != "Dataplane" {
		out = append(out, where+".sectionName (only with kind Dataplane)")
	}
	if _, known := specificity[t.Kind]; !known {
		out = append(out, where+".kind "+t.Kind+" (selects no sidecar inbound)")
	}
	return out
}

// subset says whether every want pair is in have.
func subset(want, have map[string]string) bool {
	for k, v := range want {
		if got, ok := have[k]; !ok || got != v {
			return false
		}
	}
	return true
}
