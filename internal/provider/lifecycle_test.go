package provider_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// lifecycle is the life of one resource as a user lives it: create, a plan that shows no
// change (the test framework plans after every apply and fails on any diff), an update in
// place, `terraform import` and an `import {}` block with the JSON id, each import checked
// against the state Terraform had, and an import whose configuration Terraform generates
// (-generate-config-out) and then plans with no change.
type lifecycle struct {
	addr string // the resource under test, such as konnect_gateway_service.this
	// create and update are the configurations (without the provider block); %[1]s is the
	// test's control plane id.
	create, update string
	// apiPath is the entity's path in the API, from the state.
	apiPath func(s *terraform.State) string
	// created and updated check the entity as the API has it after each apply.
	created, updated func(e map[string]any) error
	// importAttrs make up the JSON import id.
	importAttrs []string
	// ignore lists attributes import cannot read back (secrets the API stores hashed).
	ignore []string
	// importUpdates is set when an import is followed by an update that writes what the API
	// cannot return (a basic-auth password), so the import-block plan is not a no-op.
	importUpdates bool
	// noGeneratedConfig is set when -generate-config-out cannot write a usable configuration:
	// Terraform leaves required secrets out of what it generates.
	noGeneratedConfig bool
}

func (l lifecycle) run(t *testing.T) {
	cp := newControlPlane(t)
	config := func(body string) string { return providerConfig(testEmulator) + fmt.Sprintf(body, cp) }
	check := func(f func(map[string]any) error) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			if f == nil {
				return nil
			}
			var e map[string]any
			p := l.apiPath(s)
			if status := apiDo(t, http.MethodGet, p, nil, &e); status != http.StatusOK {
				return fmt.Errorf("GET %s: %d", p, status)
			}
			return f(e)
		}
	}
	steps := []resource.TestStep{
		{Config: config(l.create), Check: check(l.created)},
	}
	if l.update != "" {
		steps = append(steps, resource.TestStep{
			Config: config(l.update),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(l.addr, plancheck.ResourceActionUpdate),
			}},
			Check: check(l.updated),
		})
	}
	last := l.update
	if last == "" {
		last = l.create
	}
	steps = append(steps, resource.TestStep{
		ResourceName: l.addr, ImportState: true, ImportStateVerify: true,
		ImportStateIdFunc: importID(l.addr, l.importAttrs...), ImportStateVerifyIgnore: l.ignore,
		ImportStateVerifyIdentifierAttribute: l.importAttrs[len(l.importAttrs)-1],
	})
	if !l.importUpdates {
		steps = append(steps, resource.TestStep{
			Config:       config(last),
			ResourceName: l.addr, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
			ImportStateIdFunc: importID(l.addr, l.importAttrs...),
		})
	}
	if !l.noGeneratedConfig {
		// terraform plan -generate-config-out, then a plan with the generated configuration:
		// it must be a no-op import.
		steps = append(steps, resource.TestStep{
			Config:       config(last),
			ResourceName: l.addr, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
			ImportStateIdFunc: importID(l.addr, l.importAttrs...), GenerateConfig: true,
		})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: protoV6ProviderFactories, Steps: steps})
}

// coreEntityPath is apiPath for a top-level core entity.
func coreEntityPath(addr, collection string) func(*terraform.State) string {
	return func(s *terraform.State) string {
		return entityPath(stateAttr(s, addr, "control_plane_id"), collection, stateAttr(s, addr, "id"))
	}
}

// expect checks fields of an API entity.
func expect(want map[string]any) func(map[string]any) error {
	return func(e map[string]any) error {
		for k, v := range want {
			if fmt.Sprint(e[k]) != fmt.Sprint(v) {
				return fmt.Errorf("the API has %s = %v, want %v (entity %v)", k, e[k], v, e)
			}
		}
		return nil
	}
}

// inside checks the entity an answer wraps in a field (a consumer group's GET).
func inside(field string, f func(map[string]any) error) func(map[string]any) error {
	return func(e map[string]any) error {
		inner, ok := e[field].(map[string]any)
		if !ok {
			return fmt.Errorf("the answer has no %s: %v", field, e)
		}
		return f(inner)
	}
}

// credentialLifecycle is the lifecycle of a credential of a consumer named alice: fields
// are the credential's attributes (HCL lines) before and after the update; collection is
// its path under the consumer.
func credentialLifecycle(typeName, collection, createFields, updateFields string) lifecycle {
	addr := "konnect_" + typeName + ".this"
	block := func(fields string) string {
		return `
resource "konnect_gateway_consumer" "alice" {
  control_plane_id = %[1]q
  username         = "alice"
}

resource "konnect_` + typeName + `" "this" {
  control_plane_id = %[1]q
  consumer_id      = konnect_gateway_consumer.alice.id
` + fields + `
}
`
	}
	return lifecycle{
		addr:   addr,
		create: block(createFields),
		update: block(updateFields),
		apiPath: func(s *terraform.State) string {
			return entityPath(stateAttr(s, addr, "control_plane_id"), "consumers/"+stateAttr(s, addr, "consumer_id")+"/"+collection, stateAttr(s, addr, "id"))
		},
		importAttrs: []string{"control_plane_id", "consumer_id", "id"},
	}
}
