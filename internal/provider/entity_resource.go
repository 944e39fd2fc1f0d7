package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

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

// entityDef describes a core entity resource: which spec schema it is built from, where it
// lives in the API, and what is special about its fields. Every konnect_gateway_* core
// entity, credential and plugin resource is an entityResource over one of these, so CRUD,
// import, drift detection and error reporting are written once.
type entityDef struct {
	// typeName follows the provider's name: "gateway_consumer" is konnect_gateway_consumer.
	typeName string
	// entity names the entity in descriptions and messages ("consumer", "key-auth credential").
	entity string
	// schemaName is the component schema in client/openapi.yaml.
	schemaName string
	// description is the resource's MarkdownDescription.
	description string
	// parent is set for entities that live under another one (a consumer's credentials, an
	// upstream's targets): the parent's id is an attribute, the path carries it.
	parent *parentDef
	fields fieldOptions
	// keepConfigured fields are stored in another form by the server (a hashed password):
	// the state keeps the configured value while matches says the stored form is still that
	// value's; otherwise the server's form goes to state, so a change made outside Terraform
	// shows as drift.
	keepConfigured []string
	matches        func(configured, stored any, entity map[string]any) bool
	// extra attributes beside the spec's fields (a plugin's config).
	extra map[string]schema.Attribute
	// fixed fields are sent with every write (a plugin's name).
	fixed map[string]any
	api   entityAPI
	// wrapper is the field a GET answer wraps the entity in ("consumer_group"), if any.
	wrapper string
	// encode turns a planned body into the API's form where the attributes differ from it (a
	// plugin's config fields held as JSON text); validate sees the result.
	encode func(body map[string]any) error
	// validate checks a planned body before any call (a plugin's config against its schema).
	validate func(body map[string]any) []fieldProblem
	// adjust changes the attributes built from the spec (a service's url shorthand).
	adjust func(attrs map[string]schema.Attribute)
	// modifyPlan completes a plan where the spec's defaults cannot (fields a shorthand sets).
	modifyPlan func(ctx context.Context, config tfsdk.Config, plan *tfsdk.Plan) diag.Diagnostics
	// toAPI and fromAPI reshape the entity between the resource's attributes and the API's
	// JSON where they differ in form (a partial: one nested attribute per type in Terraform,
	// a `type` field in the API). toAPI gets the body without the locating attributes.
	toAPI   func(body map[string]any) (map[string]any, error)
	fromAPI func(data map[string]any) map[string]any
	// render turns an entity read from the API into what the state holds, given the prior
	// (planned or stored) attributes as JSON, or nil when there are none (an import): a
	// plugin config compared with the server's by meaning. hints are the importHints the
	// import id gave, for what the API does not record.
	render func(entity, prior map[string]any, hints map[string]string)
	// importHints are optional keys of the import id, each with the values it takes, naming
	// what the API cannot tell an import (the shape Datakit nodes were written in).
	importHints map[string][]string
	// foreign says why an entity read from the API is not one this resource manages (a
	// plugin of another name under a typed plugin resource), or "" when it is.
	foreign func(entity map[string]any) string

	once   sync.Once
	schema schema.Schema
}

// fieldProblem is a configuration error found before calling the API.
type fieldProblem struct {
	path    path.Path
	message string
}

type parentDef struct {
	attr   string // the attribute holding the parent's id: "consumer_id"
	field  string // the entity's JSON field naming the parent: "consumer"
	entity string // "consumer"
}

// entityKey locates one entity.
type entityKey struct {
	cp     client.ControlPlaneId
	parent string
	id     string
}

// entityAPI binds the generated client's operations for one entity.
type entityAPI struct {
	get func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error)
	put func(ctx context.Context, c *client.Client, k entityKey, body io.Reader) (*http.Response, error)
	del func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error)
}

const controlPlaneIDAttr = "control_plane_id"

type entityResource struct {
	def    *entityDef
	client *client.Client
}

var (
	_ resource.ResourceWithConfigure      = (*entityResource)(nil)
	_ resource.ResourceWithImportState    = (*entityResource)(nil)
	_ resource.ResourceWithValidateConfig = (*entityResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*entityResource)(nil)
)

func newEntityResource(def *entityDef) func() resource.Resource {
	return func() resource.Resource { return &entityResource{def: def} }
}

func (r *entityResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.def.typeName
}

func (r *entityResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = r.def.resourceSchema()
}

func (d *entityDef) resourceSchema() schema.Schema {
	d.once.Do(func() {
		attrs := entityAttributes(d.schemaName, d.entity, d.fields)
		attrs[controlPlaneIDAttr] = schema.StringAttribute{
			Required:            true,
			MarkdownDescription: "The id of the control plane the " + d.entity + " belongs to. Changing it creates the " + d.entity + " anew in the other control plane.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
		}
		if d.parent != nil {
			attrs[d.parent.attr] = schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The id of the " + d.parent.entity + " the " + d.entity + " belongs to. Changing it creates the " + d.entity + " anew.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			}
		}
		for name, a := range d.extra {
			attrs[name] = a
		}
		if d.adjust != nil {
			d.adjust(attrs)
		}
		d.schema = schema.Schema{MarkdownDescription: d.description, Attributes: attrs}
	})
	return d.schema
}

func (r *entityResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configuredClient(req.ProviderData, &resp.Diagnostics)
}

func (r *entityResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	if r.def.validate == nil {
		return
	}
	if !fullyKnown(req.Config.Raw) {
		return // unknown values: checked by the server when it receives them
	}
	body, err := r.body(req.Config.Raw)
	if err != nil {
		resp.Diagnostics.AddError("Invalid "+r.def.entity+" configuration", err.Error())
		return
	}
	for _, p := range r.def.validate(body) {
		resp.Diagnostics.AddAttributeError(p.path, "Invalid "+r.def.entity+" configuration", p.message)
	}
}

func (r *entityResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.def.modifyPlan == nil || req.Plan.Raw.IsNull() {
		return // nothing special, or a destroy
	}
	resp.Diagnostics.Append(r.def.modifyPlan(ctx, req.Config, &resp.Plan)...)
	if req.State.Raw.IsNull() || resp.Diagnostics.HasError() {
		return
	}
	// The spec's defaults had made the plan differ from the state before modifyPlan put the
	// fields back, so updated_at was planned unknown; it stays as it is when nothing changes.
	updatedAt := path.Root("updated_at")
	var prior types.Int64
	if diags := req.State.GetAttribute(ctx, updatedAt, &prior); diags.HasError() {
		return // the entity has no updated_at
	}
	planned := resp.Plan
	planned.Raw = resp.Plan.Raw.Copy()
	if diags := planned.SetAttribute(ctx, updatedAt, prior); diags.HasError() {
		return
	}
	if planned.Raw.Equal(req.State.Raw) {
		resp.Plan = planned
	}
}

func (r *entityResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	k, ok := r.key(ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	if k.id == "" {
		// The provider chooses the id and creates with PUT, so a create the client retries
		// after a lost answer can never leave a duplicate.
		k.id = client.NewID()
	}
	r.write(ctx, "create", k, req.Plan.Raw, &resp.State, &resp.Diagnostics)
}

func (r *entityResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	k, ok := r.key(ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	httpResp, err := r.def.api.get(ctx, r.client, k) //nolint:bodyclose // readBody closes it
	if client.IsNotFound(err) {
		// Deleted outside Terraform: the next plan creates it again.
		resp.State.RemoveResource(ctx)
		return
	}
	data, err := readBody(httpResp, err)
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic("read", r.def.entity, err, nil, k.cp.String()))
		return
	}
	if inner, ok := data[r.def.wrapper].(map[string]any); ok && r.def.wrapper != "" {
		data = inner
	}
	if r.def.foreign != nil {
		if why := r.def.foreign(data); why != "" {
			resp.Diagnostics.AddError("Unable to read "+r.def.entity+": another kind of entity", why)
			return
		}
	}
	var hints map[string]string
	if b, d := req.Private.GetKey(ctx, importHintsKey); !d.HasError() && len(b) > 0 {
		_ = json.Unmarshal(b, &hints) // written by ImportState; unreadable hints are no hints
	}
	r.setStateWithHints(ctx, k, data, req.State.Raw, hints, &resp.State, &resp.Diagnostics)
}

func (r *entityResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	k, ok := r.key(ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	r.write(ctx, "update", k, req.Plan.Raw, &resp.State, &resp.Diagnostics)
}

func (r *entityResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	k, ok := r.key(ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	httpResp, err := r.def.api.del(ctx, r.client, k)
	if httpResp != nil {
		_ = httpResp.Body.Close()
	}
	if err != nil && !client.IsNotFound(err) {
		resp.Diagnostics.Append(apiErrorDiagnostic("delete", r.def.entity, err, nil, k.cp.String()))
	}
}

// ImportState reads the JSON id Kong's provider documents, such as
// {"control_plane_id": "...", "id": "..."} (and "consumer_id" or "upstream_id" for nested
// entities).
func (r *entityResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	keys := []string{controlPlaneIDAttr, "id"}
	if r.def.parent != nil {
		keys = append(keys, r.def.parent.attr)
	}
	if len(r.def.importHints) == 0 {
		importJSONID(ctx, req, resp, keys)
		return
	}
	values, err := parseImportIDWithHints(req.ID, keys, r.def.importHints)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import id", err.Error())
		return
	}
	hints := map[string]string{}
	for k, v := range values {
		if _, ok := r.def.importHints[k]; ok {
			hints[k] = v
			continue
		}
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(k), v)...)
	}
	if len(hints) > 0 {
		b, err := json.Marshal(hints)
		if err != nil {
			resp.Diagnostics.AddError("Invalid import id", err.Error())
			return
		}
		// Private state carries the hints to the Read that follows the import.
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, importHintsKey, b)...)
	}
}

// importHintsKey is the private state key holding an import's hints.
const importHintsKey = "import_hints"

// parseImportIDWithHints is parseImportID that also takes the optional hint keys, each
// limited to its listed values.
func parseImportIDWithHints(id string, keys []string, hints map[string][]string) (map[string]string, error) {
	var m map[string]string
	if err := json.Unmarshal([]byte(id), &m); err != nil {
		return parseImportID(id, keys) // the same message as without hints
	}
	required := map[string]string{}
	found := map[string]string{}
	for k, v := range m {
		if allowed, ok := hints[k]; ok {
			if !slices.Contains(allowed, v) {
				return nil, fmt.Errorf("the import id's %q must be one of %s, not %q", k, strings.Join(quoteAll(allowed), ", "), v)
			}
			found[k] = v
			continue
		}
		required[k] = v
	}
	b, err := json.Marshal(required)
	if err != nil {
		return nil, err
	}
	values, err := parseImportID(string(b), keys)
	if err != nil {
		return nil, err
	}
	for k, v := range found {
		values[k] = v
	}
	return values, nil
}

func quoteAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = strconv.Quote(s)
	}
	return out
}

// importJSONID sets the state attributes named by keys from a JSON import id.
func importJSONID(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse, keys []string) {
	values, err := parseImportID(req.ID, keys)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import id", err.Error())
		return
	}
	for _, k := range keys {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(k), values[k])...)
	}
}

// parseImportID decodes a JSON object holding exactly the given keys.
func parseImportID(id string, keys []string) (map[string]string, error) {
	sorted := slices.Clone(keys)
	sort.Strings(sorted)
	example := make([]string, len(sorted))
	for i, k := range sorted {
		example[i] = fmt.Sprintf("%q: \"...\"", k)
	}
	format := "{" + strings.Join(example, ", ") + "}"
	d := json.NewDecoder(strings.NewReader(id))
	d.DisallowUnknownFields()
	var m map[string]string
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("the import id must be a JSON object of strings like %s: %w", format, err)
	}
	for k := range m {
		if !slices.Contains(keys, k) {
			return nil, fmt.Errorf("the import id has an unknown key %q; expected %s", k, format)
		}
	}
	for _, k := range keys {
		if m[k] == "" {
			return nil, fmt.Errorf("the import id lacks %q; expected %s", k, format)
		}
	}
	return m, nil
}

// attributeGetter is a plan or a state.
type attributeGetter interface {
	GetAttribute(ctx context.Context, p path.Path, target any) diag.Diagnostics
}

// key reads the entity's location from a plan or state.
func (r *entityResource) key(ctx context.Context, from attributeGetter, diags *diag.Diagnostics) (entityKey, bool) {
	// types.String reads null and unknown (an id before create) as "" without a problem;
	// any other problem is reported.
	var cpAttr, parentAttr, idAttr types.String
	diags.Append(from.GetAttribute(ctx, path.Root(controlPlaneIDAttr), &cpAttr)...)
	diags.Append(from.GetAttribute(ctx, path.Root("id"), &idAttr)...)
	if r.def.parent != nil {
		diags.Append(from.GetAttribute(ctx, path.Root(r.def.parent.attr), &parentAttr)...)
	}
	if diags.HasError() {
		return entityKey{}, false
	}
	cp, parent, id := cpAttr.ValueString(), parentAttr.ValueString(), idAttr.ValueString()
	cpID, err := uuid.Parse(cp)
	if err != nil {
		diags.AddAttributeError(path.Root(controlPlaneIDAttr), "Invalid control plane id", fmt.Sprintf("%q is not a UUID: control_plane_id takes the id of a konnect_gateway_control_plane.", cp))
		return entityKey{}, false
	}
	return entityKey{cp: cpID, parent: parent, id: id}, true
}

// body converts a planned object to the request body: the spec's fields, without the
// attributes that only locate the entity.
func (r *entityResource) body(v tftypes.Value) (map[string]any, error) {
	j, known, err := toJSON(v)
	if err != nil || !known {
		return nil, err
	}
	m := j.(map[string]any)
	delete(m, controlPlaneIDAttr)
	delete(m, "created_at")
	delete(m, "updated_at")
	delete(m, "id")
	if r.def.parent != nil {
		delete(m, r.def.parent.attr)
	}
	for _, f := range r.def.fields.jsonText {
		if s, ok := m[f].(string); ok {
			var obj any
			if err := json.Unmarshal([]byte(s), &obj); err != nil {
				return nil, fmt.Errorf("%s is not valid JSON: %w", f, err)
			}
			m[f] = obj
		}
	}
	if r.def.encode != nil {
		if err := r.def.encode(m); err != nil {
			return nil, err
		}
	}
	for k, v := range r.def.fixed {
		m[k] = v
	}
	if r.def.toAPI != nil {
		if m, err = r.def.toAPI(m); err != nil {
			return nil, err
		}
	}
	// A PUT replaces the whole entity, so a field left out is cleared; nulls are dropped
	// because the API refuses them for some nested fields.
	dropNulls(m)
	return m, nil
}

// write sends the planned entity with PUT (create or replace) and stores the answer.
func (r *entityResource) write(ctx context.Context, action string, k entityKey, plan tftypes.Value, state *tfsdk.State, diags *diag.Diagnostics) {
	body, err := r.body(plan)
	if err != nil {
		diags.AddError("Unable to "+action+" "+r.def.entity, err.Error())
		return
	}
	b, err := json.Marshal(body)
	if err != nil {
		diags.AddError("Unable to "+action+" "+r.def.entity, err.Error())
		return
	}
	data, err := readBody(r.def.api.put(ctx, r.client, k, bytes.NewReader(b))) //nolint:bodyclose // readBody closes it
	if err != nil {
		diags.Append(apiErrorDiagnostic(action, r.def.entity, err, body, k.cp.String()))
		return
	}
	r.setState(ctx, k, data, plan, state, diags)
}

// setState stores the API's view of the entity; prior (plan or state) keeps the form of
// values the API only writes differently.
func (r *entityResource) setState(ctx context.Context, k entityKey, data map[string]any, prior tftypes.Value, state *tfsdk.State, diags *diag.Diagnostics) {
	r.setStateWithHints(ctx, k, data, prior, nil, state, diags)
}

// setStateWithHints stores an entity read from the API, rendered against the prior value and
// an import's hints.
func (r *entityResource) setStateWithHints(ctx context.Context, k entityKey, data map[string]any, prior tftypes.Value, hints map[string]string, state *tfsdk.State, diags *diag.Diagnostics) {
	if r.def.fromAPI != nil {
		data = r.def.fromAPI(data)
	}
	data[controlPlaneIDAttr] = k.cp.String()
	if r.def.parent != nil {
		data[r.def.parent.attr] = k.parent
	}
	if len(r.def.keepConfigured) > 0 {
		var priorAttrs map[string]tftypes.Value
		if prior.IsKnown() && !prior.IsNull() {
			if err := prior.As(&priorAttrs); err != nil {
				diags.AddError("Unable to store the "+r.def.entity, "Reading the prior value: "+err.Error())
				return
			}
		}
		for _, f := range r.def.keepConfigured {
			v, ok := priorAttrs[f]
			if !ok {
				continue
			}
			j, known, err := toJSON(v)
			if err != nil {
				diags.AddError("Unable to store the "+r.def.entity, f+": "+err.Error())
				return
			}
			if !known || j == nil {
				continue
			}
			if r.def.matches == nil || data[f] == nil || r.def.matches(j, data[f], data) {
				data[f] = j
			}
		}
	}
	if r.def.render != nil {
		var priorJSON map[string]any
		if prior.IsKnown() && !prior.IsNull() {
			j, _, err := toJSON(prior)
			if err != nil {
				diags.AddError("Unable to store the "+r.def.entity, "Reading the prior value: "+err.Error())
				return
			}
			priorJSON, _ = j.(map[string]any)
		}
		r.def.render(data, priorJSON, hints)
	}
	setFromJSON(ctx, state, data, prior, r.def.entity, diags)
}

// readBody reads a successful answer's JSON object.
func readBody(resp *http.Response, err error) (map[string]any, error) {
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reading the API's answer: %w", err)
	}
	return decodeJSON(b)
}

const jsonContent = "application/json"

// dropNulls removes null fields from an object, at every depth.
func dropNulls(m map[string]any) {
	for k, v := range m {
		switch x := v.(type) {
		case nil:
			delete(m, k)
		case map[string]any:
			dropNulls(x)
		case []any:
			for _, e := range x {
				if o, ok := e.(map[string]any); ok {
					dropNulls(o)
				}
			}
		}
	}
}

// fullyKnown tells whether a value holds no unknown value at any depth.
func fullyKnown(v tftypes.Value) bool {
	known := true
	_ = tftypes.Walk(v, func(_ *tftypes.AttributePath, x tftypes.Value) (bool, error) {
		known = known && x.IsKnown()
		return known, nil
	})
	return known
}
