package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// An identity data source (konnect_team, konnect_system_account) finds one object with a
// `filter` as Kong's provider has it (`filter = { name = { eq = "..." } }`): the API is asked
// with filter[...] query parameters, every answer is checked against the filter here too, and
// exactly one object must match.

type identityDataSource struct {
	def         *identityDef // the resource, whose attributes the data source has
	description string
	// stringFilters take { eq | contains }, boolFilters a boolean.
	stringFilters, boolFilters []string
	// list yields every object the API returns for the filter (as the API's filter object).
	list   func(ctx context.Context, c *client.Client, filter map[string]any) iter.Seq2[map[string]any, error]
	client *client.Client
}

var _ datasource.DataSourceWithConfigure = (*identityDataSource)(nil)

func (d *identityDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + d.def.typeName
}

func (d *identityDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := map[string]dschema.Attribute{
		"id": dschema.StringAttribute{Computed: true, MarkdownDescription: "The " + d.def.entity + "'s id."},
	}
	for name, a := range d.def.attributes {
		attrs[name] = computedAttribute(a)
	}
	filters := map[string]dschema.Attribute{}
	for _, f := range d.stringFilters {
		filters[f] = dschema.SingleNestedAttribute{Optional: true,
			MarkdownDescription: "Matches `" + f + "` with **one** of `eq` (the whole value) or `contains` (a part of it).",
			Attributes: map[string]dschema.Attribute{
				"eq":       dschema.StringAttribute{Optional: true, MarkdownDescription: "The field equals this value."},
				"contains": dschema.StringAttribute{Optional: true, MarkdownDescription: "The field contains this value."},
			}}
	}
	for _, f := range d.boolFilters {
		filters[f] = dschema.BoolAttribute{Optional: true, MarkdownDescription: "Matches `" + f + "` (true or false)."}
	}
	attrs["filter"] = dschema.SingleNestedAttribute{Optional: true, Attributes: filters,
		MarkdownDescription: "Which " + d.def.entity + " to read. Exactly one must match; reading fails when none or several do."}
	resp.Schema = dschema.Schema{MarkdownDescription: d.description, Attributes: attrs}
}

func (d *identityDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = configuredClient(req.ProviderData, &resp.Diagnostics)
}

func (d *identityDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	config, err := planJSON(req.Config.Raw)
	if err != nil {
		resp.Diagnostics.AddError("Invalid filter", err.Error())
		return
	}
	filter, _ := config["filter"].(map[string]any)
	if filter == nil {
		filter = map[string]any{}
	}
	dropNulls(filter)
	for _, f := range d.stringFilters {
		if ops, ok := filter[f].(map[string]any); ok && len(ops) != 1 {
			resp.Diagnostics.AddAttributeError(path.Root("filter").AtName(f), "Invalid filter", "Set exactly one of `eq` or `contains`.")
			return
		}
	}
	if len(filter) == 0 {
		resp.Diagnostics.AddAttributeError(path.Root("filter"), "Missing filter", "Set `filter` to find the "+d.def.entity+", such as filter = { name = { eq = \"...\" } }.")
		return
	}
	var matches []map[string]any
	for item, err := range d.list(ctx, d.client, filter) {
		if err != nil {
			resp.Diagnostics.Append(identityErrorDiagnostic("read", d.def.entity, err, nil))
			return
		}
		if matchesFilter(item, filter) {
			matches = append(matches, item)
		}
	}
	switch len(matches) {
	case 0:
		resp.Diagnostics.AddError("No such "+d.def.entity, fmt.Sprintf("No %s the access token can see matches the filter %s.", d.def.entity, mustJSON(filter)))
	case 1:
		matches[0]["filter"] = filter // as configured
		setFromJSON(ctx, &resp.State, matches[0], tftypes.Value{}, d.def.entity, &resp.Diagnostics)
	default:
		names := make([]string, len(matches))
		for i, m := range matches {
			names[i] = fmt.Sprintf("%v (%v)", m["name"], m["id"])
		}
		resp.Diagnostics.AddError("Several "+d.def.entity+"s match",
			fmt.Sprintf("%d %ss match the filter %s: %s. Narrow the filter so that one does.", len(matches), d.def.entity, mustJSON(filter), strings.Join(names, ", ")))
	}
}

// matchesFilter checks an object against a filter as the API applies it.
func matchesFilter(item, filter map[string]any) bool {
	for field, want := range filter {
		switch w := want.(type) {
		case bool:
			if got, _ := item[field].(bool); got != w {
				return false
			}
		case map[string]any:
			got, _ := item[field].(string)
			if eq, ok := w["eq"].(string); ok && got != eq {
				return false
			}
			if part, ok := w["contains"].(string); ok && !strings.Contains(got, part) {
				return false
			}
		}
	}
	return true
}

// listParams fills a generated list-parameters struct's filter from the filter object.
func listParams[P any](filter map[string]any) (P, error) {
	var p P
	err := json.Unmarshal(mustJSON(map[string]any{"filter": filter}), &p)
	if err != nil {
		err = fmt.Errorf("building the filter: %w", err)
	}
	return p, err
}
