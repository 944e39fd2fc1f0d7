package provider

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// A data source reads one entity by any of its lookup attributes; its attributes are the
// resource's, computed, so a data source and a resource of one kind always agree.

// entityLookup finds an entity by the attribute that was set: it returns the entity as the
// API has it, or nil when there is none.
type entityLookup func(ctx context.Context, c *client.Client, cp client.ControlPlaneId, by, value string) (map[string]any, error)

type entityDataSource struct {
	typeName    string
	entity      string
	description string
	// attributes are the resource's; lookups are those a configuration may set to find it.
	attributes func() map[string]rschema.Attribute
	lookups    []string
	// inControlPlane is false for control planes themselves.
	inControlPlane bool
	find           entityLookup
	// adjust reshapes the API's answer before it is stored (a control plane's config fields).
	adjust func(map[string]any)
	client *client.Client
}

var _ datasource.DataSourceWithConfigure = (*entityDataSource)(nil)

func (d *entityDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + d.typeName
}

func (d *entityDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := map[string]dschema.Attribute{}
	for name, a := range d.attributes() {
		attrs[name] = computedAttribute(a)
	}
	for _, name := range d.lookups {
		attrs[name] = dschema.StringAttribute{Optional: true, Computed: true,
			MarkdownDescription: attrs[name].GetMarkdownDescription() + " Set exactly one of " + quotedNames(d.lookups) + " to find the " + d.entity + "."}
	}
	if d.inControlPlane {
		attrs[controlPlaneIDAttr] = dschema.StringAttribute{Required: true, MarkdownDescription: "The id of the control plane to look in."}
	}
	resp.Schema = dschema.Schema{MarkdownDescription: d.description, Attributes: attrs}
}

func (d *entityDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = configuredClient(req.ProviderData, &resp.Diagnostics)
}

func (d *entityDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var by, value string
	for _, name := range d.lookups {
		var v *string
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(name), &v)...)
		if v != nil && *v != "" {
			if by != "" {
				resp.Diagnostics.AddError("Ambiguous lookup", "Set only one of "+quotedNames(d.lookups)+".")
				return
			}
			by, value = name, *v
		}
	}
	if by == "" {
		resp.Diagnostics.AddError("Missing lookup", "Set one of "+quotedNames(d.lookups)+" to find the "+d.entity+".")
		return
	}
	var cp client.ControlPlaneId
	var cpText string
	if d.inControlPlane {
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(controlPlaneIDAttr), &cpText)...)
		var err error
		if cp, err = uuid.Parse(cpText); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root(controlPlaneIDAttr), "Invalid control plane id", fmt.Sprintf("%q is not a UUID.", cpText))
			return
		}
	}
	data, err := d.find(ctx, d.client, cp, by, value)
	if client.IsNotFound(err) || err == nil && data == nil {
		where := ""
		if d.inControlPlane {
			where = " in control plane " + cpText
		}
		resp.Diagnostics.AddError("No such "+d.entity, fmt.Sprintf("No %s has %s %q%s.", d.entity, by, value, where))
		return
	}
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic("read", d.entity, err, nil, cpText))
		return
	}
	if d.adjust != nil {
		d.adjust(data)
	}
	if d.inControlPlane {
		data[controlPlaneIDAttr] = cpText
	}
	setFromJSON(ctx, &resp.State, data, tftypes.Value{}, d.entity, &resp.Diagnostics)
}

func quotedNames(names []string) string {
	out := ""
	for i, n := range names {
		switch {
		case i == 0:
		case i == len(names)-1:
			out += " or "
		default:
			out += ", "
		}
		out += "`" + n + "`"
	}
	return out
}

// computedAttribute is a resource attribute as a data source's computed one.
func computedAttribute(a rschema.Attribute) dschema.Attribute {
	desc := a.GetMarkdownDescription()
	sensitive := a.IsSensitive()
	switch x := a.(type) {
	case rschema.StringAttribute:
		return dschema.StringAttribute{Computed: true, Sensitive: sensitive, MarkdownDescription: desc, CustomType: x.CustomType}
	case rschema.Int64Attribute:
		return dschema.Int64Attribute{Computed: true, Sensitive: sensitive, MarkdownDescription: desc}
	case rschema.Float64Attribute:
		return dschema.Float64Attribute{Computed: true, Sensitive: sensitive, MarkdownDescription: desc}
	case rschema.BoolAttribute:
		return dschema.BoolAttribute{Computed: true, Sensitive: sensitive, MarkdownDescription: desc}
	case rschema.ListAttribute:
		return dschema.ListAttribute{Computed: true, Sensitive: sensitive, MarkdownDescription: desc, ElementType: x.ElementType}
	case rschema.MapAttribute:
		return dschema.MapAttribute{Computed: true, Sensitive: sensitive, MarkdownDescription: desc, ElementType: x.ElementType}
	case rschema.SingleNestedAttribute:
		nested := map[string]dschema.Attribute{}
		for n, c := range x.Attributes {
			nested[n] = computedAttribute(c)
		}
		return dschema.SingleNestedAttribute{Computed: true, Sensitive: sensitive, MarkdownDescription: desc, Attributes: nested}
	case rschema.ListNestedAttribute:
		nested := map[string]dschema.Attribute{}
		for n, c := range x.NestedObject.Attributes {
			nested[n] = computedAttribute(c)
		}
		return dschema.ListNestedAttribute{Computed: true, Sensitive: sensitive, MarkdownDescription: desc,
			NestedObject: dschema.NestedAttributeObject{Attributes: nested}}
	}
	panic(fmt.Sprintf("provider: no data source attribute for %T", a))
}

// asMap converts a generated model to the JSON object it stands for.
func asMap(v any) (map[string]any, error) {
	return decodeJSON(mustJSON(v))
}
