package emulator

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
)

// specDefaults holds the top-level field defaults the spec declares for each entity schema, so
// that the spec stays the one place they are written. A schema that is one of several variants
// chosen by a discriminator (Partial, by its type) has its defaults applied from the variant,
// nested objects included, since the variant is the whole of the entity's shape.
type specDefaults struct {
	top      map[string]map[string]any
	variants map[string]*openapi3.Schema // schema name -> the schema with the discriminator
}

func loadDefaults(spec *openapi3.T) (specDefaults, error) {
	out := specDefaults{top: map[string]map[string]any{}, variants: map[string]*openapi3.Schema{}}
	for name, ref := range spec.Components.Schemas {
		if ref.Value == nil {
			continue
		}
		if ref.Value.Discriminator != nil {
			out.variants[name] = ref.Value
			continue
		}
		for prop, p := range ref.Value.Properties {
			if p.Value == nil || p.Value.Default == nil || p.Value.ReadOnly {
				continue
			}
			// Round-trip through JSON so defaults look like decoded request values.
			raw, err := json.Marshal(p.Value.Default)
			if err != nil {
				return specDefaults{}, fmt.Errorf("default of %s.%s: %w", name, prop, err)
			}
			if out.top[name] == nil {
				out.top[name] = map[string]any{}
			}
			out.top[name][prop] = decodeValue(raw)
		}
	}
	return out, nil
}

// apply fills each absent field that has a default. Values are copied per entity.
func (d specDefaults) apply(schema string, e entity) {
	if s, ok := d.variants[schema]; ok {
		if variant := variantOf(s, e); variant != nil {
			fillDefaults(variant, e)
		}
		return
	}
	for k, v := range d.top[schema] {
		if _, set := e[k]; !set {
			e[k] = cloneValue(v)
		}
	}
}

// variantOf is the variant schema the entity's discriminator value names, or nil.
func variantOf(s *openapi3.Schema, e entity) *openapi3.Schema {
	value, _ := e[s.Discriminator.PropertyName].(string)
	ref, ok := s.Discriminator.Mapping[value]
	if !ok {
		return nil
	}
	for _, v := range s.OneOf {
		if v.Ref == ref.Ref && v.Value != nil {
			return v.Value
		}
	}
	return nil
}

// fillDefaults fills an object's absent fields that have a default, and goes into nested
// objects that are given or required (a required object is created to hold its defaults).
func fillDefaults(s *openapi3.Schema, obj map[string]any) {
	for name, ref := range s.Properties {
		p := ref.Value
		if p == nil || p.ReadOnly {
			continue
		}
		v, set := obj[name]
		switch {
		case !set && p.Default != nil:
			raw, err := json.Marshal(p.Default)
			if err == nil {
				obj[name] = decodeValue(raw)
			}
		case p.Type.Is(openapi3.TypeObject) && len(p.Properties) > 0:
			nested, isObject := v.(map[string]any)
			if !set && slices.Contains(s.Required, name) {
				nested, isObject = map[string]any{}, true
				obj[name] = nested
			}
			if isObject {
				fillDefaults(p, nested)
			}
		}
	}
}

func decodeValue(raw []byte) any {
	var e map[string]any
	wrapped := append(append([]byte(`{"v":`), raw...), '}')
	ent := domain.Decode(wrapped)
	e = ent
	return e["v"]
}

func cloneValue(v any) any {
	switch tv := v.(type) {
	case []any:
		out := make([]any, len(tv))
		for i, x := range tv {
			out[i] = cloneValue(x)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(tv))
		for k, x := range tv {
			out[k] = cloneValue(x)
		}
		return out
	default:
		return v
	}
}
