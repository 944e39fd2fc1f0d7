package provider_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// kumaLifecycle is the life of a Kuma resource of a mesh control plane (a mesh, a secret, a
// policy) as a user lives it: create, update in place, a change made through the API that
// the next plan undoes (drift), a deletion through the API that the next plan repairs,
// `terraform import` with the JSON id, an `import {}` block, and (unless it holds a secret) an
// import whose configuration Terraform generates and then plans with no change. The test
// framework plans after every apply and fails on any diff.
type kumaLifecycle struct {
	addr   string // such as konnect_mesh_opa.this
	plural string // the kind's collection: "meshopas"
	// create and update are the configurations without the provider block: %[1]s is the
	// test's mesh control plane id; mesh-scoped kinds get a mesh named "default" (from the
	// control plane's MeshCreation feature).
	create, update string
	// created and updated check the resource as the API has it after each apply.
	created, updated func(r map[string]any) error
	// drift changes the resource as an operator would through the API; the next plan must
	// show an update and the apply put back the configuration.
	drift             func(r map[string]any)
	noGeneratedConfig bool
}

func (l kumaLifecycle) run(t *testing.T) {
	cp := newMeshControlPlane(t)
	config := func(body string) string { return providerConfig(testEmulator) + fmt.Sprintf(body, cp) }
	check := func(f func(map[string]any) error) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			if f == nil {
				return nil
			}
			r, err := appliedMeshResource(t, s, l.addr, l.plural)
			if err != nil {
				return err
			}
			return f(r)
		}
	}
	var p string // the resource's API path, known after the first apply
	importAttrs := []string{"cp_id", "mesh", "name"}
	if l.plural == "meshes" {
		importAttrs = []string{"cp_id", "name"}
	}
	steps := []resource.TestStep{
		{Config: config(l.create), Check: resource.ComposeTestCheckFunc(check(l.created), func(s *terraform.State) error {
			p = meshResourcePath(s, l.addr, l.plural)
			return nil
		})},
		{
			Config: config(l.update),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(l.addr, plancheck.ResourceActionUpdate),
			}},
			Check: check(l.updated),
		},
		{
			// Changed through the API: the plan puts the configuration back.
			PreConfig: func() { alterMeshResource(t, p, l.drift) },
			Config:    config(l.update),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(l.addr, plancheck.ResourceActionUpdate),
			}},
			Check: check(l.updated),
		},
		{
			// Deleted through the API: read as gone (404), planned anew.
			PreConfig: func() { apiCall(t, http.MethodDelete, p, nil, nil, http.StatusOK) },
			Config:    config(l.update),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(l.addr, plancheck.ResourceActionCreate),
			}},
			Check: check(l.updated),
		},
		{
			ResourceName: l.addr, ImportState: true, ImportStateVerify: true,
			ImportStateIdFunc: importID(l.addr, importAttrs...), ImportStateVerifyIdentifierAttribute: "name",
		},
		{
			Config:       config(l.update),
			ResourceName: l.addr, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
			ImportStateIdFunc: importID(l.addr, importAttrs...),
		},
	}
	if !l.noGeneratedConfig {
		steps = append(steps, resource.TestStep{
			Config:       config(l.update),
			ResourceName: l.addr, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
			ImportStateIdFunc: importID(l.addr, importAttrs...), GenerateConfig: true,
		})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: protoV6ProviderFactories, Steps: steps})
}

var meshControlPlaneSeq atomic.Int64

// newMeshControlPlane creates a mesh control plane of the test's own, with its mesh
// "default", and returns its id.
func newMeshControlPlane(t *testing.T) string {
	t.Helper()
	name := fmt.Sprintf("%s-%d", t.Name(), meshControlPlaneSeq.Add(1))
	var out struct{ ID string }
	apiCall(t, http.MethodPost, "/v1/mesh/control-planes", map[string]any{
		"name":     name,
		"features": []any{map[string]any{"type": "MeshCreation", "meshCreation": map[string]any{"enabled": true}}},
	}, &out, http.StatusCreated)
	return out.ID
}

// kumaPath is the API path of a Kuma resource: mesh is "" for a Mesh.
func kumaPath(cp, plural, mesh, name string) string {
	p := "/v1/mesh/control-planes/" + cp + "/api/meshes/"
	if plural == "meshes" {
		return p + url.PathEscape(name)
	}
	return p + url.PathEscape(mesh) + "/" + plural + "/" + url.PathEscape(name)
}

// meshResourcePath is the API path of a konnect_mesh* resource in the state.
func meshResourcePath(s *terraform.State, addr, plural string) string {
	return kumaPath(stateAttr(s, addr, "cp_id"), plural, stateAttr(s, addr, "mesh"), stateAttr(s, addr, "name"))
}

// appliedMeshResource reads, as the API has it, a konnect_mesh* resource Terraform applied
// (a MeshOPA's spec, say, for a test sending traffic through the sidecar).
func appliedMeshResource(t *testing.T, s *terraform.State, addr, plural string) (map[string]any, error) {
	t.Helper()
	p := meshResourcePath(s, addr, plural)
	var r map[string]any
	if status := apiDo(t, http.MethodGet, p, nil, &r); status != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %d", p, status)
	}
	return r, nil
}

// alterMeshResource changes a Kuma resource through the API: read, change, PUT back.
func alterMeshResource(t *testing.T, p string, change func(r map[string]any)) {
	t.Helper()
	var r map[string]any
	apiCall(t, http.MethodGet, p, nil, &r, http.StatusOK)
	change(r)
	apiCall(t, http.MethodPut, p, r, nil, http.StatusOK)
}

// at follows object fields of a decoded JSON value; nil when one is missing.
func at(v any, fields ...string) any {
	for _, f := range fields {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[f]
	}
	return v
}

// expectAt checks the values at dotted paths of a resource: "spec.default.appendPolicies".
func expectAt(want map[string]any) func(map[string]any) error {
	return func(r map[string]any) error {
		for p, v := range want {
			if got := at(r, strings.Split(p, ".")...); fmt.Sprint(got) != fmt.Sprint(v) {
				return fmt.Errorf("the API has %s = %v, want %v (resource %v)", p, got, v, r)
			}
		}
		return nil
	}
}
