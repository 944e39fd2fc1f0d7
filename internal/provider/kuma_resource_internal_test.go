package provider

import (
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Labels Kuma adds itself are not shown unless configured; any other label is, so that one
// added outside Terraform shows as drift.
func TestOwnLabels(t *testing.T) {
	t.Parallel()
	labelsType := tftypes.Map{ElementType: tftypes.String}
	objType := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"labels": labelsType}}
	prior := tftypes.NewValue(objType, map[string]tftypes.Value{"labels": tftypes.NewValue(labelsType, map[string]tftypes.Value{
		"team": tftypes.NewValue(tftypes.String, "payments"), "kuma.io/zone": tftypes.NewValue(tftypes.String, "east"),
	})})
	got := ownLabels(map[string]any{
		"team": "payments", "owner": "ops", "kuma.io/zone": "east", "kuma.io/mesh": "default", "k8s.kuma.io/namespace": "x",
	}, prior)
	want := map[string]any{"team": "payments", "owner": "ops", "kuma.io/zone": "east"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ownLabels = %v, want %v", got, want)
	}
	if got := ownLabels(map[string]any{"kuma.io/origin": "global"}, tftypes.Value{}); !reflect.DeepEqual(got, map[string]any{}) {
		t.Errorf("on import: %v", got)
	}
}

func TestKumaPathToAttributes(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"spec.default.appendPolicies[0].rego.inlineString": "spec.default.append_policies[0].rego.inline_string",
		`labels["kuma.io/myLabel"]`:                        `labels["kuma.io/myLabel"]`,
		"spec.from[1].targetRef.sectionName":               "spec.from[1].target_ref.section_name",
	} {
		if got := kumaPathToAttributes(in); got != want {
			t.Errorf("kumaPathToAttributes(%q) = %q, want %q", in, got, want)
		}
	}
}
