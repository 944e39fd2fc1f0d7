package emulator

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/identity"
)

// The mesh API is guarded by the same table as control planes: its list answers lose what the
// principal does not see, and a Creator becomes admin of the mesh control plane it creates.
// The mesh handlers are stand-ins here, answering as Konnect's mesh API does.
func TestMeshPathsAreGuarded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	emu, err := Start(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	c, err := client.New(emu.URL, client.WithPersonalAccessToken(emu.Token))
	if err != nil {
		t.Fatal(err)
	}
	seen, hidden, created := uuid.NewString(), uuid.NewString(), uuid.NewString()
	acc, err := c.PostSystemAccountsWithResponse(ctx, client.CreateSystemAccountRequest{Name: "mesh", Description: "mesh"})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []struct{ role, id string }{{"Viewer", seen}, {"Creator", "*"}} {
		region := client.EntityRegion("us")
		if _, err := c.PostSystemAccountsAccountIdAssignedRolesWithResponse(ctx, acc.JSON201.Id.String(), client.AssignRoleRequest{
			RoleName: ptr(client.AssignRoleRequestRoleName(a.role)), EntityTypeName: ptr(client.AssignRoleRequestEntityTypeName("Mesh Control Planes")),
			EntityId: &a.id, EntityRegion: &region}); err != nil {
			t.Fatal(err)
		}
	}
	tok, err := c.PostSystemAccountsIdAccessTokensWithResponse(ctx, acc.JSON201.Id.String(), client.CreateSystemAccountAccessTokenRequest{Name: "t", ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	principal := func() *identity.Principal {
		p, ok := emu.api.identity.Authenticate(*tok.JSON201.Token)
		if !ok {
			t.Fatal("the token is refused")
		}
		return p
	}
	meshAPI := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			writeJSON(w, http.StatusCreated, map[string]string{"id": created, "name": "new"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": []map[string]string{{"id": seen}, {"id": hidden}}, "meta": map[string]any{"page": map[string]int{"number": 1, "size": 10, "total": 2}}})
	})
	serve := func(method string) (int, map[string]any) {
		req := httptest.NewRequest(method, "/v1/mesh/control-planes", nil)
		req = req.WithContext(identity.WithPrincipal(req.Context(), principal()))
		rec := httptest.NewRecorder()
		emu.api.authorize(meshAPI).ServeHTTP(rec, req)
		var body map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &body)
		return rec.Code, body
	}
	status, list := serve(http.MethodGet)
	data, _ := list["data"].([]any)
	if status != http.StatusOK || len(data) != 1 || data[0].(map[string]any)["id"] != seen {
		t.Errorf("mesh list: %d %v", status, list)
	}
	if principal().Has(identity.EntityMeshControlPlanes, created, identity.RoleAdmin) {
		t.Fatal("admin before creating")
	}
	if status, body := serve(http.MethodPost); status != http.StatusCreated || body["id"] != created {
		t.Fatalf("mesh create: %d %v", status, body)
	}
	if !principal().Has(identity.EntityMeshControlPlanes, created, identity.RoleAdmin) {
		t.Error("the creator is not admin of the mesh control plane it created")
	}
}
