package provider

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// kumaDef describes one kind of Kuma resource of a Konnect mesh control plane (a Mesh, a
// Secret, a policy). They share their life: PUT to create or replace by name, GET, DELETE,
// Kuma's problem+json errors, camelCase JSON held in snake_case attributes. So every
// konnect_mesh* resource but the control plane is a kumaResource over one of these.
type kumaDef struct {
	typeName    string // "mesh_opa" is konnect_mesh_opa
	kumaType    string // the resource's type field: "MeshOPA"
	description string
	// meshScoped kinds live in a mesh: they have a `mesh` attribute and path segment.
	meshScoped bool
	// hasKRI kinds get a Kuma resource identifier (kri_mopa_...) from the server.
	hasKRI bool
	// attrs are the kind's own attributes (spec, data...), beside the common ones.
	attrs map[string]schema.Attribute
	api   kumaAPI
	// validate checks a fully known configuration before any call (MeshOPA's Rego).
	validate func(ctx context.Context, config tfsdk.Config) diag.Diagnostics
	// fromAPI brings a resource read from the API to the form the attributes hold (the Kong
	// Mesh 2.x policy form to the current one), on the camelCase JSON.
	fromAPI func(data map[string]any)
}

// kumaKey locates one resource: its mesh is "" for a Mesh.
type kumaKey struct {
	cp   uuid.UUID
	mesh string
	name string
}

// kumaAPI binds the generated client's operations for one kind.
type kumaAPI struct {
	get func(ctx context.Context, c *client.Client, k kumaKey) (*http.Response, error)
	put func(ctx context.Context, c *client.Client, k kumaKey, body *bytes.Reader) (*http.Response, error)
	del func(ctx context.Context, c *client.Client, k kumaKey) (*http.Response, error)
}

type kumaResource struct {
	def    *kumaDef
	client *client.Client
}

var (
	_ resource.ResourceWithConfigure      = (*kumaResource)(nil)
	_ resource.ResourceWithImportState    = (*kumaResource)(nil)
	_ resource.ResourceWithValidateConfig = (*kumaResource)(nil)
)

func newKumaResource(def *kumaDef) func() resource.Resource {
	return func() resource.Resource { return &kumaResource{def: def} }
}

func (r *kumaResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.def.typeName
}

func (r *kumaResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	what := r.def.kumaType
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	attrs := map[string]schema.Attribute{
		"cp_id": schema.StringAttribute{
			Required: true, PlanModifiers: replace,
			MarkdownDescription: "The id of the mesh control plane. Changing it creates the " + what + " anew in the other control plane.",
		},
		"name": schema.StringAttribute{
			Required: true, PlanModifiers: replace,
			MarkdownDescription: "The " + what + "'s name, unique among the " + what + " resources of its " + r.scope() + ". Changing it creates the " + what + " anew.",
		},
		"type": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: fmt.Sprintf("The resource's type: always `%s`.", what),
			Validators:          []validator.String{stringvalidator.OneOf(what)},
		},
		"labels": schema.MapAttribute{
			Optional: true, ElementType: types.StringType,
			MarkdownDescription: "Labels of the " + what + ". Labels the control plane adds itself (`kuma.io/...`) are not shown unless configured.",
		},
		"creation_time": schema.StringAttribute{
			Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			MarkdownDescription: "When the " + what + " was created (RFC 3339).",
		},
		"modification_time": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "When the " + what + " was last changed (RFC 3339).",
		},
	}
	if r.def.hasKRI {
		attrs["kri"] = schema.StringAttribute{
			Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			MarkdownDescription: "The " + what + "'s Kuma resource identifier (KRI), which policies and metrics name it by.",
		}
	}
	if r.def.meshScoped {
		attrs["mesh"] = schema.StringAttribute{
			Required: true, PlanModifiers: replace,
			MarkdownDescription: "The name of the mesh the " + what + " belongs to. Changing it creates the " + what + " anew in the other mesh.",
		}
	}
	for name, a := range r.def.attrs {
		attrs[name] = a
	}
	resp.Schema = schema.Schema{MarkdownDescription: r.def.description, Attributes: attrs}
}

func (r *kumaResource) scope() string {
	if r.def.meshScoped {
		return "mesh"
	}
	return "control plane"
}

func (r *kumaResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configuredClient(req.ProviderData, &resp.Diagnostics)
}

func (r *kumaResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	if r.def.validate != nil {
		resp.Diagnostics.Append(r.def.validate(ctx, req.Config)...)
	}
}

// Create refuses a name that is taken: Kuma's PUT would silently replace that resource, which
// belongs to someone else (or to another configuration) until it is imported.
func (r *kumaResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	k, ok := r.key(ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	switch _, err := r.get(ctx, k); {
	case err == nil:
		resp.Diagnostics.AddError(fmt.Sprintf("Unable to create %s %s: it already exists", r.def.kumaType, k.name),
			fmt.Sprintf("The %s %q already exists in %s; import it (terraform import) to manage it here, or choose another name.",
				r.def.kumaType, k.name, k.where()))
		return
	case !client.IsNotFound(err):
		resp.Diagnostics.Append(kumaErrorDiagnostic("create", r.def.kumaType, err, k))
		return
	}
	r.write(ctx, "create", req.Plan.Raw, &resp.State, &resp.Diagnostics)
}

func (r *kumaResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	k, ok := r.key(ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	data, err := r.get(ctx, k)
	if client.IsNotFound(err) {
		// Deleted outside Terraform (or its mesh or control plane was): planned anew.
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(kumaErrorDiagnostic("read", r.def.kumaType, err, k))
		return
	}
	r.setState(ctx, k, data, req.State.Raw, &resp.State, &resp.Diagnostics)
}

func (r *kumaResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.write(ctx, "update", req.Plan.Raw, &resp.State, &resp.Diagnostics)
}

func (r *kumaResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	k, ok := r.key(ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	httpResp, err := r.def.api.del(ctx, r.client, k)
	if httpResp != nil {
		_ = httpResp.Body.Close()
	}
	if err != nil && !client.IsNotFound(err) {
		resp.Diagnostics.Append(kumaErrorDiagnostic("delete", r.def.kumaType, err, k))
	}
}

// ImportState reads the JSON id Kong's Konnect beta provider documents:
// {"cp_id": "...", "mesh": "...", "name": "..."} ({"cp_id", "name"} for a Mesh).
func (r *kumaResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	keys := []string{"cp_id", "name"}
	if r.def.meshScoped {
		keys = append(keys, "mesh")
	}
	importJSONID(ctx, req, resp, keys)
}

// write PUTs the planned resource (a full replacement: what the plan leaves out is cleared)
// and reads it back, since Kuma answers a PUT with no body.
func (r *kumaResource) write(ctx context.Context, action string, plan tftypes.Value, state *tfsdk.State, diags *diag.Diagnostics) {
	k, ok := r.key(ctx, tfsdk.Plan{Raw: plan, Schema: state.Schema}, diags)
	if !ok {
		return
	}
	body, err := r.body(plan)
	if err != nil {
		diags.AddError("Unable to "+action+" "+r.def.kumaType, err.Error())
		return
	}
	httpResp, err := r.def.api.put(ctx, r.client, k, bytes.NewReader(mustJSON(body)))
	if httpResp != nil {
		_ = httpResp.Body.Close()
	}
	if err != nil {
		diags.Append(kumaErrorDiagnostic(action, r.def.kumaType, err, k))
		return
	}
	data, err := r.get(ctx, k)
	if err != nil {
		diags.Append(kumaErrorDiagnostic("read back", r.def.kumaType, err, k))
		return
	}
	r.setState(ctx, k, data, plan, state, diags)
}

// body is the resource's JSON for the API: camelCase fields, no nulls, and none of the
// attributes that are not fields (cp_id) or that the server sets.
func (r *kumaResource) body(plan tftypes.Value) (map[string]any, error) {
	j, _, err := toJSON(plan)
	if err != nil {
		return nil, fmt.Errorf("encoding the %s: %w", r.def.kumaType, err)
	}
	m, _ := kumaFieldsToAPI(j, plan.Type()).(map[string]any)
	if m == nil {
		return nil, fmt.Errorf("encoding the %s: not an object", r.def.kumaType)
	}
	for _, f := range []string{"cpId", "creationTime", "modificationTime", "kri"} {
		delete(m, f)
	}
	dropNulls(m)
	return m, nil
}

func (r *kumaResource) get(ctx context.Context, k kumaKey) (map[string]any, error) {
	return readBody(r.def.api.get(ctx, r.client, k)) //nolint:bodyclose // readBody closes it
}

// setState stores the resource the API returned; prior (plan or state) keeps the form of
// values the API writes differently, and says which labels are the configuration's.
func (r *kumaResource) setState(ctx context.Context, k kumaKey, data map[string]any, prior tftypes.Value, state *tfsdk.State, diags *diag.Diagnostics) {
	if r.def.fromAPI != nil {
		r.def.fromAPI(data)
	}
	t := state.Schema.Type().TerraformType(ctx).(tftypes.Object)
	m, _ := kumaFieldsFromAPI(data, t).(map[string]any)
	m["cp_id"] = k.cp.String()
	m["labels"] = ownLabels(m["labels"], prior)
	v, err := objectFromJSON(t, m, prior)
	if err != nil {
		diags.AddError("Unexpected answer from the Konnect API", fmt.Sprintf("The %s the API returned does not fit: %s.", r.def.kumaType, err))
		return
	}
	state.Raw = v
}

// ownLabels drops the labels the control plane adds itself (kuma.io/mesh, kuma.io/origin...)
// unless the prior value has them, so that they cause no diff; other labels, including one
// added outside Terraform, are kept and show as drift.
func ownLabels(labels any, prior tftypes.Value) any {
	m, ok := labels.(map[string]any)
	if !ok {
		return labels
	}
	var priorLabels map[string]tftypes.Value
	if prior.Type() != nil && prior.IsKnown() && !prior.IsNull() {
		var attrs map[string]tftypes.Value
		if prior.As(&attrs) == nil {
			if l, ok := attrs["labels"]; ok && l.IsKnown() && !l.IsNull() {
				_ = l.As(&priorLabels)
			}
		}
	}
	out := make(map[string]any, len(m))
	for key, v := range m {
		_, configured := priorLabels[key]
		if isSystemLabel(key) && !configured {
			continue
		}
		out[key] = v
	}
	return out
}

func isSystemLabel(key string) bool {
	return strings.HasPrefix(key, "kuma.io/") || strings.HasPrefix(key, "k8s.kuma.io/")
}

// key reads the resource's location from a plan or state.
func (r *kumaResource) key(ctx context.Context, from attributeGetter, diags *diag.Diagnostics) (kumaKey, bool) {
	var cp, name, meshName types.String
	diags.Append(from.GetAttribute(ctx, path.Root("cp_id"), &cp)...)
	diags.Append(from.GetAttribute(ctx, path.Root("name"), &name)...)
	if r.def.meshScoped {
		diags.Append(from.GetAttribute(ctx, path.Root("mesh"), &meshName)...)
	}
	if diags.HasError() {
		return kumaKey{}, false
	}
	id, err := uuid.Parse(cp.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("cp_id"), "Invalid mesh control plane id", fmt.Sprintf("%q is not a UUID.", cp.ValueString()))
		return kumaKey{}, false
	}
	return kumaKey{cp: id, mesh: meshName.ValueString(), name: name.ValueString()}, true
}

// where names the mesh and control plane the resource is in, for messages.
func (k kumaKey) where() string {
	where := "mesh control plane " + k.cp.String()
	if k.mesh != "" {
		where = "mesh " + k.mesh + " of " + where
	}
	return where
}
