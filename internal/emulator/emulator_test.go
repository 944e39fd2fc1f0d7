package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator"
)

// harness is an emulator with a client and a fresh control plane for one test.
type harness struct {
	t   *testing.T
	emu *emulator.Emulator
	c   *client.Client
	cp  client.ControlPlaneId
	ctx context.Context
}

func start(t *testing.T) *harness {
	t.Helper()
	ctx := context.Background()
	emu, err := emulator.Start(ctx, emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	c, err := client.New(emu.URL, client.WithPersonalAccessToken(emu.Token))
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, emu: emu, c: c, ctx: ctx}
	r, err := c.CreateControlPlaneWithResponse(ctx, client.CreateControlPlaneRequest{Name: "cp-" + uuid.NewString()[:8]})
	if err != nil {
		t.Fatal(err)
	}
	h.cp = r.JSON201.Id
	return h
}

func ptr[T any](v T) *T { return &v }

// raw sends a request with the emulator's token (or the given Authorization) and returns the
// status and decoded body.
func (h *harness) raw(method, path, body string, auth ...string) (int, map[string]any) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.emu.URL+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if len(auth) > 0 {
		if auth[0] != "" {
			req.Header.Set("Authorization", auth[0])
		}
	} else {
		req.Header.Set("Authorization", "Bearer "+h.emu.Token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(data) > 0 {
		if err := json.Unmarshal(data, &out); err != nil {
			h.t.Fatalf("%s %s: answer is not a JSON object: %s", method, path, data)
		}
	}
	return resp.StatusCode, out
}

func (h *harness) core(path string) string {
	return "/v2/control-planes/" + h.cp.String() + "/core-entities" + path
}

func apiErr(t *testing.T, err error) *client.APIError {
	t.Helper()
	var e *client.APIError
	if !errors.As(err, &e) {
		t.Fatalf("want *client.APIError, got %T: %v", err, err)
	}
	return e
}

func TestStartServesHealthAndDefaultControlPlane(t *testing.T) {
	t.Parallel()
	h := start(t)
	status, body := h.raw(http.MethodGet, "/_emulator/health", "", "")
	if status != http.StatusOK || body["status"] != "ok" {
		t.Fatalf("health: %d %v", status, body)
	}
	id := h.emu.DefaultControlPlaneID()
	if uuid.Validate(id) != nil {
		t.Fatalf("default control plane id %q", id)
	}
	status, body = h.raw(http.MethodGet, "/_emulator/control-planes/"+id, "")
	if status != http.StatusOK || body["name"] != "default" {
		t.Fatalf("control plane info: %d %v", status, body)
	}
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	h := start(t)
	for _, auth := range []string{"", "Bearer wrong", "Basic " + h.emu.Token, "Bearer", h.emu.Token} {
		status, body := h.raw(http.MethodGet, h.core("/consumers"), "", auth)
		if status != http.StatusUnauthorized || body["message"] != "Unauthorized" || body["status"] != float64(401) {
			t.Errorf("core entities with %q: %d %v", auth, status, body)
		}
		status, body = h.raw(http.MethodGet, "/v2/control-planes", "", auth)
		if status != http.StatusUnauthorized || body["title"] != "Unauthorized" || body["status"] != float64(401) {
			t.Errorf("control planes with %q: %d %v", auth, status, body)
		}
	}
	bad, _ := client.New(h.emu.URL, client.WithPersonalAccessToken("kpat_not_accepted"))
	_, err := bad.ListConsumerWithResponse(h.ctx, h.cp, nil)
	if e := apiErr(t, err); e.StatusCode != http.StatusUnauthorized {
		t.Fatalf("client with a wrong token: %v", err)
	}
}

func TestControlPlanes(t *testing.T) {
	t.Parallel()
	h := start(t)
	desc := "team a"
	r, err := h.c.CreateControlPlaneWithResponse(h.ctx, client.CreateControlPlaneRequest{Name: "team-a", Description: &desc, Labels: &client.Labels{"env": "dev"}})
	if err != nil {
		t.Fatal(err)
	}
	cp := r.JSON201
	if cp.Config.ClusterType != client.ControlPlaneConfigClusterTypeCLUSTERTYPECONTROLPLANE || cp.Config.AuthType != client.ControlPlaneConfigAuthTypePinnedClientCerts ||
		cp.Config.ControlPlaneEndpoint == "" || cp.Config.TelemetryEndpoint == "" || cp.Labels["env"] != "dev" || cp.CreatedAt.IsZero() {
		t.Fatalf("created control plane lacks Konnect's fields: %+v", cp)
	}
	_, err = h.c.CreateControlPlaneWithResponse(h.ctx, client.CreateControlPlaneRequest{Name: "team-a"})
	if e := apiErr(t, err); e.StatusCode != http.StatusConflict || !client.IsConflict(err) || e.Title != "Conflict" {
		t.Fatalf("duplicate name: %v", err)
	}
	name := "team-a-renamed"
	u, err := h.c.UpdateControlPlaneWithResponse(h.ctx, cp.Id, client.UpdateControlPlaneRequest{Name: &name})
	if err != nil || u.JSON200.Name != name || u.JSON200.Description != desc {
		t.Fatalf("patch: %v %+v", err, u)
	}
	eq := name
	list, err := h.c.ListControlPlanesWithResponse(h.ctx, &client.ListControlPlanesParams{Filter: &client.ControlPlaneFilter{Name: &struct {
		Contains *string `json:"contains,omitempty"`
		Eq       *string `json:"eq,omitempty"`
		Neq      *string `json:"neq,omitempty"`
	}{Eq: &eq}}})
	if err != nil || len(list.JSON200.Data) != 1 || list.JSON200.Data[0].Id != cp.Id || list.JSON200.Meta.Page.Total != 1 {
		t.Fatalf("filter[name][eq]: %v %+v", err, list)
	}
	status, body := h.raw(http.MethodGet, "/v2/control-planes?filter[name]="+name, "")
	if status != http.StatusOK || len(body["data"].([]any)) != 1 {
		t.Fatalf("filter[name] shorthand: %d %v", status, body)
	}

	// Deleting a control plane removes what it holds.
	if _, err := h.c.UpsertConsumerWithResponse(h.ctx, cp.Id, "alice", client.Consumer{}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.c.DeleteControlPlaneWithResponse(h.ctx, cp.Id); err != nil {
		t.Fatal(err)
	}
	if _, err := h.c.GetControlPlaneWithResponse(h.ctx, cp.Id); !client.IsNotFound(err) {
		t.Fatalf("deleted control plane: %v", err)
	}
	if _, err := h.c.GetConsumerWithResponse(h.ctx, cp.Id, "alice"); !client.IsNotFound(err) {
		t.Fatalf("consumer of a deleted control plane: %v", err)
	}
}

func TestControlPlanePagination(t *testing.T) {
	t.Parallel()
	h := start(t)
	for i := range 25 {
		if _, err := h.c.CreateControlPlaneWithResponse(h.ctx, client.CreateControlPlaneRequest{Name: fmt.Sprintf("page-%02d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	size := 7
	var names []string
	for cp, err := range h.c.ControlPlanes(h.ctx, client.ListControlPlanesParams{PageSize: &size}) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, cp.Name)
	}
	// default, the harness's own, and the 25 above, each once.
	if len(names) != 27 || len(slices.Compact(slices.Sorted(slices.Values(names)))) != 27 {
		t.Fatalf("walked %d control planes: %v", len(names), names)
	}
}

func TestConsumerDefaultsAndLookups(t *testing.T) {
	t.Parallel()
	h := start(t)
	r, err := h.c.CreateConsumerWithResponse(h.ctx, h.cp, client.Consumer{Username: ptr("alice"), CustomId: ptr("a-1"), Tags: &[]string{"gold"}})
	if err != nil {
		t.Fatal(err)
	}
	c := r.JSON201
	if c.Id == nil || uuid.Validate(*c.Id) != nil || c.CreatedAt == nil || c.UpdatedAt == nil || *c.CreatedAt < 1_700_000_000 {
		t.Fatalf("server-filled fields missing: %+v", c)
	}
	byName, err := h.c.GetConsumerWithResponse(h.ctx, h.cp, "alice")
	if err != nil || *byName.JSON200.Id != *c.Id {
		t.Fatalf("get by username: %v", err)
	}
	// PUT by username creates; a second PUT replaces and keeps created_at.
	put, err := h.c.UpsertConsumerWithResponse(h.ctx, h.cp, "bob", client.Consumer{CustomId: ptr("b-1")})
	if err != nil || *put.JSON200.Username != "bob" {
		t.Fatalf("put by username: %v %+v", err, put)
	}
	again, err := h.c.UpsertConsumerWithResponse(h.ctx, h.cp, *put.JSON200.Id, client.Consumer{Username: ptr("bob"), Tags: &[]string{"x"}})
	if err != nil || *again.JSON200.CreatedAt != *put.JSON200.CreatedAt || again.JSON200.CustomId != nil {
		t.Fatalf("replace: %v %+v", err, again)
	}
	list, err := h.c.ListConsumerWithResponse(h.ctx, h.cp, &client.ListConsumerParams{CustomId: ptr("a-1")})
	if err != nil || len(*list.JSON200.Data) != 1 || *(*list.JSON200.Data)[0].Username != "alice" {
		t.Fatalf("custom_id filter: %v", err)
	}
}
