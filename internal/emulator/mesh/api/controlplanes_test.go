package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// withoutInstance drops the trace instance (it carries the request id) from a problem body.
func withoutInstance(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var p map[string]any
	mustDecode(t, body, &p)
	if inst, _ := p["instance"].(string); !strings.HasPrefix(inst, "kong:trace:") {
		t.Errorf("instance %q", p["instance"])
	}
	delete(p, "instance")
	return p
}

type meshCP struct {
	ID        string            `json:"id"`
	Name      string            `json:"name"`
	Desc      string            `json:"description"`
	Labels    map[string]string `json:"labels"`
	Features  []map[string]any  `json:"features"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
}

func decodeCP(t *testing.T, body []byte) meshCP {
	t.Helper()
	var cp meshCP
	mustDecode(t, body, &cp)
	return cp
}

func TestMeshControlPlaneCRUD(t *testing.T) {
	t.Parallel()
	h := start(t)
	name := "cp-" + uuid.NewString()[:8]
	status, body := h.do(http.MethodPost, "/v1/mesh/control-planes", `{"name":"`+name+`","description":"d","labels":{"env":"dev"},
		"features":[{"type":"MeshCreation","meshCreation":{"enabled":true}}]}`)
	if status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, body)
	}
	cp := decodeCP(t, body)
	if uuid.Validate(cp.ID) != nil || cp.Name != name || cp.Desc != "d" || cp.Labels["env"] != "dev" || len(cp.Features) != 1 ||
		cp.CreatedAt.IsZero() || !cp.UpdatedAt.Equal(cp.CreatedAt) {
		t.Errorf("created: %s", body)
	}
	path := "/v1/mesh/control-planes/" + cp.ID
	// MeshCreation made the mesh "default".
	if status, _ := h.do(http.MethodGet, path+"/api/meshes/default", ""); status != http.StatusOK {
		t.Errorf("default mesh of a control plane with MeshCreation: %d", status)
	}

	status, body = h.do(http.MethodPost, "/v1/mesh/control-planes", `{"name":"`+name+`"}`)
	if status != http.StatusConflict {
		t.Errorf("duplicate name: %d", status)
	}
	jsonEqual(t, mustJSON(t, withoutInstance(t, body)), `{"type":"https://kongapi.info/konnect/conflict","status":409,"title":"Conflict","detail":"Key (org_id, name)=(emulator, `+name+`) already exists."}`)

	_, body = h.do(http.MethodGet, "/v1/mesh/control-planes?filter[name][eq]="+name, "")
	var list struct {
		Data []struct{ ID string }
		Meta struct{ Page struct{ Total int } }
	}
	mustDecode(t, body, &list)
	if len(list.Data) != 1 || list.Data[0].ID != cp.ID || list.Meta.Page.Total != 1 {
		t.Errorf("filtered list: %s", body)
	}

	status, body = h.do(http.MethodPatch, path, `{"labels":{"env":null,"tier":"gold"}}`)
	if status != http.StatusOK {
		t.Fatalf("patch: %d %s", status, body)
	}
	cp = decodeCP(t, body)
	if cp.Name != name || cp.Desc != "d" || len(cp.Labels) != 1 || cp.Labels["tier"] != "gold" || cp.UpdatedAt.Before(cp.CreatedAt) {
		t.Errorf("patched: %s", body)
	}
	status, body = h.do(http.MethodPut, path, `{"name":"`+name+`-2"}`)
	if status != http.StatusOK {
		t.Fatalf("put: %d %s", status, body)
	}
	cp = decodeCP(t, body)
	if cp.Name != name+"-2" || cp.Desc != "" || len(cp.Labels) != 0 || len(cp.Features) != 1 {
		t.Errorf("replaced: %s", body)
	}

	status, body = h.do(http.MethodPost, "/v1/mesh/control-planes", `{"labels":{"konnect-x":"y"},"extra":true}`)
	if status != http.StatusBadRequest {
		t.Errorf("bad create: %d", status)
	}
	jsonEqual(t, mustJSON(t, withoutInstance(t, body)), `{"type":"https://kongapi.info/konnect/bad-request","status":400,"title":"Bad Request","detail":"","invalid_parameters":[
		{"field":"extra","reason":"property \"extra\" is unsupported","rule":"unknown_property","source":"body"},
		{"field":"name","reason":"property \"name\" is missing","rule":"required","source":"body"}]}`)
	status, body = h.do(http.MethodPost, "/v1/mesh/control-planes", `{"name":"x-`+name+`","labels":{"konnect-x":"y"}}`)
	if status != http.StatusBadRequest || !strings.Contains(string(body), `"field":"labels.konnect-x"`) {
		t.Errorf("reserved label: %d %s", status, body)
	}

	if status, _ := h.do(http.MethodDelete, path, ""); status != http.StatusNoContent {
		t.Fatalf("delete: %d", status)
	}
	status, body = h.do(http.MethodGet, path, "")
	if status != http.StatusNotFound {
		t.Errorf("get deleted: %d", status)
	}
	jsonEqual(t, mustJSON(t, withoutInstance(t, body)), `{"type":"https://kongapi.info/konnect/not-found","status":404,"title":"Not Found","detail":"Not Found"}`)
	if status, _ := h.do(http.MethodGet, path+"/api/meshes/default", ""); status != http.StatusNotFound {
		t.Errorf("mesh of a deleted control plane: %d", status)
	}
	if status, _ := h.do(http.MethodGet, "/v1/mesh/control-planes/not-a-uuid", ""); status != http.StatusBadRequest {
		t.Errorf("malformed id: %d", status)
	}
}

func TestMeshAPIRequiresToken(t *testing.T) {
	t.Parallel()
	h := start(t)
	req, _ := http.NewRequest(http.MethodGet, h.emu.URL+h.api("meshes"), nil) //nolint:noctx // a test request
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("no token: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// The Mesh fields the emulator stores without acting on them are listed, not silently kept.
func TestMeshNotEnforcedFieldsAreListed(t *testing.T) {
	t.Parallel()
	h := start(t)
	status, body := h.do(http.MethodGet, "/_emulator/mesh/not-enforced", "")
	if status != http.StatusOK || !strings.Contains(string(body), `"routing.zoneEgress"`) || !strings.Contains(string(body), `"skipCreatingInitialPolicies"`) {
		t.Errorf("not enforced: %d %s", status, body)
	}
}
