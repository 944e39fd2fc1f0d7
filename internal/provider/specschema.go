package provider

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// A core entity resource's attributes are built from the entity's schema in
// client/openapi.yaml, the same document that generates the client and the emulator: field
// names, types, defaults, allowed values and ranges come from there, so the three cannot
// disagree. A default in the spec becomes the attribute's Default, which keeps plans exact:
// a field left out is planned at the value the server will store, and a field removed from
// the configuration goes back to it.

var (
	specOnce sync.Once
	specDoc  *openapi3.T
	specErr  error
)

// specSchema returns a component schema of the project's OpenAPI document.
func specSchema(name string) *openapi3.Schema {
	specOnce.Do(func() { specDoc, specErr = client.GetSpec() })
	if specErr != nil {
		panic(fmt.Sprintf("provider: the embedded OpenAPI document does not load: %v", specErr))
	}
	ref, ok := specDoc.Components.Schemas[name]
	if !ok || ref.Value == nil {
		panic("provider: no schema " + name + " in client/openapi.yaml")
	}
	return ref.Value
}

// fieldOptions adjusts how the spec's fields become attributes, by dotted field path.
type fieldOptions struct {
	// skip leaves fields out (parents expressed as *_id attributes, write-only shorthands).
	skip []string
	// sensitive fields are secrets, hidden in plans and logs.
	sensitive []string
	// replace fields cannot change in place: a change plans a new entity.
	replace []string
	// generated fields are filled in by the server when not given (a key-auth key): optional
	// and computed, and kept from state while unchanged.
	generated []string
	// required fields must be configured even where the spec lets the server default them.
	required []string
	// jsonText fields are free-form objects held as JSON text (jsonencode in HCL).
	jsonText []string
}

// entityAttributes builds the attributes of the spec schema's fields, keyed by name.
func entityAttributes(schemaName, entity string, o fieldOptions) map[string]schema.Attribute {
	s := specSchema(schemaName)
	return objectAttributes(s, entity, "", o)
}

func objectAttributes(s *openapi3.Schema, entity, prefix string, o fieldOptions) map[string]schema.Attribute {
	attrs := map[string]schema.Attribute{}
	for name, ref := range s.Properties {
		p := prefix + name
		if slices.Contains(o.skip, p) || ref.Value == nil {
			continue
		}
		if prefix == "" && (name == "id" || name == "created_at" || name == "updated_at") {
			attrs[name] = identityAttribute(name, ref.Value, entity)
			continue
		}
		required := slices.Contains(s.Required, name) && ref.Value.Default == nil || slices.Contains(o.required, p)
		attrs[name] = specAttribute(ref.Value, entity, p, required, o)
	}
	return attrs
}

// identityAttribute is id (optional, so a configuration may choose it; computed otherwise)
// or a timestamp (computed).
func identityAttribute(name string, s *openapi3.Schema, entity string) schema.Attribute {
	if name == "id" {
		return schema.StringAttribute{
			Optional: true, Computed: true,
			MarkdownDescription: fmt.Sprintf("The %s's id, a UUID. Chosen by the provider when not set; setting it creates the %s under that id.", entity, entity),
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplaceIfConfigured()},
		}
	}
	desc := "Unix epoch when the " + entity + " was created."
	var mods []planmodifier.Int64
	if name == "created_at" {
		mods = []planmodifier.Int64{int64planmodifier.UseStateForUnknown()}
	} else {
		// updated_at changes with every update, so it is only known after one.
		desc = "Unix epoch when the " + entity + " was last updated."
	}
	if s.Type != nil && s.Type.Is("number") {
		return schema.Float64Attribute{Computed: true, MarkdownDescription: desc}
	}
	return schema.Int64Attribute{Computed: true, MarkdownDescription: desc, PlanModifiers: mods}
}

func specAttribute(s *openapi3.Schema, entity, path string, required bool, o fieldOptions) schema.Attribute {
	desc := describe(entity, path, s)
	sensitive := slices.Contains(o.sensitive, path)
	replace := slices.Contains(o.replace, path)
	generated := slices.Contains(o.generated, path)
	optional := !required
	def := specDefault(s)
	computed := def != nil || generated
	t := typeOf(s)
	switch {
	case slices.Contains(o.jsonText, path):
		a := schema.StringAttribute{Required: required, Optional: optional, Sensitive: sensitive, CustomType: jsontypes.NormalizedType{},
			MarkdownDescription: desc + " A JSON object: use `jsonencode({...})`."}
		if replace {
			a.PlanModifiers = append(a.PlanModifiers, stringplanmodifier.RequiresReplace())
		}
		return a
	case t == "string" || t == "integer" || t == "number" || t == "boolean":
		f := scalarField{kind: t, desc: desc, required: required, sensitive: sensitive, def: def, generated: generated, replace: replace,
			enum: enumStrings(s), minLength: int(s.MinLength)}
		if t == "integer" {
			for _, e := range s.Enum {
				f.intEnum = append(f.intEnum, toInt64(e))
			}
			if s.Min != nil && s.Max != nil {
				f.intBetween = &[2]int64{int64(*s.Min), int64(*s.Max)}
			}
		}
		return scalarAttribute(f)
	case t == "array" && s.Items != nil && typeOf(s.Items.Value) == "object" && len(s.Items.Value.Properties) > 0:
		a := schema.ListNestedAttribute{Required: required, Optional: optional, Computed: computed, Sensitive: sensitive, MarkdownDescription: desc,
			NestedObject: schema.NestedAttributeObject{Attributes: objectAttributes(s.Items.Value, entity, path+".", o)}}
		if def != nil {
			a.Default = listdefault.StaticValue(defaultValue(a.GetType(), def).(types.List))
		}
		return a
	case t == "array":
		elem := elementType(s.Items.Value)
		a := schema.ListAttribute{Required: required, Optional: optional, Computed: computed, Sensitive: sensitive, ElementType: elem, MarkdownDescription: desc}
		if def != nil {
			a.Default = listdefault.StaticValue(defaultValue(a.GetType(), def).(types.List))
		}
		if vals := enumStrings(s.Items.Value); len(vals) > 0 {
			a.Validators = []validator.List{listvalidator.ValueStringsAre(stringvalidator.OneOf(vals...))}
		}
		return a
	case t == "object" && len(s.Properties) > 0:
		a := schema.SingleNestedAttribute{Required: required, Optional: optional, Computed: computed, Sensitive: sensitive, MarkdownDescription: desc,
			Attributes: objectAttributes(s, entity, path+".", o)}
		if def != nil {
			a.Default = objectdefault.StaticValue(defaultValue(a.GetType(), def).(types.Object))
		}
		return a
	case t == "object" && s.AdditionalProperties.Schema != nil:
		a := schema.MapAttribute{Required: required, Optional: optional, Computed: computed, Sensitive: sensitive,
			ElementType: elementType(s.AdditionalProperties.Schema.Value), MarkdownDescription: desc}
		if def != nil {
			a.Default = mapdefault.StaticValue(defaultValue(a.GetType(), def).(types.Map))
		}
		return a
	}
	panic(fmt.Sprintf("provider: %s.%s: no attribute for the spec's type %q", entity, path, t))
}

func typeOf(s *openapi3.Schema) string {
	if s == nil || s.Type == nil || len(*s.Type) == 0 {
		if s != nil && len(s.Properties) > 0 {
			return "object"
		}
		return ""
	}
	return (*s.Type)[0]
}

func elementType(s *openapi3.Schema) attr.Type {
	switch typeOf(s) {
	case "integer":
		return types.Int64Type
	case "number":
		return types.Float64Type
	case "boolean":
		return types.BoolType
	case "array":
		return types.ListType{ElemType: elementType(s.Items.Value)}
	}
	return types.StringType
}

// specDefault is the field's default in the spec; for an object without one, the object
// made of its fields' defaults, since the server fills those in when the object is absent.
func specDefault(s *openapi3.Schema) any {
	if s.Default != nil {
		return s.Default
	}
	if typeOf(s) != "object" || len(s.Properties) == 0 {
		return nil
	}
	out := map[string]any{}
	for name, p := range s.Properties {
		if p.Value == nil {
			continue
		}
		if d := specDefault(p.Value); d != nil {
			out[name] = d
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// defaultValue converts a spec default to a framework value of type t.
func defaultValue(t attr.Type, def any) attr.Value {
	ctx := context.Background()
	tv, err := fromJSON(t.TerraformType(ctx), normalizeDefault(def), tftypes.Value{})
	if err != nil {
		panic(fmt.Sprintf("provider: default %v does not fit %s: %v", def, t, err))
	}
	v, err := t.ValueFromTerraform(ctx, tv)
	if err != nil {
		panic(fmt.Sprintf("provider: default %v does not fit %s: %v", def, t, err))
	}
	return v
}

// normalizeDefault turns YAML-decoded numbers into what fromJSON reads.
func normalizeDefault(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case uint64:
		return int64(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizeDefault(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalizeDefault(e)
		}
		return out
	}
	return v
}

func enumStrings(s *openapi3.Schema) []string {
	if s == nil || typeOf(s) != "string" {
		return nil
	}
	out := make([]string, 0, len(s.Enum))
	for _, e := range s.Enum {
		out = append(out, fmt.Sprint(e))
	}
	return out
}

func toInt64(v any) int64 {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int64:
		return x
	case float64:
		return int64(x)
	}
	panic(fmt.Sprintf("provider: %v is not an integer", v))
}

func toFloat64(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case float64:
		return x
	}
	panic(fmt.Sprintf("provider: %v is not a number", v))
}

// enumSentence lists allowed values for a description.
func enumSentence(vals []string) string {
	quoted := make([]string, len(vals))
	for i, v := range vals {
		quoted[i] = "`" + v + "`"
	}
	sort.Strings(quoted)
	return "One of " + strings.Join(quoted, ", ") + "."
}
