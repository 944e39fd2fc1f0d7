package provider

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// Konnect's identity objects (/v3: teams, system accounts, their access tokens and role
// assignments) share one shape: created with POST (under an owner, for some), read and
// deleted by id, some patched. One generic resource does their CRUD, drift, import and
// errors; each resource file says where its object lives and what its attributes are.

// identityDef describes one identity object for identityResource.
type identityDef struct {
	typeName    string // after "konnect_"
	entity      string // in messages: "team", "system account access token"
	description string
	// parent is the attribute holding the owner's id ("team_id", "account_id"), or "".
	parent, parentDescription string
	attributes                map[string]schema.Attribute // besides id and parent
	createFields              []string                    // sent on create
	// updateFields are patched; nil when every attribute forces a new object. One that is
	// not a create field either is set by a patch right after the create.
	updateFields []string
	// writeOnce are attributes the API shows only in its answer to the create (a token's
	// value): afterwards they are kept from the state.
	writeOnce []string
	// importKeys are the keys of a JSON import id; nil imports by the plain id.
	importKeys []string
	api        identityAPI
}

// identityAPI are the calls that manage one kind of identity object. parent is the owner's id
// ("" for none); bodies are JSON.
type identityAPI struct {
	create func(ctx context.Context, c *client.Client, parent string, body io.Reader) (*http.Response, error)
	read   func(ctx context.Context, c *client.Client, parent, id string) (*http.Response, error)
	update func(ctx context.Context, c *client.Client, parent, id string, body io.Reader) (*http.Response, error)
	remove func(ctx context.Context, c *client.Client, parent, id string) (*http.Response, error)
	// find looks for what a create with this body makes, by what is unique about it, so a
	// create whose answer was lost is not repeated (see createOnce); nil when nothing is.
	find func(ctx context.Context, c *client.Client, parent string, body map[string]any) (map[string]any, bool, error)
}

type identityResource struct {
	def    *identityDef
	client *client.Client
}

var (
	_ resource.ResourceWithConfigure   = (*identityResource)(nil)
	_ resource.ResourceWithImportState = (*identityResource)(nil)
)

func newIdentityResource(def *identityDef) func() resource.Resource {
	return func() resource.Resource { return &identityResource{def: def} }
}

func (r *identityResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.def.typeName
}

func (r *identityResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := make(map[string]schema.Attribute, len(r.def.attributes)+2)
	for k, v := range r.def.attributes {
		attrs[k] = v
	}
	attrs["id"] = schema.StringAttribute{
		Computed: true, MarkdownDescription: "The " + r.def.entity + "'s id.",
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
	if r.def.parent != "" {
		attrs[r.def.parent] = schema.StringAttribute{
			Required: true, MarkdownDescription: r.def.parentDescription + " Changing it makes a new " + r.def.entity + ".",
			PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
		}
	}
	resp.Schema = schema.Schema{MarkdownDescription: r.def.description, Attributes: attrs}
}

func (r *identityResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configuredClient(req.ProviderData, &resp.Diagnostics)
}

func (r *identityResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	parent, _, ok := r.location(ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	plan, err := planJSON(req.Plan.Raw)
	if err != nil {
		resp.Diagnostics.AddError("Unable to create "+r.def.entity, err.Error())
		return
	}
	body := pickFields(plan, r.def.createFields)
	dropNulls(body)
	create := func() (map[string]any, error) {
		return readBody(r.def.api.create(ctx, r.client, parent, bytes.NewReader(mustJSON(body)))) //nolint:bodyclose // readBody closes it
	}
	var data map[string]any
	if r.def.api.find != nil {
		data, err = createOnce(create, func() (map[string]any, bool, error) { return r.def.api.find(ctx, r.client, parent, body) })
	} else {
		data, err = create()
	}
	if err != nil {
		resp.Diagnostics.Append(identityErrorDiagnostic("create", r.def.entity, err, body))
		return
	}
	// Values only a patch sets (a team's labels) are patched in now.
	if later := r.setLater(plan); len(later) > 0 {
		id, _ := data["id"].(string)
		patched, err := readBody(r.def.api.update(ctx, r.client, parent, id, bytes.NewReader(mustJSON(later)))) //nolint:bodyclose // readBody closes it
		if err != nil {
			// The object exists: keep it in the state so the next apply patches it again.
			r.setState(ctx, data, parent, req.Plan.Raw, &resp.State, &resp.Diagnostics)
			resp.Diagnostics.Append(identityErrorDiagnostic("update", r.def.entity, err, later))
			return
		}
		for k, v := range data {
			if _, ok := patched[k]; !ok {
				patched[k] = v // write-once values from the create's answer
			}
		}
		data = patched
	}
	r.setState(ctx, data, parent, req.Plan.Raw, &resp.State, &resp.Diagnostics)
}

func (r *identityResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	parent, id, ok := r.location(ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	data, err := readBody(r.def.api.read(ctx, r.client, parent, id)) //nolint:bodyclose // readBody closes it
	if client.IsNotFound(err) {
		// Deleted outside Terraform (or its owner was): planned for creation again.
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(identityErrorDiagnostic("read", r.def.entity, err, nil))
		return
	}
	r.setState(ctx, data, parent, req.State.Raw, &resp.State, &resp.Diagnostics)
}

func (r *identityResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	parent, id, ok := r.location(ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	if r.def.api.update == nil {
		// Every attribute forces a new object: nothing to send.
		resp.State.Raw = req.Plan.Raw
		return
	}
	plan, err := planJSON(req.Plan.Raw)
	if err == nil {
		var prior map[string]any
		if prior, err = planJSON(req.State.Raw); err == nil {
			body := patchBody(plan, prior, r.def.updateFields)
			var data map[string]any
			data, err = readBody(r.def.api.update(ctx, r.client, parent, id, bytes.NewReader(mustJSON(body)))) //nolint:bodyclose // readBody closes it
			if err != nil {
				resp.Diagnostics.Append(identityErrorDiagnostic("update", r.def.entity, err, body))
				return
			}
			r.setState(ctx, data, parent, req.State.Raw, &resp.State, &resp.Diagnostics)
			return
		}
	}
	resp.Diagnostics.AddError("Unable to update "+r.def.entity, err.Error())
}

func (r *identityResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	parent, id, ok := r.location(ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	httpResp, err := r.def.api.remove(ctx, r.client, parent, id)
	if httpResp != nil {
		_ = httpResp.Body.Close()
	}
	if err != nil && !client.IsNotFound(err) {
		resp.Diagnostics.Append(identityErrorDiagnostic("delete", r.def.entity, err, nil))
	}
}

// ImportState takes the plain id, or for an object under an owner a JSON object naming both,
// as Kong's provider documents for system account access tokens.
func (r *identityResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if r.def.importKeys != nil {
		importJSONID(ctx, req, resp, r.def.importKeys)
		return
	}
	if _, err := uuid.Parse(req.ID); err != nil {
		resp.Diagnostics.AddError("Invalid import id", fmt.Sprintf("A %s is imported by its id, a UUID; %q is not one.", r.def.entity, req.ID))
		return
	}
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

// location reads the owner's id and the object's id ("" before create) from a plan or state.
func (r *identityResource) location(ctx context.Context, from attributeGetter, diags *diag.Diagnostics) (parent, id string, ok bool) {
	var parentAttr, idAttr types.String
	diags.Append(from.GetAttribute(ctx, path.Root("id"), &idAttr)...)
	if r.def.parent != "" {
		diags.Append(from.GetAttribute(ctx, path.Root(r.def.parent), &parentAttr)...)
	}
	return parentAttr.ValueString(), idAttr.ValueString(), !diags.HasError()
}

// setLater is what the plan sets that only a patch can: update fields that are not create fields.
func (r *identityResource) setLater(plan map[string]any) map[string]any {
	later := map[string]any{}
	for _, f := range r.def.updateFields {
		if v := plan[f]; !slices.Contains(r.def.createFields, f) && !isEmpty(v) {
			later[f] = v
		}
	}
	return later
}

func (r *identityResource) setState(ctx context.Context, data map[string]any, parent string, prior tftypes.Value, state *tfsdk.State, diags *diag.Diagnostics) {
	priorJSON, _ := planJSON(prior)
	if r.def.parent != "" {
		data[r.def.parent] = parent
	}
	for _, f := range r.def.writeOnce {
		if _, shown := data[f]; !shown {
			data[f] = priorJSON[f]
		}
	}
	keepSameInstants(data, priorJSON)
	setFromJSON(ctx, state, data, prior, r.def.entity, diags)
}

// planJSON is a plan's or state's value as JSON; unknown values are left out. A null value
// (nothing imported yet) is an empty object.
func planJSON(v tftypes.Value) (map[string]any, error) {
	if v.Type() == nil || v.IsNull() {
		return map[string]any{}, nil
	}
	j, _, err := toJSON(v)
	if err != nil {
		return nil, err
	}
	m, _ := j.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

func pickFields(from map[string]any, fields []string) map[string]any {
	out := make(map[string]any, len(fields))
	for _, f := range fields {
		if v, ok := from[f]; ok {
			out[f] = v
		}
	}
	return out
}

// patchBody is what a PATCH sends: each update field as planned, and in a map (labels) the
// keys the plan no longer has as null, which is how the API removes them. A field removed
// from the configuration is left as it is: the identity API has no way to clear it.
func patchBody(plan, prior map[string]any, fields []string) map[string]any {
	body := pickFields(plan, fields)
	for k, v := range body {
		before, wasMap := prior[k].(map[string]any)
		now, isMap := v.(map[string]any)
		switch {
		case wasMap && (isMap || v == nil):
			if now == nil {
				now = map[string]any{}
			}
			for key := range before {
				if _, kept := now[key]; !kept {
					now[key] = nil
				}
			}
			body[k] = now
		case v == nil:
			delete(body, k)
		}
	}
	return body
}

// keepSameInstants keeps a timestamp's text as the configuration or state wrote it when the
// API writes the same instant differently (2030-01-01T00:00:00.000Z for 2030-01-01T00:00:00Z).
func keepSameInstants(data, prior map[string]any) {
	for k, v := range data {
		got, ok1 := v.(string)
		had, ok2 := prior[k].(string)
		if !ok1 || !ok2 || got == had {
			continue
		}
		a, errA := time.Parse(time.RFC3339Nano, got)
		b, errB := time.Parse(time.RFC3339Nano, had)
		if errA == nil && errB == nil && a.Equal(b) {
			data[k] = had
		}
	}
}

// identityErrorDiagnostic explains a failed identity call in words (never the token).
func identityErrorDiagnostic(action, entity string, err error, body map[string]any) diag.Diagnostic {
	return apiErrorDiagnostic(action, entity, err, body, "")
}

// parseID reads an id the API takes as a UUID, naming what it is when it is not one.
func parseID(what, id string) (uuid.UUID, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return uuid.UUID{}, fmt.Errorf("the %s id %q is not a UUID", what, id)
	}
	return u, nil
}
