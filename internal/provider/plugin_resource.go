package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/numberdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/pluginschema"
)

// Plugin resources (konnect_gateway_plugin_<name>) are built from the plugin's definition in
// internal/pluginschema, the same one the emulator validates and completes configs with and
// the data plane runs: config fields, types, defaults, allowed values and descriptions come
// from there. The resource's other attributes (scope, protocols, enabled...) come from the
// Plugin schema of client/openapi.yaml.

// noPluginResource are plugins the emulator accepts that have no typed resource here, and why.
var noPluginResource = map[string]string{}

// pluginAdjust changes the generic resource of the plugins that need more: Datakit's nodes
// are differently shaped objects, held in a dynamic attribute.
var pluginAdjust = map[string]func(def *entityDef, p *pluginschema.Plugin){
	"datakit": datakitPlugin,
}

// pluginResourceNames are the plugins with a typed resource: every plugin of
// internal/pluginschema, hand-written or generated, but those of noPluginResource.
var pluginResourceNames = sync.OnceValue(func() []string {
	var names []string
	for _, name := range pluginschema.Names() {
		if _, skip := noPluginResource[name]; !skip {
			names = append(names, name)
		}
	}
	return names
})

// pluginResources builds the plugin resources' definitions once: their schemas are large and
// every provider process would otherwise build them on each call.
var pluginResources = sync.OnceValue(func() []*entityDef {
	names := pluginResourceNames()
	out := make([]*entityDef, 0, len(names))
	for _, name := range names {
		out = append(out, pluginResource(name))
	}
	return out
})

// otherPlugin explains why a plugin read from the API does not belong under the typed
// resource of plugin name, or says "" when it does.
func otherPlugin(name string, entity map[string]any) string {
	got, _ := entity["name"].(string)
	if got == name {
		return ""
	}
	id, _ := entity["id"].(string)
	use := "the resource of that plugin"
	if slices.Contains(pluginResourceNames(), got) {
		use = "konnect_gateway_plugin_" + strings.ReplaceAll(got, "-", "_")
	}
	return fmt.Sprintf("The plugin %s is a %s plugin, not a %s plugin: konnect_gateway_plugin_%s manages only %s plugins. Import or manage it with %s.",
		id, got, name, strings.ReplaceAll(name, "-", "_"), name, use)
}

func pluginResource(name string) *entityDef {
	p, ok := pluginschema.Lookup(name)
	if !ok {
		panic("provider: no schema for plugin " + name)
	}
	skip := []string{"name", "config"}
	for scope, off := range map[string]bool{"consumer": p.NoConsumer, "consumer_group": p.NoConsumerGroup, "route": p.NoRoute, "service": p.NoService} {
		if off {
			skip = append(skip, scope)
		}
	}
	def := &entityDef{
		typeName:    "gateway_plugin_" + strings.ReplaceAll(name, "-", "_"),
		entity:      name + " plugin",
		schemaName:  "Plugin",
		description: fmt.Sprintf("The %s plugin, global or scoped to the entities set in its scope attributes.", name),
		fields:      fieldOptions{skip: skip},
		fixed:       map[string]any{"name": name},
		extra: map[string]schema.Attribute{
			"config": pluginConfigAttribute(p),
		},
		validate: func(body map[string]any) []fieldProblem { return validatePluginConfig(p, body) },
		encode: func(body map[string]any) error {
			if cfg, ok := body["config"].(map[string]any); ok {
				return decodeJSONText(p.Config, cfg, "config")
			}
			return nil
		},
		foreign: func(entity map[string]any) string { return otherPlugin(name, entity) },
		api: entityAPI{
			get: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
				return c.GetPlugin(ctx, k.cp, k.id, nil)
			},
			put: func(ctx context.Context, c *client.Client, k entityKey, body io.Reader) (*http.Response, error) {
				return c.UpsertPluginWithBody(ctx, k.cp, k.id, jsonContent, body)
			},
			del: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
				return c.DeletePlugin(ctx, k.cp, k.id)
			},
		},
	}
	// The spec's Plugin schema brings the common attributes: enabled, tags, instance_name,
	// ordering, condition (stored and returned, not enforced by the emulator's data plane)
	// and partials. The plugin's own protocols and default replace the generic ones.
	def.extra["protocols"] = schema.ListAttribute{
		Optional: true, Computed: true, ElementType: types.StringType,
		MarkdownDescription: "The protocols the plugin runs for. " + enumSentence(p.Protocols) + " Default: `" + strings.Join(p.DefaultProtocols, "`, `") + "`.",
		Default:             listdefault.StaticValue(defaultValue(types.ListType{ElemType: types.StringType}, stringsToAny(p.DefaultProtocols)).(types.List)),
		Validators:          []validator.List{listvalidator.ValueStringsAre(stringvalidator.OneOf(p.Protocols...))},
	}
	def.fields.skip = append(def.fields.skip, "protocols")
	def.adjust = partialReferences
	if adjust := pluginAdjust[name]; adjust != nil {
		adjust(def, p)
	}
	return def
}

// validatePluginConfig runs the plugin's schema on the planned config, so that a bad value
// is reported at plan time with Kong's message, on the attribute at fault.
// A plugin that uses partials is left to the API: a partial's config stands in at its path,
// and only the API knows it.
func validatePluginConfig(p *pluginschema.Plugin, body map[string]any) []fieldProblem {
	if partials, _ := body["partials"].([]any); len(partials) > 0 {
		return nil
	}
	cfg, _ := body["config"].(map[string]any)
	_, errs := p.Normalize(cfg)
	out := make([]fieldProblem, 0, len(errs))
	for _, e := range errs {
		out = append(out, fieldProblem{path: pluginErrorPath(p, e.Field), message: e.String()})
	}
	return out
}

// pluginErrorPath converts "config.key_names.2" (1-based positions) to an attribute path,
// following the schema: map keys, list positions, and no deeper than an attribute held as
// JSON text.
func pluginErrorPath(p *pluginschema.Plugin, field string) path.Path {
	if field == pluginschema.EntityField || field == "" {
		return path.Root("config")
	}
	parts := strings.Split(field, ".")
	at := path.Root(parts[0])
	if parts[0] != "config" {
		return at
	}
	fields := p.Config
	var f *pluginschema.Field
	for _, part := range parts[1:] {
		switch {
		case f != nil && (f.Type == pluginschema.TypeArray || f.Type == pluginschema.TypeSet):
			n, err := strconv.Atoi(part)
			if err != nil {
				return at
			}
			at, f = at.AtListIndex(n-1), f.Elements
		case f != nil && f.Type == pluginschema.TypeMap:
			at, f = at.AtMapKey(part), f.Values
		default:
			next := fieldNamed(fields, part)
			if next == nil {
				return at
			}
			at, f = at.AtName(part), next
		}
		if jsonText(f) {
			return at
		}
		fields = f.Fields
	}
	return at
}

func fieldNamed(fields []*pluginschema.Field, name string) *pluginschema.Field {
	for _, f := range fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// terraformName is what Terraform allows as an attribute name.
var terraformName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// jsonText tells whether a field is held as JSON text (jsonencode in HCL): a free-form value,
// or a record with field names Terraform does not allow (proxy-cache's X-Cache-Key).
func jsonText(f *pluginschema.Field) bool {
	if f.Type == pluginschema.TypeJSON {
		return true
	}
	return f.Type == pluginschema.TypeRecord && slices.ContainsFunc(f.Fields, func(c *pluginschema.Field) bool {
		return !terraformName.MatchString(c.Name)
	})
}

// decodeJSONText replaces, in a config about to be sent, the JSON text of the fields held so
// with the values it encodes.
func decodeJSONText(fields []*pluginschema.Field, config map[string]any, at string) error {
	for _, f := range fields {
		v, ok := config[f.Name]
		if !ok || v == nil {
			continue
		}
		out, err := decodeFieldText(f, v, at+"."+f.Name)
		if err != nil {
			return err
		}
		config[f.Name] = out
	}
	return nil
}

func decodeFieldText(f *pluginschema.Field, v any, at string) (any, error) {
	if jsonText(f) {
		s, ok := v.(string)
		if !ok {
			return v, nil
		}
		var out any
		if err := json.Unmarshal([]byte(s), &out); err != nil {
			return nil, fmt.Errorf("%s is not valid JSON: %w", at, err)
		}
		return out, nil
	}
	switch x := v.(type) {
	case map[string]any:
		switch f.Type {
		case pluginschema.TypeRecord:
			return x, decodeJSONText(f.Fields, x, at)
		case pluginschema.TypeMap:
			for k, e := range x {
				out, err := decodeFieldText(f.Values, e, at+"."+k)
				if err != nil {
					return nil, err
				}
				x[k] = out
			}
		}
	case []any:
		if f.Elements == nil {
			return x, nil
		}
		for i, e := range x {
			out, err := decodeFieldText(f.Elements, e, fmt.Sprintf("%s[%d]", at, i))
			if err != nil {
				return nil, err
			}
			x[i] = out
		}
	}
	return v, nil
}

func stringsToAny(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}

// pluginConfigAttribute is the config object: optional, and when left out planned as the
// config Kong stores for {}, every field at its default.
func pluginConfigAttribute(p *pluginschema.Plugin) schema.Attribute {
	root := &pluginschema.Field{Type: pluginschema.TypeRecord, Required: true, Fields: p.Config}
	a := pluginRecordAttribute(root, "The plugin's settings.")
	return a
}

func pluginRecordAttribute(f *pluginschema.Field, desc string) schema.SingleNestedAttribute {
	attrs := make(map[string]schema.Attribute, len(f.Fields))
	for _, c := range f.Fields {
		attrs[c.Name] = pluginAttribute(c)
	}
	a := schema.SingleNestedAttribute{Optional: true, MarkdownDescription: desc, Attributes: attrs}
	if def := pluginDefault(f); def != nil {
		a.Computed = true
		a.Default = objectdefault.StaticValue(defaultValue(a.GetType(), def).(types.Object))
	}
	return a
}

// pluginDefault is what Kong stores for an absent field: its default, or for a required
// record the record of its fields' defaults.
func pluginDefault(f *pluginschema.Field) any {
	if f.Default != nil {
		return f.Default
	}
	if f.Type == pluginschema.TypeRecord && f.Required {
		out := map[string]any{}
		for _, c := range f.Fields {
			if d := pluginDefault(c); d != nil {
				out[c.Name] = d
			}
		}
		return out
	}
	return nil
}

func pluginAttribute(f *pluginschema.Field) schema.Attribute {
	desc := f.Description
	if len(f.Enum) > 0 {
		desc += " " + enumSentence(f.Enum)
	}
	def := pluginDefault(f)
	computed := def != nil
	if jsonText(f) {
		// No static default for a custom type: a server-filled value is computed instead.
		return schema.StringAttribute{Optional: true, Computed: computed, Sensitive: f.Sensitive, CustomType: jsontypes.NormalizedType{},
			MarkdownDescription: desc + " JSON text: use `jsonencode(...)`."}
	}
	switch f.Type {
	case pluginschema.TypeNumber:
		// A Number, not a Float64: a float64 default such as 0.01 would differ from the
		// 512-bit value Terraform reads back from its state, and plan a change forever.
		a := schema.NumberAttribute{Optional: true, Computed: computed, Sensitive: f.Sensitive, MarkdownDescription: withDefault(desc, f.Default)}
		if def != nil {
			a.Default = numberdefault.StaticBigFloat(defaultValue(types.NumberType, def).(types.Number).ValueBigFloat())
		}
		return a
	case pluginschema.TypeString, pluginschema.TypeInteger, pluginschema.TypeBoolean:
		return scalarAttribute(scalarField{kind: string(f.Type), desc: withDefault(desc, f.Default), sensitive: f.Sensitive, def: def, enum: f.Enum})
	case pluginschema.TypeArray, pluginschema.TypeSet:
		if f.Elements.Type == pluginschema.TypeRecord && !jsonText(f.Elements) {
			nested := pluginRecordAttribute(f.Elements, "")
			a := schema.ListNestedAttribute{Optional: true, Computed: computed, Sensitive: f.Sensitive, MarkdownDescription: desc,
				NestedObject: schema.NestedAttributeObject{Attributes: nested.Attributes}}
			if def != nil {
				a.Default = listdefault.StaticValue(defaultValue(a.GetType(), def).(types.List))
			}
			return a
		}
		a := schema.ListAttribute{Optional: true, Computed: computed, Sensitive: f.Sensitive, ElementType: pluginElementType(f.Elements), MarkdownDescription: withDefault(desc, f.Default)}
		if def != nil {
			a.Default = listdefault.StaticValue(defaultValue(a.GetType(), def).(types.List))
		}
		if len(f.Elements.Enum) > 0 {
			a.Validators = []validator.List{listvalidator.ValueStringsAre(stringvalidator.OneOf(f.Elements.Enum...))}
		}
		return a
	case pluginschema.TypeMap:
		if f.Values.Type == pluginschema.TypeRecord && !jsonText(f.Values) {
			nested := pluginRecordAttribute(f.Values, "")
			a := schema.MapNestedAttribute{Optional: true, Computed: computed, Sensitive: f.Sensitive, MarkdownDescription: desc,
				NestedObject: schema.NestedAttributeObject{Attributes: nested.Attributes}}
			if def != nil {
				a.Default = mapdefault.StaticValue(defaultValue(a.GetType(), def).(types.Map))
			}
			return a
		}
		a := schema.MapAttribute{Optional: true, Computed: computed, Sensitive: f.Sensitive, ElementType: pluginElementType(f.Values), MarkdownDescription: desc}
		if def != nil {
			a.Default = mapdefault.StaticValue(defaultValue(a.GetType(), def).(types.Map))
		}
		return a
	case pluginschema.TypeRecord:
		return pluginRecordAttribute(f, desc)
	}
	panic(fmt.Sprintf("provider: plugin field %s has type %q, which has no attribute", f.Name, f.Type))
}

func pluginElementType(f *pluginschema.Field) attr.Type {
	if jsonText(f) {
		return jsontypes.NormalizedType{}
	}
	switch f.Type {
	case pluginschema.TypeRecord:
		attrs := make(map[string]attr.Type, len(f.Fields))
		for _, c := range f.Fields {
			attrs[c.Name] = pluginElementType(c)
		}
		return types.ObjectType{AttrTypes: attrs}
	case pluginschema.TypeInteger:
		return types.Int64Type
	case pluginschema.TypeNumber:
		return types.NumberType
	case pluginschema.TypeBoolean:
		return types.BoolType
	case pluginschema.TypeArray, pluginschema.TypeSet:
		return types.ListType{ElemType: pluginElementType(f.Elements)}
	case pluginschema.TypeMap:
		return types.MapType{ElemType: pluginElementType(f.Values)}
	}
	return types.StringType
}

func withDefault(desc string, def any) string {
	switch d := def.(type) {
	case nil:
		return desc
	case []any:
		parts := make([]string, len(d))
		for i, e := range d {
			parts[i] = fmt.Sprint(e)
		}
		return desc + " Default: `[" + strings.Join(parts, ", ") + "]`."
	default:
		return desc + fmt.Sprintf(" Default: `%v`.", d)
	}
}

// partialReferences makes each of a plugin's partials references what users write: the
// partial by id or by name, its path optional. The API fills in the rest ({id, name, path}),
// so the three are optional and computed, and planned as stored while an item still refers
// to the same partial; otherwise (another partial, a new item) they are known after apply.
// Kong's provider, lacking this, plans a change forever when name and path are left out.
func partialReferences(attrs map[string]schema.Attribute) {
	list, ok := attrs["partials"].(schema.ListNestedAttribute)
	if !ok {
		panic("provider: the spec's Plugin schema has no partials list")
	}
	for name, a := range list.NestedObject.Attributes {
		s, ok := a.(schema.StringAttribute)
		if !ok {
			panic("provider: partials." + name + " is not a string in the spec")
		}
		s.Optional, s.Computed, s.Required = true, true, false
		s.PlanModifiers = append(s.PlanModifiers, samePartialKeepsStored{})
		list.NestedObject.Attributes[name] = s
	}
	list.MarkdownDescription += " Each is given by `id` or by `name`; the API fills in the other and `path` (the partial type's default path when none is given). A plugin that uses partials has its config checked by the API when applied, not when planned: a partial's config stands in at its path, and only the API knows it."
	attrs["partials"] = list
}

// samePartialKeepsStored plans a field of a partials item left out of the configuration as
// the stored value, when the item's configured id or name is the stored item's.
type samePartialKeepsStored struct{}

func (samePartialKeepsStored) Description(context.Context) string {
	return "Kept as stored while the item refers to the same partial."
}

func (m samePartialKeepsStored) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (samePartialKeepsStored) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if !req.ConfigValue.IsNull() || !req.PlanValue.IsUnknown() || req.StateValue.IsNull() {
		return
	}
	item := req.Path.ParentPath()
	same := false
	for _, key := range []string{"id", "name"} {
		var configured, stored types.String
		if req.Config.GetAttribute(ctx, item.AtName(key), &configured).HasError() ||
			req.State.GetAttribute(ctx, item.AtName(key), &stored).HasError() {
			return
		}
		if configured.IsUnknown() {
			return // a partial created in the same apply may be another one
		}
		if !configured.IsNull() && !configured.Equal(stored) {
			return
		}
		same = same || !configured.IsNull()
	}
	if same {
		resp.PlanValue = req.StateValue
	}
}
