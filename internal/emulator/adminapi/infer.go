package adminapi

import (
	"encoding/json"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/openkonnect/terraform-provider-konnect/internal/pluginschema"
)

// Form values are strings; Kong gives them the types of the schema's fields before it
// validates ("port=8080" is an integer, "enabled=false" a boolean, "paths=/api" a list of one).
// A value that does not convert is left as given, for the validation to refuse in Kong's words.
// An empty value for a field that is not a string means null, as in Kong.

// inferEntity types a form entity with its spec schema; a plugin's config with its plugin's
// schema (plugin names the plugin).
func inferEntity(schema *openapi3.Schema, e map[string]any, plugin string) {
	for name, v := range e {
		if name == "config" && plugin != "" {
			if p, ok := pluginschema.Lookup(plugin); ok {
				if m, ok := v.(map[string]any); ok {
					inferRecord(p.Config, m)
				}
				continue
			}
		}
		if schema == nil {
			continue
		}
		prop := schema.Properties[name]
		if prop == nil || prop.Value == nil {
			continue
		}
		e[name] = inferSpec(prop.Value, v)
	}
}

func inferSpec(s *openapi3.Schema, v any) any {
	switch {
	case s.Type.Is(openapi3.TypeArray):
		list := asList(v)
		if list == nil {
			return v
		}
		if s.Items != nil && s.Items.Value != nil {
			for i, x := range list {
				list[i] = inferSpec(s.Items.Value, x)
			}
		}
		return list
	case s.Type.Is(openapi3.TypeObject):
		m, ok := v.(map[string]any)
		if !ok {
			return emptyAsNull(v)
		}
		for k, x := range m {
			if p := s.Properties[k]; p != nil && p.Value != nil {
				m[k] = inferSpec(p.Value, x)
			} else if s.AdditionalProperties.Schema != nil && s.AdditionalProperties.Schema.Value != nil {
				m[k] = inferSpec(s.AdditionalProperties.Schema.Value, x)
			}
		}
		return m
	case s.Type.Is(openapi3.TypeInteger):
		return scalar(v, pluginschema.TypeInteger)
	case s.Type.Is(openapi3.TypeNumber):
		return scalar(v, pluginschema.TypeNumber)
	case s.Type.Is(openapi3.TypeBoolean):
		return scalar(v, pluginschema.TypeBoolean)
	}
	return v
}

func inferRecord(fields []*pluginschema.Field, m map[string]any) {
	for _, f := range fields {
		if v, ok := m[f.Name]; ok {
			m[f.Name] = inferField(f, v)
		}
	}
}

func inferField(f *pluginschema.Field, v any) any {
	switch f.Type {
	case pluginschema.TypeArray, pluginschema.TypeSet:
		list := asList(v)
		if list == nil {
			return v
		}
		if f.Elements != nil {
			for i, x := range list {
				list[i] = inferField(f.Elements, x)
			}
		}
		return list
	case pluginschema.TypeRecord:
		if m, ok := v.(map[string]any); ok {
			inferRecord(f.Fields, m)
			return m
		}
		return emptyAsNull(v)
	case pluginschema.TypeMap:
		if m, ok := v.(map[string]any); ok && f.Values != nil {
			for k, x := range m {
				m[k] = inferField(f.Values, x)
			}
			return m
		}
		return emptyAsNull(v)
	case pluginschema.TypeInteger, pluginschema.TypeNumber, pluginschema.TypeBoolean:
		return scalar(v, f.Type)
	}
	return v
}

// asList is a form value as a list: a list as it is, one value as a list of one, an empty
// value as an empty list; nil for anything else.
func asList(v any) []any {
	switch tv := v.(type) {
	case []any:
		return tv
	case string:
		if tv == "" {
			return []any{}
		}
		return []any{tv}
	case map[string]any: // positions given as "name[1]" become a map only when sparse
		return nil
	}
	return nil
}

func emptyAsNull(v any) any {
	if s, ok := v.(string); ok && s == "" {
		return nil
	}
	return v
}

// scalar converts a form string to the field's type.
func scalar(v any, t pluginschema.Type) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	if s == "" {
		return nil
	}
	switch t {
	case pluginschema.TypeInteger:
		if _, err := strconv.ParseInt(s, 10, 64); err == nil {
			return json.Number(s)
		}
	case pluginschema.TypeNumber:
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return json.Number(s)
		}
	case pluginschema.TypeBoolean:
		switch s {
		case "true":
			return true
		case "false":
			return false
		}
	}
	return s
}
