package mesh

import (
	"slices"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// ServiceTag is the tag naming the service an inbound implements.
const ServiceTag = "kuma.io/service"

const (
	msgNotSupported = "value is not supported"
	msgMustBeSet    = "must be set"
	msgMustNotBeSet = "must not be set with kind "
)

// validateTargetRef checks a targetRef: its kind is one the place allows, and it carries the
// fields its kind needs and no others.
func validateTargetRef(at Path, ref *client.MeshTargetRef, allowed []client.MeshTargetRefKind) Violations {
	var v Violations
	if ref == nil {
		return v
	}
	kind := ref.Kind
	if !slices.Contains(allowed, kind) {
		v.add(at.Field("kind").String(), msgNotSupported)
		return v
	}
	name, tags := deref(ref.Name), deref(ref.Tags)
	switch kind {
	case client.TargetRefKindMesh:
		if name != "" {
			v.add(at.Field("name").String(), msgMustNotBeSet+string(kind))
		}
		if len(tags) > 0 {
			v.add(at.Field("tags").String(), msgMustNotBeSet+string(kind))
		}
	case client.TargetRefKindMeshSubset:
		if name != "" {
			v.add(at.Field("name").String(), msgMustNotBeSet+string(kind))
		}
	case client.TargetRefKindMeshService, client.TargetRefKindMeshServiceSubset:
		if name == "" && len(deref(ref.Labels)) == 0 {
			v.add(at.Field("name").String(), msgMustBeSet)
		}
		if kind == client.TargetRefKindMeshService && len(tags) > 0 {
			v.add(at.Field("tags").String(), msgMustNotBeSet+string(kind))
		}
	case client.TargetRefKindDataplane:
		if len(tags) > 0 {
			v.add(at.Field("tags").String(), msgMustNotBeSet+string(kind))
		}
	}
	return v
}

// Specificity orders the kinds of a top-level targetRef from the least specific: the policies
// selecting a dataplane are merged in this order, so the most specific wins.
func Specificity(ref *client.MeshTargetRef) int {
	if ref == nil {
		return 0
	}
	switch ref.Kind {
	case client.TargetRefKindMeshSubset:
		return 1
	case client.TargetRefKindMeshService:
		return 2
	case client.TargetRefKindMeshServiceSubset:
		return 3
	case client.TargetRefKindDataplane:
		if ref.Name != nil {
			return 5
		}
		return 4
	default:
		return 0
	}
}

// Selects reports whether a policy's top-level targetRef selects the dataplane: the whole
// proxy, or at least one of its inbounds. A missing targetRef means the whole mesh, as in Kuma.
func Selects(ref *client.MeshTargetRef, dp client.DataplaneItem) bool {
	if !selectsProxyType(ref) {
		return false
	}
	if ref == nil || ref.Kind == client.TargetRefKindMesh {
		return true
	}
	for _, in := range inbounds(dp) {
		if SelectsInbound(ref, dp, in) {
			return true
		}
	}
	return false
}

// SelectsInbound reports whether a policy's top-level targetRef selects one inbound of the
// dataplane. Mesh selects every inbound; MeshSubset those with the tags; MeshService and
// MeshServiceSubset those of the named service (kuma.io/service), with the tags for the
// subset; Dataplane the dataplane by name or labels, and with sectionName the inbound of that
// name (or port). Other kinds select no sidecar inbound.
func SelectsInbound(ref *client.MeshTargetRef, dp client.DataplaneItem, in client.DataplaneInbound) bool {
	if !selectsProxyType(ref) {
		return false
	}
	if ref == nil {
		return true
	}
	tags := deref(in.Tags)
	switch ref.Kind {
	case client.TargetRefKindMesh:
		return true
	case client.TargetRefKindMeshSubset:
		return hasAll(tags, deref(ref.Tags))
	case client.TargetRefKindMeshService:
		return deref(ref.Name) != "" && tags[ServiceTag] == deref(ref.Name)
	case client.TargetRefKindMeshServiceSubset:
		return deref(ref.Name) != "" && tags[ServiceTag] == deref(ref.Name) && hasAll(tags, deref(ref.Tags))
	case client.TargetRefKindDataplane:
		if ref.Name != nil && *ref.Name != dp.Name {
			return false
		}
		if !hasAll(deref(dp.Labels), deref(ref.Labels)) {
			return false
		}
		if section := deref(ref.SectionName); section != "" {
			return deref(in.Name) == section || (in.Port != nil && section == itoa(*in.Port))
		}
		return true
	default:
		return false
	}
}

// selectsProxyType: a dataplane with inbounds is a sidecar; proxyTypes, when given, must
// include Sidecar.
func selectsProxyType(ref *client.MeshTargetRef) bool {
	if ref == nil || ref.ProxyTypes == nil || len(*ref.ProxyTypes) == 0 {
		return true
	}
	return slices.Contains(*ref.ProxyTypes, client.ProxyTypeSidecar)
}

func inbounds(dp client.DataplaneItem) []client.DataplaneInbound {
	if dp.Networking == nil || dp.Networking.Inbound == nil {
		return nil
	}
	return *dp.Networking.Inbound
}

func hasAll(have, want map[string]string) bool {
	for k, v := range want {
		if got, ok := have[k]; !ok || (got != v && v != "*") {
			return false
		}
	}
	return true
}
