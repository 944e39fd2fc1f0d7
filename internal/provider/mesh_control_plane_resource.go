package provider

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_mesh_control_plane lives in the Konnect-native API, as a gateway control plane
// does: POST to create, PUT to replace its name, description and labels, problem+json errors.

var (
	_ resource.ResourceWithConfigure   = (*meshControlPlaneResource)(nil)
	_ resource.ResourceWithImportState = (*meshControlPlaneResource)(nil)
)

// NewMeshControlPlaneResource returns the konnect_mesh_control_plane resource.
func NewMeshControlPlaneResource() resource.Resource { return &meshControlPlaneResource{} }

type meshControlPlaneResource struct {
	client *client.Client
}

const meshControlPlaneEntity = "mesh control plane"

func (r *meshControlPlaneResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_mesh_control_plane"
}

func (r *meshControlPlaneResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	enabled := func(what string) schema.SingleNestedAttribute {
		return schema.SingleNestedAttribute{
			Optional: true, MarkdownDescription: "Settings of the " + what + " feature.",
			Attributes: map[string]schema.Attribute{
				"enabled": schema.BoolAttribute{Required: true, MarkdownDescription: "Whether the feature is on."},
			},
		}
	}
	featureTypes := []string{string(client.MeshControlPlaneFeatureTypeMeshCreation), string(client.MeshControlPlaneFeatureTypeHostnameGeneratorCreation)}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Konnect mesh control plane (Kong Mesh): the home of meshes, their data planes, secrets and policies.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, MarkdownDescription: "The control plane's id, a UUID.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required: true, MarkdownDescription: "The control plane's name, unique in the organization.",
				Validators: []validator.String{stringvalidator.LengthBetween(1, 100)},
			},
			"description": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(""),
				MarkdownDescription: "A description, up to 250 characters. Default: `\"\"`.",
				Validators:          []validator.String{stringvalidator.LengthAtMost(250)},
			},
			"labels": schema.MapAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Labels, at most 10; keys may not start with `kong`, `konnect`, `mesh`, `kic` or `_`.",
			},
			"features": schema.ListNestedAttribute{
				Optional: true, MarkdownDescription: "Features switched on when the control plane is created. Changing them creates a new control plane.",
				PlanModifiers: []planmodifier.List{listplanmodifier.RequiresReplace()},
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"type": schema.StringAttribute{
						Required: true, MarkdownDescription: "The feature: " + quotedNames(featureTypes) + ".",
						Validators: []validator.String{stringvalidator.OneOf(featureTypes...)},
					},
					"mesh_creation":               enabled("MeshCreation (a mesh named `default` is created with the control plane)"),
					"hostname_generator_creation": enabled("HostnameGeneratorCreation"),
				}},
			},
			"created_at": schema.StringAttribute{
				Computed: true, MarkdownDescription: "When the control plane was created (RFC 3339).",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"updated_at": schema.StringAttribute{
				Computed: true, MarkdownDescription: "When the control plane was last changed (RFC 3339).",
			},
		},
	}
}

func (r *meshControlPlaneResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configuredClient(req.ProviderData, &resp.Diagnostics)
}

func (r *meshControlPlaneResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	body, err := meshControlPlaneBody(req.Plan.Raw, true)
	if err != nil {
		resp.Diagnostics.AddError("Unable to create "+meshControlPlaneEntity, err.Error())
		return
	}
	// Names are unique in an organization: after a lost answer, the control plane of this
	// name is the one this create made (createOnce checks there was none before).
	name, _ := body["name"].(string)
	data, err := createOnce(
		func() (map[string]any, error) {
			return readBody(r.client.CreateMeshControlPlaneWithBody(ctx, jsonContent, bytes.NewReader(mustJSON(body)))) //nolint:bodyclose // readBody closes it
		},
		func() (map[string]any, bool, error) {
			found, err := findMeshControlPlaneByName(ctx, r.client, name)
			return found, found != nil, err
		})
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic("create", meshControlPlaneEntity, err, body, ""))
		return
	}
	setMeshControlPlaneState(ctx, data, req.Plan.Raw, &resp.State, &resp.Diagnostics)
}

func (r *meshControlPlaneResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	id, ok := controlPlaneID(ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	data, err := readBody(r.client.GetMeshControlPlane(ctx, id)) //nolint:bodyclose // readBody closes it
	if client.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic("read", meshControlPlaneEntity, err, nil, ""))
		return
	}
	setMeshControlPlaneState(ctx, data, req.State.Raw, &resp.State, &resp.Diagnostics)
}

func (r *meshControlPlaneResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	id, ok := controlPlaneID(ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	// PUT replaces name, description and labels, so labels removed from the configuration go.
	body, err := meshControlPlaneBody(req.Plan.Raw, false)
	if err != nil {
		resp.Diagnostics.AddError("Unable to update "+meshControlPlaneEntity, err.Error())
		return
	}
	data, err := readBody(r.client.UpdateMeshControlPlaneWithBody(ctx, id, jsonContent, bytes.NewReader(mustJSON(body)))) //nolint:bodyclose // readBody closes it
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic("update", meshControlPlaneEntity, err, body, ""))
		return
	}
	setMeshControlPlaneState(ctx, data, req.Plan.Raw, &resp.State, &resp.Diagnostics)
}

func (r *meshControlPlaneResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	id, ok := controlPlaneID(ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	httpResp, err := r.client.DeleteMeshControlPlane(ctx, id)
	if httpResp != nil {
		_ = httpResp.Body.Close()
	}
	if err != nil && !client.IsNotFound(err) {
		resp.Diagnostics.Append(apiErrorDiagnostic("delete", meshControlPlaneEntity, err, nil, ""))
	}
}

// ImportState takes the control plane's id, plain as Kong's provider has it, or as the JSON
// {"id": "..."} the other resources' import ids look like.
func (r *meshControlPlaneResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if strings.HasPrefix(strings.TrimSpace(id), "{") {
		values, err := parseImportID(id, []string{"id"})
		if err != nil {
			resp.Diagnostics.AddError("Invalid import id", err.Error())
			return
		}
		id = values["id"]
	}
	if _, err := uuid.Parse(id); err != nil {
		resp.Diagnostics.AddError("Invalid import id", fmt.Sprintf("A mesh control plane is imported by its id, a UUID (or {\"id\": \"<UUID>\"}); %q is not one.", id))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}

// meshControlPlaneBody is the request body: features only on create (the API takes them
// then only); labels always, so that removing them clears them.
func meshControlPlaneBody(plan tftypes.Value, create bool) (map[string]any, error) {
	j, _, err := toJSON(plan)
	if err != nil {
		return nil, fmt.Errorf("encoding the %s: %w", meshControlPlaneEntity, err)
	}
	m := j.(map[string]any)
	for _, f := range []string{"id", "created_at", "updated_at"} {
		delete(m, f)
	}
	if m["labels"] == nil {
		m["labels"] = map[string]any{}
	}
	if create {
		if m["features"] != nil {
			m["features"] = kumaFieldsToAPI(m["features"], featuresType(plan))
		}
	} else {
		delete(m, "features")
	}
	dropNulls(m)
	return m, nil
}

func featuresType(plan tftypes.Value) tftypes.Type {
	return plan.Type().(tftypes.Object).AttributeTypes["features"]
}

// findMeshControlPlaneByName asks for the control plane of that name (filter[name][eq]) and
// checks the name itself too; nil when there is none.
func findMeshControlPlaneByName(ctx context.Context, c *client.Client, name string) (map[string]any, error) {
	eq := name
	params := &client.ListMeshControlPlanesParams{Filter: &client.MeshControlPlaneFilterParameters{}}
	params.Filter.Name = &struct {
		Contains *string `json:"contains,omitempty"`
		Eq       *string `json:"eq,omitempty"`
	}{Eq: &eq}
	resp, err := c.ListMeshControlPlanesWithResponse(ctx, params)
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil {
		return nil, fmt.Errorf("listing mesh control planes: unexpected answer %d", resp.StatusCode())
	}
	for _, cp := range resp.JSON200.Data {
		if cp.Name == name {
			return asMap(cp)
		}
	}
	return nil, nil
}

// setMeshControlPlaneState stores the control plane the API returned; its features come in
// camelCase (meshCreation).
func setMeshControlPlaneState(ctx context.Context, data map[string]any, prior tftypes.Value, state *tfsdk.State, diags *diag.Diagnostics) {
	t := state.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if f, ok := data["features"]; ok {
		data["features"] = kumaFieldsFromAPI(f, t.AttributeTypes["features"])
	}
	setFromJSON(ctx, state, data, prior, meshControlPlaneEntity, diags)
}
