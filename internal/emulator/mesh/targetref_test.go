package mesh_test

import (
	"testing"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/mesh"
)

func ptr[T any](v T) *T { return &v }

func TestSelectsInbound(t *testing.T) {
	t.Parallel()
	dp := client.DataplaneItem{Name: "dp-1", Labels: &client.MeshLabels{"team": "a"}}
	in := client.DataplaneInbound{Name: ptr("http"), Port: ptr(18080), Tags: &client.MeshLabels{mesh.ServiceTag: "echo", "version": "v1"}}
	ref := func(kind client.MeshTargetRefKind, f func(*client.MeshTargetRef)) *client.MeshTargetRef {
		r := &client.MeshTargetRef{Kind: kind}
		if f != nil {
			f(r)
		}
		return r
	}
	for _, tc := range []struct {
		name string
		ref  *client.MeshTargetRef
		want bool
	}{
		{"no targetRef", nil, true},
		{"Mesh", ref(client.TargetRefKindMesh, nil), true},
		{"Mesh for gateways only", ref(client.TargetRefKindMesh, func(r *client.MeshTargetRef) {
			r.ProxyTypes = &[]client.MeshTargetRefProxyTypes{client.ProxyTypeGateway}
		}), false},
		{"Mesh for sidecars", ref(client.TargetRefKindMesh, func(r *client.MeshTargetRef) {
			r.ProxyTypes = &[]client.MeshTargetRefProxyTypes{client.ProxyTypeSidecar}
		}), true},
		{"MeshSubset matching", ref(client.TargetRefKindMeshSubset, func(r *client.MeshTargetRef) { r.Tags = &client.MeshLabels{"version": "v1"} }), true},
		{"MeshSubset wildcard", ref(client.TargetRefKindMeshSubset, func(r *client.MeshTargetRef) { r.Tags = &client.MeshLabels{"version": "*"} }), true},
		{"MeshSubset other", ref(client.TargetRefKindMeshSubset, func(r *client.MeshTargetRef) { r.Tags = &client.MeshLabels{"version": "v2"} }), false},
		{"MeshService", ref(client.TargetRefKindMeshService, func(r *client.MeshTargetRef) { r.Name = ptr("echo") }), true},
		{"MeshService other", ref(client.TargetRefKindMeshService, func(r *client.MeshTargetRef) { r.Name = ptr("web") }), false},
		{"MeshServiceSubset", ref(client.TargetRefKindMeshServiceSubset, func(r *client.MeshTargetRef) {
			r.Name, r.Tags = ptr("echo"), &client.MeshLabels{"version": "v1"}
		}), true},
		{"MeshServiceSubset other tags", ref(client.TargetRefKindMeshServiceSubset, func(r *client.MeshTargetRef) {
			r.Name, r.Tags = ptr("echo"), &client.MeshLabels{"version": "v2"}
		}), false},
		{"Dataplane by name", ref(client.TargetRefKindDataplane, func(r *client.MeshTargetRef) { r.Name = ptr("dp-1") }), true},
		{"Dataplane other name", ref(client.TargetRefKindDataplane, func(r *client.MeshTargetRef) { r.Name = ptr("dp-2") }), false},
		{"Dataplane by labels", ref(client.TargetRefKindDataplane, func(r *client.MeshTargetRef) { r.Labels = &client.MeshLabels{"team": "a"} }), true},
		{"Dataplane other labels", ref(client.TargetRefKindDataplane, func(r *client.MeshTargetRef) { r.Labels = &client.MeshLabels{"team": "b"} }), false},
		{"Dataplane section by name", ref(client.TargetRefKindDataplane, func(r *client.MeshTargetRef) { r.SectionName = ptr("http") }), true},
		{"Dataplane section by port", ref(client.TargetRefKindDataplane, func(r *client.MeshTargetRef) { r.SectionName = ptr("18080") }), true},
		{"Dataplane other section", ref(client.TargetRefKindDataplane, func(r *client.MeshTargetRef) { r.SectionName = ptr("grpc") }), false},
		{"MeshGateway", ref(client.TargetRefKindMeshGateway, func(r *client.MeshTargetRef) { r.Name = ptr("gw") }), false},
		{"MeshHTTPRoute", ref(client.TargetRefKindMeshHTTPRoute, func(r *client.MeshTargetRef) { r.Name = ptr("r") }), false},
	} {
		if got := mesh.SelectsInbound(tc.ref, dp, in); got != tc.want {
			t.Errorf("%s: SelectsInbound = %v, want %v", tc.name, got, tc.want)
		}
		dp.Networking = &client.DataplaneNetworking{Inbound: &[]client.DataplaneInbound{in}}
		if got := mesh.Selects(tc.ref, dp); got != tc.want {
			t.Errorf("%s: Selects = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestRegoSourceAndAgentFailure(t *testing.T) {
	t.Parallel()
	current := client.MeshOPAPolicy{Rego: &client.MeshOPADataSource{Secret: ptr("s")}}
	legacy := client.MeshOPAPolicy{InlineString: ptr("package a")}
	if got := mesh.RegoSource(current); got.Secret == nil || *got.Secret != "s" {
		t.Errorf("rego form: %+v", got)
	}
	if got := mesh.RegoSource(legacy); got.InlineString == nil || *got.InlineString != "package a" || got.Secret != nil {
		t.Errorf("2.x form: %+v", got)
	}
	for v, want := range map[client.MeshOPAAuthConfigOnAgentFailure]bool{"Allow": true, "allow": true, "Deny": false, "deny": false} {
		if got := mesh.AllowsOnAgentFailure(&client.MeshOPAAuthConfig{OnAgentFailure: &v}); got != want {
			t.Errorf("%s: %v", v, got)
		}
	}
	if mesh.AllowsOnAgentFailure(nil) {
		t.Error("the default is Deny")
	}
}
