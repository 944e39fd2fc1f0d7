package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
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
