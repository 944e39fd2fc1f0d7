package provider_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator"
	"github.com/openkonnect/terraform-provider-konnect/internal/provider"
)

// The acceptance tests run the real terraform CLI (found on PATH) against an emulator
// started here, in-process: no account, no network. `make test` sets TF_ACC.

var testEmulator *emulator.Emulator

func TestMain(m *testing.M) {
	emu, err := emulator.Start(context.Background(), emulator.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the emulator:", err)
		os.Exit(1)
	}
	testEmulator = emu
	code := m.Run()
	_ = emu.Close()
	os.Exit(code)
}

var protoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"konnect": providerserver.NewProtocol6WithError(provider.New("test")()),
}

// providerConfig points the provider at an emulator.
func providerConfig(emu *emulator.Emulator) string {
	return fmt.Sprintf(`
provider "konnect" {
  server_url            = %q
  personal_access_token = %q
}
`, emu.URL, emu.Token)
}

var controlPlaneSeq atomic.Int64

// newControlPlane creates a control plane of its own for a test, so parallel tests never
// see each other's entities, and returns its id.
func newControlPlane(t *testing.T) string {
	t.Helper()
	name := fmt.Sprintf("%s-%d", t.Name(), controlPlaneSeq.Add(1))
	var out struct{ ID string }
	apiCall(t, http.MethodPost, "/v2/control-planes", map[string]any{"name": name}, &out, http.StatusCreated)
	return out.ID
}

// apiCall sends a request to the test emulator's API, as an operator working outside
// Terraform would, and checks the status.
func apiCall(t *testing.T, method, path string, body any, out any, want int) {
	t.Helper()
	if status := apiDo(t, method, path, body, out); status != want {
		t.Fatalf("%s %s: status %d, want %d", method, path, status, want)
	}
}

func apiDo(t *testing.T, method, path string, body any, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, testEmulator.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testEmulator.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return resp.StatusCode
}

// entityPath is the API path of a core entity.
func entityPath(cp, collection, id string) string {
	return "/v2/control-planes/" + cp + "/core-entities/" + collection + "/" + id
}

// stateAttr reads an attribute of a resource in the state.
func stateAttr(s *terraform.State, addr, attr string) string {
	rs, ok := s.RootModule().Resources[addr]
	if !ok {
		return ""
	}
	return rs.Primary.Attributes[attr]
}

// importID builds a JSON import id from state attributes.
func importID(addr string, attrs ...string) func(*terraform.State) (string, error) {
	return func(s *terraform.State) (string, error) {
		m := map[string]string{}
		for _, a := range attrs {
			v := stateAttr(s, addr, a)
			if v == "" {
				return "", fmt.Errorf("%s has no %s in state", addr, a)
			}
			m[a] = v
		}
		b, err := json.Marshal(m)
		return string(b), err
	}
}

// checkAPI runs f on the entity as the API has it.
func checkAPI(t *testing.T, addr, collection string, f func(entity map[string]any) error) func(*terraform.State) error {
	return func(s *terraform.State) error {
		var e map[string]any
		p := entityPath(stateAttr(s, addr, "control_plane_id"), collection, stateAttr(s, addr, "id"))
		if status := apiDo(t, http.MethodGet, p, nil, &e); status != http.StatusOK {
			return fmt.Errorf("GET %s: %d", p, status)
		}
		return f(e)
	}
}

func uniqueName(prefix string) string {
	return prefix + "-" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")
}

func getJSON(req *http.Request, out any) error {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %d", req.Method, req.URL.Path, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}
