package emulator

import (
	"encoding/json"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
)

// specDefaults holds the top-level field defaults the spec declares for each entity schema, so
// that the spec stays the one place they are written.
type specDefaults map[string]map[string]any

func loadDefaults(spec *openapi3.T) (specDefaults, error) {
	out := specDefaults{}
	for name, ref := range spec.Components.Schemas {
		if ref.Value == nil {
			continue
		}
		for prop, p := range ref.Value.Properties {
			if p.Value == nil || p.Value.Default == nil || p.Value.ReadOnly {
				continue
			}
			// Round-trip through JSON so defaults look like decoded request values.
			raw, err := json.Marshal(p.Value.Default)
			if err != nil {
				return nil, fmt.Errorf("default of %s.%s: %w", name, prop, err)
			}
			if out[name] == nil {
				out[name] = map[string]any{}
			}
			out[name][prop] = decodeValue(raw)
		}
	}
	return out, nil
}

// apply fills each absent field that has a default. Values are copied per entity.
func (d specDefaults) apply(schema string, e entity) {
	for k, v := range d[schema] {
		if _, set := e[k]; !set {
			e[k] = cloneValue(v)
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
