package provider

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// redactedValue replaces a sensitive value in a diagnostic.
const redactedValue = "(sensitive value)"

// minRedacted is the shortest value redacted: replacing one- or two-character strings would
// garble every message while hiding nothing a reader could not guess.
const minRedacted = 3

// withoutSecrets wraps a resource so that no diagnostic it returns shows the value of an
// attribute its schema marks sensitive (at any depth), whatever produced the message: an API
// error that echoes a duplicate key, a validation message, a bug. It is applied to every
// resource in Resources, so a new resource gets it without doing anything.
func withoutSecrets(newResource func() resource.Resource) func() resource.Resource {
	return func() resource.Resource { return &secretRedactingResource{inner: newResource()} }
}

type secretRedactingResource struct {
	inner resource.Resource
}

var (
	_ resource.ResourceWithConfigure      = (*secretRedactingResource)(nil)
	_ resource.ResourceWithImportState    = (*secretRedactingResource)(nil)
	_ resource.ResourceWithValidateConfig = (*secretRedactingResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*secretRedactingResource)(nil)
)

func (r *secretRedactingResource) Metadata(ctx context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	r.inner.Metadata(ctx, req, resp)
}

func (r *secretRedactingResource) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	r.inner.Schema(ctx, req, resp)
}

func (r *secretRedactingResource) Configure(ctx context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if c, ok := r.inner.(resource.ResourceWithConfigure); ok {
		c.Configure(ctx, req, resp)
	}
}

func (r *secretRedactingResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	if v, ok := r.inner.(resource.ResourceWithValidateConfig); ok {
		v.ValidateConfig(ctx, req, resp)
		r.redact(ctx, &resp.Diagnostics, req.Config.Raw)
	}
}

func (r *secretRedactingResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if m, ok := r.inner.(resource.ResourceWithModifyPlan); ok {
		m.ModifyPlan(ctx, req, resp)
		r.redact(ctx, &resp.Diagnostics, req.Config.Raw, req.Plan.Raw, req.State.Raw)
	}
}

func (r *secretRedactingResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.inner.Create(ctx, req, resp)
	r.redact(ctx, &resp.Diagnostics, req.Plan.Raw, req.Config.Raw)
}

func (r *secretRedactingResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	r.inner.Read(ctx, req, resp)
	r.redact(ctx, &resp.Diagnostics, req.State.Raw, resp.State.Raw)
}

func (r *secretRedactingResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.inner.Update(ctx, req, resp)
	r.redact(ctx, &resp.Diagnostics, req.Plan.Raw, req.State.Raw, req.Config.Raw)
}

func (r *secretRedactingResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	r.inner.Delete(ctx, req, resp)
	r.redact(ctx, &resp.Diagnostics, req.State.Raw)
}

func (r *secretRedactingResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	i, ok := r.inner.(resource.ResourceWithImportState)
	if !ok {
		resp.Diagnostics.AddError("Resource Import Not Implemented", "This resource does not support import.")
		return
	}
	i.ImportState(ctx, req, resp)
	r.redact(ctx, &resp.Diagnostics, resp.State.Raw)
}

// redact rewrites diagnostics that show a sensitive value of the given plans, states or
// configurations; the schema is walked only when there is a diagnostic.
func (r *secretRedactingResource) redact(ctx context.Context, diags *diag.Diagnostics, values ...tftypes.Value) {
	if len(*diags) == 0 {
		return
	}
	*diags = redactDiagnostics(*diags, r.secrets(ctx, values...))
}

// secrets are the string values of the sensitive attributes in the given plans, states or
// configurations, longest first so that a secret containing another is replaced whole.
func (r *secretRedactingResource) secrets(ctx context.Context, values ...tftypes.Value) []string {
	var sr resource.SchemaResponse
	r.inner.Schema(ctx, resource.SchemaRequest{}, &sr)
	seen := map[string]bool{}
	for _, v := range values {
		for _, s := range sensitiveStrings(ctx, sr.Schema, v) {
			seen[s] = true
		}
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// sensitiveStrings walks a value and returns every string (and number, as text) found under
// an attribute the schema marks sensitive.
func sensitiveStrings(ctx context.Context, s schema.Schema, v tftypes.Value) []string {
	var out []string
	_ = tftypes.Walk(v, func(p *tftypes.AttributePath, x tftypes.Value) (bool, error) {
		if len(p.Steps()) == 0 {
			return true, nil
		}
		// A path that is not an attribute (a list element) has no sensitivity of its own:
		// its attribute's was checked one step up.
		if a, err := s.AttributeAtTerraformPath(ctx, p); err != nil || !a.IsSensitive() {
			return true, nil //nolint:nilerr // not an attribute: walk on
		}
		out = append(out, leafStrings(x)...)
		return false, nil
	})
	return out
}

func leafStrings(v tftypes.Value) []string {
	var out []string
	_ = tftypes.Walk(v, func(_ *tftypes.AttributePath, x tftypes.Value) (bool, error) {
		if !x.IsKnown() || x.IsNull() {
			return false, nil
		}
		switch {
		case x.Type().Is(tftypes.String):
			var s string
			if x.As(&s) == nil && len(s) >= minRedacted {
				out = append(out, s)
				// The same value as it appears inside quoted JSON or Go-quoted text.
				if q := strconv.Quote(s); q[1:len(q)-1] != s {
					out = append(out, q[1:len(q)-1])
				}
			}
		case x.Type().Is(tftypes.Number):
			var n float64
			if x.As(&n) == nil {
				if s := strconv.FormatFloat(n, 'f', -1, 64); len(s) >= minRedacted {
					out = append(out, s)
				}
			}
		}
		return true, nil
	})
	return out
}

// redactDiagnostics rewrites each diagnostic whose summary or detail shows a secret.
func redactDiagnostics(diags diag.Diagnostics, secrets []string) diag.Diagnostics {
	if len(secrets) == 0 || len(diags) == 0 {
		return diags
	}
	out := make(diag.Diagnostics, 0, len(diags))
	for _, d := range diags {
		summary, detail := redact(d.Summary(), secrets), redact(d.Detail(), secrets)
		if summary == d.Summary() && detail == d.Detail() {
			out = append(out, d)
			continue
		}
		var nd diag.Diagnostic
		switch d.Severity() {
		case diag.SeverityWarning:
			nd = diag.NewWarningDiagnostic(summary, detail)
		default:
			nd = diag.NewErrorDiagnostic(summary, detail)
		}
		if wp, ok := d.(diag.DiagnosticWithPath); ok {
			nd = diag.WithPath(wp.Path(), nd)
		}
		out = append(out, nd)
	}
	return out
}

func redact(s string, secrets []string) string {
	for _, secret := range secrets {
		s = strings.ReplaceAll(s, secret, redactedValue)
	}
	return s
}
