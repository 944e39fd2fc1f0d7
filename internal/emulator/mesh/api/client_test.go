package api_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// The generated client's mesh methods against the emulator: what the provider will use.
func TestGeneratedClientMesh(t *testing.T) {
	t.Parallel()
	h := start(t)
	ctx := context.Background()
	c, err := client.New(h.emu.URL, client.WithPersonalAccessToken(h.emu.Token))
	if err != nil {
		t.Fatal(err)
	}
	created, err := c.CreateMeshControlPlaneWithResponse(ctx, client.CreateMeshControlPlaneRequest{Name: "client-" + uuid.NewString()[:8]})
	if err != nil || created.JSON201 == nil {
		t.Fatalf("create control plane: %v", err)
	}
	cpID := *created.JSON201.Id
	if r, err := c.PutMeshWithResponse(ctx, cpID, "default", client.MeshItem{Type: "Mesh", Name: "default"}); err != nil || r.StatusCode() != http.StatusCreated {
		t.Fatalf("put mesh: %v", err)
	}

	kind := client.TargetRefKindMesh
	onFailure := client.MeshOPAAuthConfigOnAgentFailureDeny
	status := int32(413)
	policy := client.MeshOPAItem{
		Type: client.MeshOPAItemTypeMeshOPA, Name: "jwt", Mesh: ptr("default"), Labels: &client.MeshLabels{"team": "a"},
		Spec: client.MeshOPASpec{
			TargetRef: &client.MeshTargetRef{Kind: kind},
			Default: &client.MeshOPAConf{
				AppendPolicies: &[]client.MeshOPAPolicy{{Rego: &client.MeshOPADataSource{InlineString: ptr("package envoy.authz\ndefault allow = false")}}},
				AuthConfig:     &client.MeshOPAAuthConfig{OnAgentFailure: &onFailure, StatusOnError: &status},
			},
		},
	}
	put, err := c.PutMeshOPAWithResponse(ctx, cpID, "default", "jwt", policy)
	if err != nil || put.StatusCode() != http.StatusCreated {
		t.Fatalf("put MeshOPA: %v", err)
	}
	got, err := c.GetMeshOPAWithResponse(ctx, cpID, "default", "jwt")
	if err != nil || got.JSON200 == nil {
		t.Fatalf("get MeshOPA: %v", err)
	}
	p := got.JSON200
	if p.Name != "jwt" || p.CreationTime == nil || p.Kri == nil || *p.Kri != "kri_mopa_default___jwt_" ||
		*p.Spec.Default.AuthConfig.StatusOnError != 413 || *(*p.Spec.Default.AppendPolicies)[0].Rego.InlineString != "package envoy.authz\ndefault allow = false" {
		t.Errorf("read back: %+v", p)
	}
	list, err := c.GetMeshOPAListWithResponse(ctx, cpID, "default", &client.GetMeshOPAListParams{Size: ptr(10)})
	if err != nil || list.JSON200 == nil || *list.JSON200.Total != 1 || len(*list.JSON200.Items) != 1 || list.JSON200.Next != nil {
		t.Fatalf("list: %v %+v", err, list)
	}

	if _, err := c.PutDataplaneWithResponse(ctx, cpID, "default", "dp", client.DataplaneItem{Type: "Dataplane", Name: "dp", Mesh: "default",
		Networking: &client.DataplaneNetworking{Address: ptr("127.0.0.1"), Inbound: &[]client.DataplaneInbound{{Port: ptr(18080), Tags: &client.MeshLabels{"kuma.io/service": "echo"}}}}}); err != nil {
		t.Fatalf("put dataplane: %v", err)
	}
	conf, err := c.GetProxyPolicyConfWithResponse(ctx, cpID, "default", "dp")
	if err != nil || conf.JSON200 == nil || len(conf.JSON200.Policies) != 1 || conf.JSON200.Policies[0].Kind != "MeshOPA" {
		t.Fatalf("_policies: %v %+v", err, conf)
	}

	// Errors come back as *client.APIError with Kuma's fields.
	bad := policy
	bad.Spec.Default = &client.MeshOPAConf{AppendPolicies: &[]client.MeshOPAPolicy{{Rego: &client.MeshOPADataSource{}}}}
	_, err = c.PutMeshOPAWithResponse(ctx, cpID, "default", "jwt", bad)
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest || len(apiErr.Fields) != 1 || apiErr.Fields[0].Field != "spec.default.appendPolicies[0].rego" {
		t.Errorf("invalid MeshOPA: %v", err)
	}

	if r, err := c.DeleteMeshOPAWithResponse(ctx, cpID, "default", "jwt"); err != nil || r.StatusCode() != http.StatusOK {
		t.Fatalf("delete: %v", err)
	}
	if _, err := c.GetMeshOPAWithResponse(ctx, cpID, "default", "jwt"); !client.IsNotFound(err) {
		t.Errorf("get deleted: %v, want not found", err)
	}
	if r, err := c.DeleteMeshControlPlaneWithResponse(ctx, cpID); err != nil || r.StatusCode() != http.StatusNoContent {
		t.Fatalf("delete control plane: %v", err)
	}
	if _, err := c.GetMeshControlPlaneWithResponse(ctx, cpID); !client.IsNotFound(err) {
		t.Errorf("get deleted control plane: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }
