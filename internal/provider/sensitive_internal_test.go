package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Values under a sensitive attribute, at any depth, are removed from every diagnostic; the
// rest of the message and the attribute path stay.
func TestRedactDiagnosticsHidesSensitiveValuesAtAnyDepth(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := schema.Schema{Attributes: map[string]schema.Attribute{
		"name": schema.StringAttribute{Optional: true},
		"config": schema.SingleNestedAttribute{Optional: true, Attributes: map[string]schema.Attribute{
			"host":     schema.StringAttribute{Optional: true},
			"password": schema.StringAttribute{Optional: true, Sensitive: true},
		}},
		"keys": schema.ListAttribute{Optional: true, Sensitive: true, ElementType: types.StringType},
	}}
	objType := s.Type().TerraformType(ctx)
	cfgType := objType.(tftypes.Object).AttributeTypes["config"]
	v := tftypes.NewValue(objType, map[string]tftypes.Value{
		"name": tftypes.NewValue(tftypes.String, "alice"),
		"config": tftypes.NewValue(cfgType, map[string]tftypes.Value{
			"host":     tftypes.NewValue(tftypes.String, "redis.local"),
			"password": tftypes.NewValue(tftypes.String, `pa"ss`),
		}),
		"keys": tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, []tftypes.Value{
			tftypes.NewValue(tftypes.String, "key-one"), tftypes.NewValue(tftypes.String, "key-two"),
		}),
	})
	secrets := sensitiveStrings(ctx, s, v)
	diags := diag.Diagnostics{
		diag.NewErrorDiagnostic(`key "key-one" already exists`, `alice at redis.local refused password "pa\"ss"`),
		diag.NewAttributeWarningDiagnostic(path.Root("keys"), "key-two is weak", "nothing secret here"),
	}
	got := redactDiagnostics(diags, secrets)
	for _, d := range got {
		text := d.Summary() + " " + d.Detail()
		for _, secret := range []string{"key-one", "key-two", `pa"ss`, `pa\"ss`} {
			if strings.Contains(text, secret) {
				t.Errorf("%q still shows %q", text, secret)
			}
		}
	}
	if !strings.Contains(got[0].Detail(), "alice at redis.local") || got[0].Summary() != `key "(sensitive value)" already exists` {
		t.Errorf("too much redacted: %q / %q", got[0].Summary(), got[0].Detail())
	}
	if wp, ok := got[1].(diag.DiagnosticWithPath); !ok || !wp.Path().Equal(path.Root("keys")) || got[1].Severity() != diag.SeverityWarning {
		t.Errorf("path or severity lost: %#v", got[1])
	}
}

// The redacting wrapper must not hide what a resource can do: every optional interface a
// wrapped resource implements (a service's ModifyPlan, say) is implemented by the wrapper too,
// or the framework would never call it.
func TestSecretRedactingResourceKeepsOptionalInterfaces(t *testing.T) {
	t.Parallel()
	optional := map[string]func(resource.Resource) bool{
		"ResourceWithConfigure":        func(r resource.Resource) bool { _, ok := r.(resource.ResourceWithConfigure); return ok },
		"ResourceWithImportState":      func(r resource.Resource) bool { _, ok := r.(resource.ResourceWithImportState); return ok },
		"ResourceWithValidateConfig":   func(r resource.Resource) bool { _, ok := r.(resource.ResourceWithValidateConfig); return ok },
		"ResourceWithModifyPlan":       func(r resource.Resource) bool { _, ok := r.(resource.ResourceWithModifyPlan); return ok },
		"ResourceWithConfigValidators": func(r resource.Resource) bool { _, ok := r.(resource.ResourceWithConfigValidators); return ok },
		"ResourceWithUpgradeState":     func(r resource.Resource) bool { _, ok := r.(resource.ResourceWithUpgradeState); return ok },
		"ResourceWithMoveState":        func(r resource.Resource) bool { _, ok := r.(resource.ResourceWithMoveState); return ok },
		"ResourceWithIdentity":         func(r resource.Resource) bool { _, ok := r.(resource.ResourceWithIdentity); return ok },
	}
	for _, newResource := range (&KonnectProvider{}).Resources(context.Background()) {
		wrapped := newResource()
		inner := wrapped.(*secretRedactingResource).inner
		var meta resource.MetadataResponse
		inner.Metadata(context.Background(), resource.MetadataRequest{ProviderTypeName: "konnect"}, &meta)
		for name, implements := range optional {
			if implements(inner) && !implements(wrapped) {
				t.Errorf("%s implements %s, but the redacting wrapper hides it", meta.TypeName, name)
			}
		}
	}
}
