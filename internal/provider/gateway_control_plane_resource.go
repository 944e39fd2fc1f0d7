package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_gateway_control_plane lives in the Konnect-native API (POST to create, PATCH to
// update, problem+json errors), so it is not an entityResource; its attributes still come
// from the spec's CreateControlPlaneRequest.

var (
	_ resource.ResourceWithConfigure   = (*gatewayControlPlaneResource)(nil)
	_ resource.ResourceWithImportState = (*gatewayControlPlaneResource)(nil)
)

// NewGatewayControlPlaneResource returns the konnect_gateway_control_plane resource.
func NewGatewayControlPlaneResource() resource.Resource { return &gatewayControlPlaneResource{} }

type gatewayControlPlaneResource struct {
	client *client.Client
}

// controlPlaneConfigFields are returned inside `config` by the API but set at the top level.
var controlPlaneConfigFields = []string{"cluster_type", "auth_type", "cloud_gateway", "proxy_urls"}

func (r *gatewayControlPlaneResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_gateway_control_plane"
}

func (r *gatewayControlPlaneResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := entityAttributes("CreateControlPlaneRequest", "control plane", fieldOptions{})
	for _, name := range []string{"cluster_type", "cloud_gateway"} {
		switch a := attrs[name].(type) {
		case schema.StringAttribute:
			a.PlanModifiers = append(a.PlanModifiers, stringplanmodifier.RequiresReplace())
			attrs[name] = a
		case schema.BoolAttribute:
			a.PlanModifiers = append(a.PlanModifiers, boolplanmodifier.RequiresReplace())
			attrs[name] = a
		}
	}
	attrs["id"] = schema.StringAttribute{
		Computed: true, MarkdownDescription: "The control plane's id, a UUID.",
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
	attrs["config"] = schema.SingleNestedAttribute{
		Computed: true, MarkdownDescription: "Where data planes connect, and the control plane's settings as the API reports them.",
		PlanModifiers: []planmodifier.Object{configFollowsSettings{}},
		Attributes: map[string]schema.Attribute{
			"control_plane_endpoint": schema.StringAttribute{Computed: true, MarkdownDescription: "The URL data planes get their configuration from."},
			"telemetry_endpoint":     schema.StringAttribute{Computed: true, MarkdownDescription: "The URL data planes send analytics to."},
			"cluster_type":           schema.StringAttribute{Computed: true, MarkdownDescription: "The kind of control plane."},
			"auth_type":              schema.StringAttribute{Computed: true, MarkdownDescription: "How data planes authenticate."},
			"cloud_gateway":          schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the control plane runs cloud gateways."},
			"proxy_urls": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "The URLs clients reach the data planes at.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"host":     schema.StringAttribute{Computed: true, MarkdownDescription: "Host name."},
					"port":     schema.Int64Attribute{Computed: true, MarkdownDescription: "Port."},
					"protocol": schema.StringAttribute{Computed: true, MarkdownDescription: "Protocol."},
				}}},
		},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Konnect gateway control plane: the home of services, routes, consumers and plugins, and what data planes get their configuration from.",
		Attributes:          attrs,
	}
}

// configFollowsSettings keeps `config` from the state unless a setting it reports (auth_type,
// proxy_urls...) changes: then the server's new `config` is unknown until the apply.
type configFollowsSettings struct{}

func (configFollowsSettings) Description(context.Context) string {
	return "Kept from the state unless a setting it reports changes."
}

func (m configFollowsSettings) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (configFollowsSettings) PlanModifyObject(ctx context.Context, req planmodifier.ObjectRequest, resp *planmodifier.ObjectResponse) {
	if req.StateValue.IsNull() || !req.PlanValue.IsUnknown() || req.Plan.Raw.IsNull() {
		return
	}
	for _, f := range controlPlaneConfigFields {
		var planned, prior attr.Value
		resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root(f), &planned)...)
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(f), &prior)...)
		if resp.Diagnostics.HasError() || !planned.Equal(prior) {
			return
		}
	}
	resp.PlanValue = req.StateValue
}

func (r *gatewayControlPlaneResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configuredClient(req.ProviderData, &resp.Diagnostics)
}

func (r *gatewayControlPlaneResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	body, err := controlPlaneBody(req.Plan.Raw)
	if err != nil {
		resp.Diagnostics.AddError("Unable to create control plane", err.Error())
		return
	}
	// Names are unique in an organization, so after a lost answer the control plane of this
	// name is the one this create made (createOnce checks that there was none before).
	name, _ := body["name"].(string)
	data, err := createOnce(
		func() (map[string]any, error) {
			return readBody(r.client.CreateControlPlaneWithBody(ctx, jsonContent, bytes.NewReader(mustJSON(body)))) //nolint:bodyclose // readBody closes it
		},
		func() (map[string]any, bool, error) {
			found, err := findControlPlaneByName(ctx, r.client, name)
			return found, found != nil, err
		})
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic("create", "control plane", err, body, ""))
		return
	}
	r.setState(ctx, data, req.Plan.Raw, &resp.State, &resp.Diagnostics)
}

func (r *gatewayControlPlaneResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	id, ok := controlPlaneID(ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	httpResp, err := r.client.GetControlPlane(ctx, id) //nolint:bodyclose // readBody closes it
	if client.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	data, err := readBody(httpResp, err)
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic("read", "control plane", err, nil, ""))
		return
	}
	r.setState(ctx, data, req.State.Raw, &resp.State, &resp.Diagnostics)
}

func (r *gatewayControlPlaneResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	id, ok := controlPlaneID(ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	body, err := controlPlaneBody(req.Plan.Raw)
	if err != nil {
		resp.Diagnostics.AddError("Unable to update control plane", err.Error())
		return
	}
	// cluster_type and cloud_gateway force a new control plane; the rest is patched.
	delete(body, "cluster_type")
	delete(body, "cloud_gateway")
	data, err := readBody(r.client.UpdateControlPlaneWithBody(ctx, id, jsonContent, bytes.NewReader(mustJSON(body)))) //nolint:bodyclose // readBody closes it
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic("update", "control plane", err, body, ""))
		return
	}
	r.setState(ctx, data, req.Plan.Raw, &resp.State, &resp.Diagnostics)
}

func (r *gatewayControlPlaneResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	id, ok := controlPlaneID(ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	httpResp, err := r.client.DeleteControlPlane(ctx, id)
	if httpResp != nil {
		_ = httpResp.Body.Close()
	}
	if err != nil && !client.IsNotFound(err) {
		resp.Diagnostics.Append(apiErrorDiagnostic("delete", "control plane", err, nil, ""))
	}
}

// ImportState takes the control plane's id, as Kong's provider does.
func (r *gatewayControlPlaneResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if _, err := uuid.Parse(req.ID); err != nil {
		resp.Diagnostics.AddError("Invalid import id", fmt.Sprintf("A control plane is imported by its id, a UUID; %q is not one.", req.ID))
		return
	}
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

// controlPlaneBody is the request body; empty values are sent explicitly so that removing
// a description, labels or proxy URLs from the configuration clears them.
func controlPlaneBody(plan tftypes.Value) (map[string]any, error) {
	j, _, err := toJSON(plan)
	if err != nil {
		return nil, err
	}
	m := j.(map[string]any)
	delete(m, "id")
	delete(m, "config")
	if m["labels"] == nil {
		m["labels"] = map[string]any{}
	}
	if m["proxy_urls"] == nil {
		m["proxy_urls"] = []any{}
	}
	return m, nil
}

func (r *gatewayControlPlaneResource) setState(ctx context.Context, data map[string]any, prior tftypes.Value, state *tfsdk.State, diags *diag.Diagnostics) {
	liftControlPlaneConfig(data)
	setFromJSON(ctx, state, data, prior, "control plane", diags)
}

// liftControlPlaneConfig copies the settings the API returns inside `config` to the top
// level, where the configuration sets them.
func liftControlPlaneConfig(data map[string]any) {
	if cfg, ok := data["config"].(map[string]any); ok {
		for _, f := range controlPlaneConfigFields {
			data[f] = cfg[f]
		}
	}
}

// findControlPlaneByName asks the API for the control plane of that name (filter[name][eq]),
// and checks the name itself too, so a server that ignored the filter cannot hand back
// another one. It returns nil when there is none.
func findControlPlaneByName(ctx context.Context, c *client.Client, name string) (map[string]any, error) {
	var filter client.ControlPlaneFilter
	if err := json.Unmarshal(mustJSON(map[string]any{"name": map[string]string{"eq": name}}), &filter); err != nil {
		return nil, fmt.Errorf("building the name filter: %w", err)
	}
	for cp, err := range c.ControlPlanes(ctx, client.ListControlPlanesParams{Filter: &filter}) {
		if err != nil {
			return nil, err
		}
		if cp.Name == name {
			return asMap(cp)
		}
	}
	return nil, nil
}

func controlPlaneID(ctx context.Context, from attributeGetter, diags *diag.Diagnostics) (uuid.UUID, bool) {
	var idAttr types.String
	diags.Append(from.GetAttribute(ctx, path.Root("id"), &idAttr)...)
	if diags.HasError() {
		return uuid.UUID{}, false
	}
	id := idAttr.ValueString()
	u, err := uuid.Parse(id)
	if err != nil {
		diags.AddAttributeError(path.Root("id"), "Invalid control plane id", fmt.Sprintf("%q is not a UUID.", id))
		return uuid.UUID{}, false
	}
	return u, true
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("provider: encoding a request body: %v", err))
	}
	return b
}
