package provider_test

import (
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// jwtPolicy lets through GET requests bearing an HS256 token signed with "secret" whose role is
// admin and whose nbf/exp hold now, written in Rego v0 as Kong Mesh 2.x documents policies.
const jwtPolicy = `package envoy.authz

import input.attributes.request.http as http_request

default allow = false

token = {"valid": valid, "payload": payload} {
  [_, encoded] := split(http_request.headers.authorization, " ")
  [valid, _, payload] := io.jwt.decode_verify(encoded, {"secret": "secret"})
}

allow {
  token.valid
  now := time.now_ns() / 1000000000
  token.payload.nbf <= now
  now < token.payload.exp
  token.payload.role == "admin"
  http_request.method == "GET"
}
`

// meshTraffic sends requests through a dataplane's sidecar inbound.
type meshTraffic struct {
	t   *testing.T
	url string
}

// send answers the status of one request with an optional bearer token and body.
func (m meshTraffic) send(method, token, body string) int {
	m.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, m.url, rd)
	if err != nil {
		m.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		m.t.Fatalf("%s through the sidecar: %v", method, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// expect is a check of the statuses a set of requests get through the sidecar.
func (m meshTraffic) expect(cases ...meshCase) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, c := range cases {
			if got := m.send(c.method, c.token, c.body); got != c.want {
				return fmt.Errorf("%s: %s through the sidecar got %d, want %d", c.name, c.method, got, c.want)
			}
		}
		return nil
	}
}

type meshCase struct {
	name, method, token, body string
	want                      int
}

func hs256(t *testing.T, role string, nbf, exp time.Time) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"role": role, "nbf": nbf.Unix(), "exp": exp.Unix()}).SignedString([]byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// MeshOPA applied with Terraform decides, with OPA, what reaches a mesh service: a Dataplane
// registered through the API for an echo service gets a sidecar, and each step's policy is
// checked with real requests through it.
func TestAccMeshOPATraffic(t *testing.T) {
	cp := newMeshControlPlane(t)
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "echo") }))
	t.Cleanup(echo.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	inbound := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	apiCall(t, http.MethodPut, kumaPath(cp, "dataplanes", "default", "echo-1"), map[string]any{
		"type": "Dataplane", "mesh": "default", "name": "echo-1",
		"networking": map[string]any{"address": "127.0.0.1", "inbound": []any{map[string]any{
			"port": inbound, "servicePort": echo.Listener.Addr().(*net.TCPAddr).Port,
			"tags": map[string]any{"kuma.io/service": "echo", "kuma.io/protocol": "http"},
		}}},
	}, nil, http.StatusCreated)
	traffic := meshTraffic{t: t, url: fmt.Sprintf("http://127.0.0.1:%d/orders", inbound)}

	now := time.Now()
	admin := hs256(t, "admin", now.Add(-time.Minute), now.Add(time.Hour))
	expired := hs256(t, "admin", now.Add(-2*time.Hour), now.Add(-time.Hour))
	viewer := hs256(t, "viewer", now.Add(-time.Minute), now.Add(time.Hour))

	config := func(policy, authConfig, extra string) string {
		return providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_mesh_secret" "policy" {
  cp_id = %[1]q
  mesh  = "default"
  type  = "Secret"
  name  = "jwt-policy"
  data  = %[2]q
}

resource "konnect_mesh_opa" "echo" {
  cp_id = %[1]q
  mesh  = "default"
  type  = "MeshOPA"
  name  = "echo-jwt"
  spec = {
    target_ref = { kind = "MeshService", name = "echo" }
    default = {
      append_policies = [%[3]s]
      %[4]s
    }
  }
}
%[5]s`, cp, base64.StdEncoding.EncodeToString([]byte(jwtPolicy)), policy, authConfig, extra)
	}
	inline := func(rego string) string { return fmt.Sprintf(`{ rego = { inline_string = %q } }`, rego) }
	jwtCases := []meshCase{
		{"no token", http.MethodGet, "", "", http.StatusForbidden},
		{"valid admin token", http.MethodGet, admin, "", http.StatusOK},
		{"POST with it", http.MethodPost, admin, "x", http.StatusForbidden},
		{"expired token", http.MethodGet, expired, "", http.StatusForbidden},
		{"non-admin role", http.MethodGet, viewer, "", http.StatusForbidden},
	}
	// A decision object without "allowed" is an agent failure, as a policy that cannot be
	// evaluated is (a policy that does not compile is refused at plan).
	failing := inline("package envoy.authz\nallow := {\"headers\": {\"x\": \"y\"}}\n")
	// maxSize 4: the policy sees the first 4 bytes and the partial-body header.
	truncated := inline("package envoy.authz\nimport rego.v1\ndefault allow := false\n" +
		"allow if {\n  input.attributes.request.http.body == \"abcd\"\n  input.attributes.request.http.headers[\"x-envoy-auth-partial-body\"] == \"true\"\n}\n")
	denyAll := `
resource "konnect_mesh_traffic_permission" "deny" {
  cp_id = %[1]q
  mesh  = "default"
  type  = "MeshTrafficPermission"
  name  = "deny-all"
  spec = {
    target_ref = { kind = "Mesh" }
    from       = [{ target_ref = { kind = "Mesh" }, default = { action = "Deny" } }]
  }
}`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config(inline(jwtPolicy), "", ""), Check: traffic.expect(jwtCases...)},
			{Config: config(`{ rego = { secret = konnect_mesh_secret.policy.name } }`, "", ""), Check: traffic.expect(jwtCases...)},
			{Config: config(failing, `auth_config = { on_agent_failure = "Allow" }`, ""), Check: traffic.expect(
				meshCase{"failing policy, onAgentFailure Allow", http.MethodGet, "", "", http.StatusOK})},
			{Config: config(failing, `auth_config = { on_agent_failure = "Deny" }`, ""), Check: traffic.expect(
				meshCase{"failing policy, onAgentFailure Deny", http.MethodGet, "", "", http.StatusForbidden})},
			{Config: config(failing, `auth_config = { on_agent_failure = "Deny", status_on_error = 413 }`, ""), Check: traffic.expect(
				meshCase{"failing policy, statusOnError 413", http.MethodGet, "", "", http.StatusRequestEntityTooLarge})},
			{Config: config(truncated, `auth_config = { request_body = { max_size = 4 } }`, ""), Check: traffic.expect(
				meshCase{"body cut to 4 bytes", http.MethodPost, "", "abcdefgh", http.StatusOK},
				meshCase{"body shorter than maxSize", http.MethodPost, "", "abc", http.StatusForbidden})},
			{Config: config(inline(jwtPolicy), "", fmt.Sprintf(denyAll, cp)), Check: traffic.expect(
				meshCase{"MeshTrafficPermission Deny over an allowed token", http.MethodGet, admin, "", http.StatusForbidden})},
			{Config: config(inline(jwtPolicy), "", ""), Check: traffic.expect(
				meshCase{"the permission removed", http.MethodGet, admin, "", http.StatusOK})},
		},
	})
}
