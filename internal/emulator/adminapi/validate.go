package adminapi

import (
	"encoding/json"
	"errors"
	"sort"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/specschema"
)

// schema is the spec's schema of a kind, or nil.
func (s *Server) schema(k *domain.Kind) *openapi3.Schema {
	if s.opts.Spec == nil || s.opts.Spec.Components == nil {
		return nil
	}
	ref := s.opts.Spec.Components.Schemas[k.Schema]
	if ref == nil {
		return nil
	}
	return ref.Value
}

// validate checks an entity against its kind's spec schema, as the Konnect API's request
// validation does, and reports what is wrong as the domain's schema violation.
func (s *Server) validate(k *domain.Kind, e domain.Entity) error {
	schema := s.schema(k)
	if schema == nil {
		return nil
	}
	// Validate a JSON round trip: the schema checker wants plain decoded JSON, and the
	// timestamps are the server's.
	raw, err := json.Marshal(e)
	if err != nil {
		return &domain.SchemaViolation{Kind: k.Name, Fields: []domain.FieldError{{Message: "cannot encode entity"}}}
	}
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		return &domain.SchemaViolation{Kind: k.Name, Fields: []domain.FieldError{{Message: "cannot encode entity"}}}
	}
	delete(v, "created_at")
	delete(v, "updated_at")
	for f, x := range v {
		if x == nil {
			delete(v, f)
		}
	}
	err = schema.VisitJSON(v, openapi3.MultiErrors(), openapi3.VisitAsRequest())
	if err == nil {
		return nil
	}
	errs := flatten(err)
	violation := &domain.SchemaViolation{Kind: k.Name}
	for _, one := range errs {
		var se *openapi3.SchemaError
		if !errors.As(one, &se) {
			violation.Fields = append(violation.Fields, domain.FieldError{Message: specschema.FirstLine(one.Error())})
			continue
		}
		p := specschema.Describe(se)
		violation.Fields = append(violation.Fields, domain.FieldError{Field: p.Field, Message: p.Message})
	}
	sort.SliceStable(violation.Fields, func(i, j int) bool { return violation.Fields[i].Field < violation.Fields[j].Field })
	return violation
}

// flatten lists the findings of a (possibly nested) multi-error.
func flatten(err error) []error {
	var me openapi3.MultiError
	if !errors.As(err, &me) {
		return []error{err}
	}
	var out []error
	for _, e := range me {
		out = append(out, flatten(e)...)
	}
	return out
}
