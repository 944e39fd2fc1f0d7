package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/pluginschema"
)

// konnect_gateway_partial, shaped as Kong's provider shapes it: one nested attribute per
// partial type (`redis_ce = { name = ..., config = {...} }`), exactly one of them set; the API's
// `type` is which one. Each type's attributes come from its schema in client/openapi.yaml.

// partialVariant is one partial type.
type partialVariant struct {
	attr, apiType, schemaName string
	// source is a plugin field whose schema is the partial's config (a plugin's Redis
	// block), whose descriptions the partial's fields take.
	sourcePlugin, sourceField string
	// jsonText are free-form objects held as JSON text (jsonencode in HCL).
	jsonText []string
}

var partialVariants = []partialVariant{
	{"redis_ce", "redis-ce", "PartialRedisCe", "rate-limiting", "redis", nil},
	{"redis_ee", "redis-ee", "PartialRedisEe", "rate-limiting-advanced", "redis", nil},
	{"embeddings", "embeddings", "PartialEmbeddings", "ai-semantic-cache", "embeddings", nil},
	{"model", "model", "PartialModel", "", "", []string{"config.metadata"}},
	{"vectordb", "vectordb", "PartialVectordb", "ai-semantic-cache", "vectordb", nil},
}

var gatewayPartial = &entityDef{
	typeName:   "gateway_partial",
	entity:     "partial",
	schemaName: "Partial",
	description: "A partial: a piece of plugin configuration (a Redis connection, an AI model, a vector " +
		"database) that plugins share by naming it in their `partials`. Set exactly one of " + partialAttrList() + ". " +
		"A partial a plugin uses cannot be deleted.",
	extra: partialAttributes(),
	api: entityAPI{
		get: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.GetPartial(ctx, k.cp, k.id)
		},
		put: func(ctx context.Context, c *client.Client, k entityKey, body io.Reader) (*http.Response, error) {
			return c.UpsertPartialWithBody(ctx, k.cp, k.id, jsonContent, body)
		},
		del: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.DeletePartial(ctx, k.cp, k.id)
		},
	},
	toAPI:   partialToAPI,
	fromAPI: partialFromAPI,
	// Runs toAPI at plan time, so a configuration with no type or two is refused before any call.
	validate: func(map[string]any) []fieldProblem { return nil },
}

func partialAttrList() string {
	names := make([]string, len(partialVariants))
	for i, v := range partialVariants {
		names[i] = "`" + v.attr + "`"
	}
	return strings.Join(names, ", ")
}

// partialToAPI turns the one set type attribute into the API's body.
func partialToAPI(m map[string]any) (map[string]any, error) {
	var body map[string]any
	var set []string
	for _, v := range partialVariants {
		obj, ok := m[v.attr].(map[string]any)
		if !ok {
			continue
		}
		set = append(set, v.attr)
		body = obj
		body["type"] = v.apiType
		for _, p := range v.jsonText {
			text, ok := getPath(body, p).(string)
			if !ok {
				continue
			}
			var value any
			if err := json.Unmarshal([]byte(text), &value); err != nil {
				return nil, fmt.Errorf("%s.%s is not valid JSON: %w", v.attr, p, err)
			}
			setPath(body, p, value)
		}
	}
	if len(set) != 1 {
		return nil, fmt.Errorf("exactly one of %s must be set; found %d (%s)", partialAttrList(), len(set), strings.Join(set, ", "))
	}
	delete(body, "id")
	delete(body, "created_at")
	delete(body, "updated_at")
	return body, nil
}

// partialFromAPI puts the API's partial under the attribute of its type.
func partialFromAPI(data map[string]any) map[string]any {
	out := map[string]any{"id": data["id"]}
	typ, _ := data["type"].(string)
	for _, v := range partialVariants {
		if v.apiType == typ {
			inner := make(map[string]any, len(data))
			for k, x := range data {
				if k != "type" {
					inner[k] = x
				}
			}
			for _, p := range v.jsonText {
				if value := getPath(inner, p); value != nil {
					text, err := json.Marshal(value)
					if err == nil {
						setPath(inner, p, string(text))
					}
				}
			}
			out[v.attr] = inner
		}
	}
	return out
}

// getPath and setPath read and write a dotted path in nested objects.
func getPath(m map[string]any, path string) any {
	var v any = m
	for _, p := range strings.Split(path, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = obj[p]
	}
	return v
}

func setPath(m map[string]any, path string, value any) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			return
		}
		m = next
	}
	m[parts[len(parts)-1]] = value
}

// sensitiveName matches the fields that hold credentials.
var sensitiveName = regexp.MustCompile(`password|secret|_key|token|header_value|param_value|service_account_json`)

func partialAttributes() map[string]schema.Attribute {
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			Optional: true, Computed: true,
			MarkdownDescription: "The partial's id, a UUID. Chosen by the provider when not set; setting it creates the partial under that id.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplaceIfConfigured()},
		},
	}
	for _, v := range partialVariants {
		s := specSchema(v.schemaName)
		entity := v.apiType + " partial"
		o := fieldOptions{skip: []string{"type", "id"}, jsonText: v.jsonText}
		describePartialFields(entity, v, s, "", &o)
		inner := objectAttributes(s, entity, "", o)
		inner["id"] = schema.StringAttribute{Computed: true, MarkdownDescription: "The partial's id.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}}
		dropImpliedObjectDefaults(inner, s)
		attrs[v.attr] = schema.SingleNestedAttribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("A partial of type `%s`. Exactly one of %s is set; changing which creates the partial anew.",
				v.apiType, partialAttrList()),
			Attributes: inner,
			PlanModifiers: []planmodifier.Object{objectplanmodifier.RequiresReplaceIf(
				func(_ context.Context, req planmodifier.ObjectRequest, resp *objectplanmodifier.RequiresReplaceIfFuncResponse) {
					resp.RequiresReplace = req.StateValue.IsNull() != req.PlanValue.IsNull() // the type changes
				}, "A partial's type cannot change.", "A partial's type cannot change.")},
		}
	}
	return attrs
}

// describePartialFields registers a description for each field of a partial type that has
// none: the source plugin field's description where there is one, otherwise one derived from
// the field's place. It also lists the credential fields as sensitive.
func describePartialFields(entity string, v partialVariant, s *openapi3.Schema, prefix string, o *fieldOptions) {
	for name, ref := range s.Properties {
		p := prefix + name
		if ref.Value == nil || slices.Contains(o.skip, p) {
			continue
		}
		if sensitiveName.MatchString(name) && typeOf(ref.Value) == "string" {
			o.sensitive = append(o.sensitive, p)
		}
		key := entity + "." + p
		if _, ok := fieldDescriptions[key]; !ok && strings.TrimSpace(ref.Value.Description) == "" {
			fieldDescriptions[key] = partialFieldDescription(v, p)
		}
		inner := ref.Value
		if typeOf(inner) == "array" && inner.Items != nil && inner.Items.Value != nil {
			inner = inner.Items.Value
		}
		if len(inner.Properties) > 0 {
			describePartialFields(entity, v, inner, p+".", o)
		}
	}
}

func partialFieldDescription(v partialVariant, path string) string {
	switch path {
	case "config":
		return "The partial's settings, which stand in for the plugin's own at the partial's path."
	case "name":
		return "The partial's name, unique in the control plane; plugins may name the partial by it."
	case "tags":
		return "Tags of the partial, to filter lists by."
	case "created_at":
		return "Unix epoch when the partial was created."
	case "updated_at":
		return "Unix epoch when the partial was last updated."
	}
	if rel, ok := strings.CutPrefix(path, "config."); ok && v.sourcePlugin != "" {
		if p, found := pluginschema.Lookup(v.sourcePlugin); found {
			if f := p.ConfigField(v.sourceField + "." + rel); f != nil && f.Description != "" {
				return f.Description
			}
		}
	}
	i := strings.LastIndex(path, ".")
	if i < 0 {
		return "The `" + path + "` setting of the " + v.apiType + " partial."
	}
	return "The `" + path[i+1:] + "` setting of the partial's `" + path[:i] + "`."
}

// dropImpliedObjectDefaults removes the default the spec schema builder gives a nested object
// made of its fields' defaults: the API leaves an optional object out unless it is given (a
// Redis partial's cloud_authentication), so planning it would never match, and a required
// one is configured anyway.
func dropImpliedObjectDefaults(attrs map[string]schema.Attribute, s *openapi3.Schema) {
	for name, a := range attrs {
		ref, ok := s.Properties[name]
		if !ok || ref.Value == nil {
			continue
		}
		nested, ok := a.(schema.SingleNestedAttribute)
		if !ok {
			continue
		}
		if ref.Value.Default == nil {
			nested.Default = nil
			nested.Computed = false
		}
		dropImpliedObjectDefaults(nested.Attributes, ref.Value)
		attrs[name] = nested
	}
}
