package provider

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// Kuma's JSON names fields in camelCase (targetRef, appendPolicies); Kong's providers name
// the attributes in snake_case (target_ref, append_policies). The mapping follows the
// attributes' types, so the keys of maps (labels, tags) are left as they are.

// kumaFieldsToAPI renames the object fields of a JSON value of Terraform type t to camelCase.
func kumaFieldsToAPI(j any, t tftypes.Type) any {
	return renameFields(j, t, snakeToCamel)
}

// kumaFieldsFromAPI gives a JSON value from the API the snake_case field names of type t:
// each attribute takes the field of its camelCase name; other fields are dropped.
func kumaFieldsFromAPI(j any, t tftypes.Type) any {
	switch tt := t.(type) {
	case tftypes.Object:
		m, ok := j.(map[string]any)
		if !ok {
			return j
		}
		out := make(map[string]any, len(tt.AttributeTypes))
		for name, at := range tt.AttributeTypes {
			if v, ok := m[snakeToCamel(name)]; ok {
				out[name] = kumaFieldsFromAPI(v, at)
			}
		}
		return out
	case tftypes.List:
		return mapList(j, func(e any) any { return kumaFieldsFromAPI(e, tt.ElementType) })
	case tftypes.Map:
		return mapMap(j, func(e any) any { return kumaFieldsFromAPI(e, tt.ElementType) })
	}
	return j
}

func renameFields(j any, t tftypes.Type, rename func(string) string) any {
	switch tt := t.(type) {
	case tftypes.Object:
		m, ok := j.(map[string]any)
		if !ok {
			return j
		}
		out := make(map[string]any, len(m))
		for name, v := range m {
			out[rename(name)] = renameFields(v, tt.AttributeTypes[name], rename)
		}
		return out
	case tftypes.List:
		return mapList(j, func(e any) any { return renameFields(e, tt.ElementType, rename) })
	case tftypes.Map:
		return mapMap(j, func(e any) any { return renameFields(e, tt.ElementType, rename) })
	}
	return j
}

func mapList(j any, f func(any) any) any {
	l, ok := j.([]any)
	if !ok {
		return j
	}
	out := make([]any, len(l))
	for i, e := range l {
		out[i] = f(e)
	}
	return out
}

func mapMap(j any, f func(any) any) any {
	m, ok := j.(map[string]any)
	if !ok {
		return j
	}
	out := make(map[string]any, len(m))
	for k, e := range m {
		out[k] = f(e)
	}
	return out
}

// snakeToCamel: append_policies is appendPolicies.
func snakeToCamel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// kumaPathToAttributes turns a field path of Kuma's errors into the attributes' names:
// spec.default.appendPolicies[0].rego is spec.default.append_policies[0].rego. What is inside
// brackets (a label's key) is kept.
func kumaPathToAttributes(p string) string {
	var b strings.Builder
	depth := 0
	for _, r := range p {
		switch {
		case r == '[':
			depth++
		case r == ']':
			depth--
		case depth == 0 && unicode.IsUpper(r):
			b.WriteByte('_')
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// kumaErrorDiagnostic explains a failed call on a Kuma resource in words, the fields Kuma
// names at fault given by their attribute paths.
func kumaErrorDiagnostic(action, kind string, err error, k kumaKey) diag.Diagnostic {
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		renamed := *apiErr
		renamed.Fields = make([]client.FieldError, len(apiErr.Fields))
		for i, f := range apiErr.Fields {
			f.Field = kumaPathToAttributes(f.Field)
			renamed.Fields[i] = f
		}
		err = &renamed
	}
	if client.IsNotFound(err) {
		return diag.NewErrorDiagnostic(
			fmt.Sprintf("Unable to %s %s %s: it or what it belongs to does not exist", action, kind, k.name),
			fmt.Sprintf("The %s %q, or the %s it belongs to, does not exist (404).", kind, k.name, k.where()))
	}
	return apiErrorDiagnostic(action, kind+" "+k.name, err, nil, "")
}
