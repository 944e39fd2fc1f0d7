package api

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/mesh"
)

var reUnsupported = regexp.MustCompile(`property "([^"]+)" is unsupported`)

// finding is one thing the spec validator found, before it is worded for one API or the other.
type finding struct {
	param  *openapi3.Parameter // set for a parameter
	path   []string            // JSON pointer into the body
	schema *openapi3.SchemaError
	err    error
}

func findings(err error) []finding {
	var out []finding
	for _, e := range flatten(err) {
		var re *openapi3filter.RequestError
		if !errors.As(e, &re) {
			out = append(out, finding{err: e})
			continue
		}
		inner := flatten(re.Err)
		if len(inner) == 0 {
			inner = []error{re}
		}
		for _, ie := range inner {
			f := finding{param: re.Parameter, err: ie}
			var se *openapi3.SchemaError
			if errors.As(ie, &se) {
				f.schema, f.path = se, se.JSONPointer()
			}
			out = append(out, f)
		}
	}
	return out
}

func flatten(err error) []error {
	if err == nil {
		return nil
	}
	// Only a MultiError itself is split: errors.As would also unwrap a RequestError around one.
	if me, ok := err.(openapi3.MultiError); ok { //nolint:errorlint // see above
		var out []error
		for _, e := range me {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// kumaValidationFailed words the findings as Kuma does: a list's page parameters as its
// "Invalid page size"/"Invalid offset" answers, a body's problems as the violations of
// "Could not process a resource".
func (h *Server) kumaValidationFailed(w http.ResponseWriter, r *http.Request, err error) {
	var violations mesh.Violations
	for _, f := range findings(err) {
		if f.param != nil {
			switch f.param.Name {
			case "size":
				reason := "Invalid format"
				if n, convErr := strconv.Atoi(r.URL.Query().Get("size")); convErr == nil && n > 1000 {
					reason = fmt.Sprintf("Invalid page size of %d. Maximum page size is 1000", n)
				}
				kumaError(w, http.StatusBadRequest, titleList, "Invalid page size", mesh.Violations{{Field: "size", Reason: reason}})
			case "offset":
				kumaError(w, http.StatusBadRequest, titleList, "Invalid offset", mesh.Violations{{Field: "offset", Reason: "Invalid format"}})
			default:
				kumaError(w, http.StatusBadRequest, titleProcess, "Invalid parameter", mesh.Violations{{Field: f.param.Name, Reason: "Invalid format"}})
			}
			return
		}
		violations = append(violations, kumaViolation(f))
	}
	sort.SliceStable(violations, func(i, j int) bool { return violations[i].Field < violations[j].Field })
	kumaInvalid(w, titleProcess, violations)
}

// kumaViolation words a schema error as Kuma's schema validation does (Kubernetes OpenAPI
// wording, naming the field).
func kumaViolation(f finding) mesh.Violation {
	if f.schema == nil {
		if strings.Contains(f.err.Error(), "value is required but missing") {
			return mesh.Violation{Reason: "request body is required"}
		}
		return mesh.Violation{Reason: "cannot parse the request body as JSON"}
	}
	se := f.schema
	field := kumaPath(f.path)
	v := mesh.Violation{Field: field, Reason: firstLine(se.Reason)}
	switch se.SchemaField {
	case "required":
		v.Reason = field + " in body is required"
	case "properties", "additionalProperties":
		if m := reUnsupported.FindStringSubmatch(se.Reason); m != nil {
			v.Field = kumaPath(append(f.path, m[1]))
			v.Reason = fmt.Sprintf("unknown field %q", m[1])
		}
	case "enum":
		vals := make([]string, 0, len(se.Schema.Enum))
		for _, e := range se.Schema.Enum {
			vals = append(vals, fmt.Sprint(e))
		}
		v.Reason = fmt.Sprintf("%s in body should be one of [%s]", field, strings.Join(vals, " "))
	case "type":
		v.Reason = fmt.Sprintf("%s in body must be of type %s: %q", field, strings.Join(se.Schema.Type.Slice(), ","), jsonType(se.Value))
	case "minimum":
		v.Reason = fmt.Sprintf("%s in body should be greater than or equal to %v", field, *se.Schema.Min)
	case "maximum":
		v.Reason = fmt.Sprintf("%s in body should be less than or equal to %v", field, *se.Schema.Max)
	}
	return v
}

// kumaPath writes a JSON pointer in Kuma's notation: spec.from[0].targetRef.
func kumaPath(ptr []string) string {
	p := mesh.Path("")
	for _, part := range ptr {
		if i, err := strconv.Atoi(part); err == nil && p != "" {
			p = p.Index(i)
			continue
		}
		p = p.Field(part)
	}
	return p.String()
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64, int, int64:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// konnectValidationFailed answers as Konnect's own APIs do: 400 problem+json whose
// invalid_parameters carry kin-openapi's reasons, naming the field and where it was.
func (h *Server) konnectValidationFailed(w http.ResponseWriter, r *http.Request, err error) {
	var params []client.MeshInvalidParameter
	for _, f := range findings(err) {
		switch {
		case f.param != nil:
			source := client.MeshInvalidParameterSourceQuery
			if f.param.In == openapi3.ParameterInPath {
				source = client.MeshInvalidParameterSourcePath
			}
			reason := "invalid value"
			if f.schema != nil {
				reason = firstLine(f.schema.Reason)
			}
			params = append(params, invalidParam(f.param.Name, reason, "invalid", source))
		case f.schema != nil:
			params = append(params, konnectBodyParam(f))
		default:
			params = append(params, invalidParam("", "cannot parse the request body as JSON", "invalid", client.MeshInvalidParameterSourceBody))
		}
	}
	sort.SliceStable(params, func(i, j int) bool { return params[i].Field < params[j].Field })
	konnectError(w, r, http.StatusBadRequest, konnectBadRequestType, "", params...)
}

func konnectBodyParam(f finding) client.MeshInvalidParameter {
	se := f.schema
	field, rule := strings.Join(f.path, "."), "invalid"
	switch se.SchemaField {
	case "required":
		rule = "required"
	case "properties", "additionalProperties":
		if m := reUnsupported.FindStringSubmatch(se.Reason); m != nil {
			field, rule = strings.Join(append(f.path, m[1]), "."), "unknown_property"
		}
	case "pattern":
		rule = "matches_regex"
	}
	return invalidParam(field, firstLine(se.Reason), rule, client.MeshInvalidParameterSourceBody)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
