package provider_test

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// jwtPolicyV0 admits GET requests carrying a valid HS256 token of an admin, in the Rego v0
// syntax Kong Mesh 2.x documents.
const jwtPolicyV0 = `package envoy.authz

import input.attributes.request.http as http_request

default allow = false

token = {"valid": valid, "payload": payload} {
  [_, encoded] := split(http_request.headers.authorization, " ")
  [valid, _, payload] := io.jwt.decode_verify(encoded, {"secret": "secret"})
}

allow {
  token.valid
  token.payload.role == "admin"
  http_request.method == "GET"
}
`

// getOnlyPolicyV1 is a Rego v1 policy.
const getOnlyPolicyV1 = `package envoy.authz

default allow := false

allow if input.attributes.request.http.method == "GET"
`

func TestAccMeshOPA(t *testing.T) {
	kumaLifecycle{
		addr: "konnect_mesh_opa.this", plural: "meshopas",
		create: `
resource "konnect_mesh_opa" "this" {
  cp_id = %[1]q
  mesh  = "default"
  type  = "MeshOPA"
  name  = "jwt"
  spec = {
    target_ref = { kind = "MeshService", name = "echo" }
    default = {
      append_policies = [{ rego = { inline_string = ` + heredoc(jwtPolicyV0) + ` } }]
    }
  }
}
`,
		update: `
resource "konnect_mesh_secret" "policy" {
  cp_id = %[1]q
  mesh  = "default"
  type  = "Secret"
  name  = "get-only"
  data  = base64encode(` + heredoc(getOnlyPolicyV1) + `)
}

resource "konnect_mesh_opa" "this" {
  cp_id  = %[1]q
  mesh   = "default"
  type   = "MeshOPA"
  name   = "jwt"
  labels = { team = "payments" }
  spec = {
    target_ref = { kind = "MeshSubset", tags = { "kuma.io/service" = "echo" }, proxy_types = ["Sidecar"] }
    default = {
      agent_config = { inline_string = "decision_logs:\n  console: true\n" }
      append_policies = [
        { rego = { inline = base64encode(` + heredoc(getOnlyPolicyV1) + `) } },
        { rego = { secret = konnect_mesh_secret.policy.name }, ignore_decision = false },
      ]
      auth_config = {
        on_agent_failure = "Allow"
        status_on_error  = 413
        timeout          = "2s"
        request_body     = { max_size = 1024, send_raw_body = true }
      }
    }
  }
}
`,
		created: expectAt(map[string]any{
			"spec.targetRef.kind": "MeshService", "spec.targetRef.name": "echo",
		}),
		updated: expectAt(map[string]any{
			"spec.targetRef.kind": "MeshSubset", "spec.targetRef.tags": map[string]any{"kuma.io/service": "echo"},
			"spec.targetRef.name": nil, "spec.default.authConfig.onAgentFailure": "Allow",
			"spec.default.authConfig.statusOnError": 413, "spec.default.authConfig.requestBody.maxSize": 1024,
			"labels.team": "payments",
		}),
		drift: func(r map[string]any) {
			r["spec"].(map[string]any)["default"].(map[string]any)["authConfig"] = map[string]any{"onAgentFailure": "Deny"}
		},
	}.run(t)
}

// A policy that does not compile is refused at plan, with the line and OPA's message; nothing
// is sent to the API.
func TestAccMeshOPABrokenRego(t *testing.T) {
	cp := newMeshControlPlane(t)
	broken := "package envoy.authz\n\ndefault allow := false\n\nallow if {\n  input.attributes.request.http.method ==\n}\n"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_mesh_opa" "this" {
  cp_id = %q
  mesh  = "default"
  type  = "MeshOPA"
  name  = "broken"
  spec = {
    default = { append_policies = [{ rego = { inline_string = %s } }] }
  }
}
`, cp, heredoc(broken)),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Invalid Rego policy.*OPA cannot compile spec.default.append_policies\[0\].rego.inline_string .*line 7, column 1: rego_parse_error: unexpected } token`),
		}},
	})
}

// What the API refuses is said in the attributes' names.
func TestAccMeshOPAInvalidSpec(t *testing.T) {
	cp := newMeshControlPlane(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_mesh_opa" "this" {
  cp_id = %q
  mesh  = "default"
  type  = "MeshOPA"
  name  = "two-sources"
  spec = {
    default = {
      agent_config = { inline_string = "a: b", secret = "agent" }
      auth_config  = { status_on_error = 42 }
    }
  }
}
`, cp),
			ExpectError: regexp.MustCompile(`(?s)Unable to create MeshOPA two-sources.*spec.default.agent_config: exactly one of 'secret', 'inline' or 'inlineString' has to be defined.*spec.default.auth_config.status_on_error: must be in inclusive range \[100, 599\]`),
		}},
	})
}

// A MeshOPA written in the Kong Mesh 2.x form (inlineString beside rego, lowercase allow)
// imports as the current form, and the configuration saying so plans no change.
func TestAccMeshOPAImportsKongMesh2Form(t *testing.T) {
	cp := newMeshControlPlane(t)
	apiCall(t, http.MethodPut, kumaPath(cp, "meshopas", "default", "legacy"), map[string]any{
		"type": "MeshOPA", "mesh": "default", "name": "legacy",
		"spec": map[string]any{
			"targetRef": map[string]any{"kind": "Mesh"},
			"default": map[string]any{
				"appendPolicies": []any{map[string]any{"inlineString": getOnlyPolicyV1}},
				"authConfig":     map[string]any{"onAgentFailure": "allow"},
			},
		},
	}, nil, http.StatusCreated)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_mesh_opa" "this" {
  cp_id = %q
  mesh  = "default"
  type  = "MeshOPA"
  name  = "legacy"
  spec = {
    target_ref = { kind = "Mesh" }
    default = {
      append_policies = [{ rego = { inline_string = %s } }]
      auth_config     = { on_agent_failure = "allow" }
    }
  }
}
`, cp, heredoc(getOnlyPolicyV1)),
			ResourceName: "konnect_mesh_opa.this", ImportState: true, ImportStateKind: resource.ImportBlockWithID,
			ImportStateId: fmt.Sprintf(`{"cp_id": %q, "mesh": "default", "name": "legacy"}`, cp),
		}},
	})
}
