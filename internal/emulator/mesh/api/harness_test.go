package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator"
)

// harness is an emulator with a fresh mesh control plane and a mesh "default" in it.
type harness struct {
	t   *testing.T
	emu *emulator.Emulator
	cp  string
}

func start(t *testing.T) *harness {
	t.Helper()
	emu, err := emulator.Start(context.Background(), emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	h := &harness{t: t, emu: emu}
	status, body := h.do(http.MethodPost, "/v1/mesh/control-planes", `{"name":"mesh-cp-`+uuid.NewString()[:8]+`"}`)
	if status != http.StatusCreated {
		t.Fatalf("creating a mesh control plane: %d %s", status, body)
	}
	var cp struct{ ID string }
	mustDecode(t, body, &cp)
	h.cp = cp.ID
	h.mustPut("meshes/default", `{"type":"Mesh","name":"default"}`)
	return h
}

// api is the path of the Kuma API of the harness's control plane.
func (h *harness) api(rest string) string {
	return "/v1/mesh/control-planes/" + h.cp + "/api/" + rest
}

// do sends a request with the emulator's token and returns the status and body.
func (h *harness) do(method, path, body string) (int, []byte) {
	h.t.Helper()
	status, _, out := h.doHeaders(method, path, body)
	return status, out
}

func (h *harness) doHeaders(method, path, body string) (int, http.Header, []byte) {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, h.emu.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+h.emu.Token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, out
}

// mustPut PUTs a Kuma resource (path relative to the API) and requires 200 or 201.
func (h *harness) mustPut(rest, body string) int {
	h.t.Helper()
	status, out := h.do(http.MethodPut, h.api(rest), body)
	if status != http.StatusCreated && status != http.StatusOK {
		h.t.Fatalf("PUT %s: %d %s", rest, status, out)
	}
	return status
}

// mustGet GETs a Kuma resource and decodes it.
func (h *harness) mustGet(rest string) map[string]any {
	h.t.Helper()
	status, out := h.do(http.MethodGet, h.api(rest), "")
	if status != http.StatusOK {
		h.t.Fatalf("GET %s: %d %s", rest, status, out)
	}
	var m map[string]any
	mustDecode(h.t, out, &m)
	return m
}

func mustDecode(t *testing.T, body []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
}

// jsonEqual compares two JSON documents by value.
func jsonEqual(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	mustDecode(t, got, &g)
	mustDecode(t, []byte(want), &w)
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if !bytes.Equal(gb, wb) {
		t.Errorf("body\n got: %s\nwant: %s", gb, wb)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
