// Package specschema words the findings of the spec's JSON-schema validation (kin-openapi) as
// Kong words its schema violations, for every API the emulator renders: the Konnect API and
// the Kong Admin API name the same field with the same message.
package specschema

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Problem is one schema finding: the field path (dots, and [i] for positions from 0), Kong's
// message, and the rule broken (for Konnect's invalid_parameters).
type Problem struct {
	Field   string
	Message string
	Rule    string
}

var (
	reUnsupported = regexp.MustCompile(`property "([^"]+)" is unsupported`)
	reMissing     = regexp.MustCompile(`property "([^"]+)" is missing`)
)

// Describe words a schema error as Kong does ("expected an integer", "unknown field"...).
func Describe(se *openapi3.SchemaError) Problem {
	path := se.JSONPointer()
	p := Problem{Field: JoinPath(path), Message: FirstLine(se.Reason)}
	switch se.SchemaField {
	case "discriminator":
		// The field that picks the variant (a partial's type): named, with its values.
		if d := se.Schema.Discriminator; d != nil {
			p.Field = JoinPath(append(path, d.PropertyName))
			p.Message, p.Rule = "expected one of: "+strings.Join(slices.Sorted(maps.Keys(d.Mapping)), ", "), "enum"
			if se.Value == nil { // absent (kin-openapi reports no value)
				p.Message, p.Rule = "required field missing", "required"
			}
		}
	case "properties", "additionalProperties":
		// kin-openapi points at the object and names the extra property in the reason.
		if m := reUnsupported.FindStringSubmatch(se.Reason); m != nil {
			p.Field = JoinPath(append(path, m[1]))
			p.Message, p.Rule = "unknown field", "unknown_property"
		}
	case "required":
		// Here the pointer already ends with the missing property.
		if m := reMissing.FindStringSubmatch(se.Reason); m != nil && (len(path) == 0 || path[len(path)-1] != m[1]) {
			p.Field = JoinPath(append(path, m[1]))
		}
		p.Message, p.Rule = "required field missing", "required"
	case "type":
		p.Message, p.Rule = "expected "+article(se.Schema.Type.Slice()), "type"
	case "enum":
		vals := make([]string, 0, len(se.Schema.Enum))
		for _, v := range se.Schema.Enum {
			vals = append(vals, fmt.Sprint(v))
		}
		p.Message, p.Rule = "expected one of: "+strings.Join(vals, ", "), "enum"
	case "minimum", "maximum":
		lo, hi := se.Schema.Min, se.Schema.Max
		switch {
		case lo != nil && hi != nil:
			p.Message = fmt.Sprintf("value should be between %s and %s", num(*lo), num(*hi))
		case lo != nil:
			p.Message = "value must be at least " + num(*lo)
		case hi != nil:
			p.Message = "value must be at most " + num(*hi)
		}
		p.Rule = "invalid"
	case "minLength":
		p.Message, p.Rule = fmt.Sprintf("length must be at least %d", se.Schema.MinLength), "min_length"
	case "maxLength":
		p.Message, p.Rule = fmt.Sprintf("length must be at most %d", *se.Schema.MaxLength), "max_length"
	case "format":
		p.Message, p.Rule = "invalid value: "+FirstLine(se.Reason), "invalid"
	}
	return p
}

// JoinPath writes a JSON pointer's parts as a field path: "paths[0]", "service.id".
func JoinPath(parts []string) string {
	var b strings.Builder
	for i, part := range parts {
		if _, err := strconv.Atoi(part); err == nil && i > 0 {
			b.WriteString("[" + part + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(part)
	}
	return b.String()
}

// FirstLine is a message's first line (kin-openapi appends the schema and value).
func FirstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func article(types []string) string {
	if len(types) == 0 {
		return "a value"
	}
	switch types[0] {
	case "object":
		return "a record"
	case "integer", "array":
		return "an " + types[0]
	default:
		return "a " + types[0]
	}
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
