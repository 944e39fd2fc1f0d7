package emulator

// Declarative configuration (Kong's DB-less kong.yml, decK's files): loaded at start into the
// default control plane (Options.DeclarativeConfig, the command's --config) and served as
// Kong's POST /config for the Admin API to mount.

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/declarative"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// entityChecker checks an entity against the request schema the API validates its kind's
// creates with, so a declarative file is held to the same rules as the API.
type entityChecker struct {
	schemas map[string]*openapi3.Schema // by kind name
}

// newEntityChecker reads, for each kind, the request body schema of its create operation: the
// top-level one, or else one nested under a parent.
func newEntityChecker(spec *openapi3.T) *entityChecker {
	c := &entityChecker{schemas: map[string]*openapi3.Schema{}}
	nested := map[string]*openapi3.Schema{}
	for path, item := range spec.Paths.Map() {
		for method, op := range item.Operations() {
			eo, ok := entityOperationOf(method, path, op)
			if !ok || eo.action != actionCreate || op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			media := op.RequestBody.Value.Content.Get("application/json")
			if media == nil || media.Schema == nil || media.Schema.Value == nil {
				continue
			}
			if eo.parent == nil {
				c.schemas[eo.kind.Name] = media.Schema.Value
			} else {
				nested[eo.kind.Name] = media.Schema.Value
			}
		}
	}
	for kind, s := range nested {
		if _, ok := c.schemas[kind]; !ok {
			c.schemas[kind] = s
		}
	}
	return c
}

// check words what the schema finds wrong as the API's 400 would.
func (c *entityChecker) check(k *domain.Kind, e domain.Entity) []domain.FieldError {
	s, ok := c.schemas[k.Name]
	if !ok {
		return nil
	}
	err := s.VisitJSON(e, openapi3.MultiErrors())
	if err == nil {
		return nil
	}
	var errs []error
	var me openapi3.MultiError
	if errors.As(err, &me) {
		errs = me
	} else {
		errs = []error{err}
	}
	var out []domain.FieldError
	for _, one := range errs {
		var se *openapi3.SchemaError
		if !errors.As(one, &se) {
			out = append(out, domain.FieldError{Message: firstLine(one.Error())})
			continue
		}
		p := schemaProblem(se)
		out = append(out, domain.FieldError{Field: p.field, Message: p.message})
	}
	return out
}

// expandShorthand applies the shorthand fields of the kind's schema (a service's url).
func expandShorthand(k *domain.Kind, e domain.Entity) {
	if expand, ok := shorthands[k.Schema]; ok {
		expand(e)
	}
}

// LoadDeclarativeConfig replaces a control plane's configuration (by id or name) with a
// declarative file, YAML or JSON, as decK writes it (its _konnect and _info keys included).
// An invalid file is a *declarative.Error and changes nothing.
func (e *Emulator) LoadDeclarativeConfig(controlPlane string, data []byte) (*declarative.Result, error) {
	info, ok := e.ControlPlane(controlPlane)
	if !ok {
		return nil, fmt.Errorf("no control plane %q", controlPlane)
	}
	return e.api.declarative.LoadDeck(info.ID, info.Name, data)
}

// DeclarativeConfigHandler serves Kong's DB-less POST /config for a control plane, by id or
// name (resolved on each request, so "default" follows a reset), for the Admin API to mount.
func (e *Emulator) DeclarativeConfigHandler(controlPlane string) http.Handler {
	return &declarative.Handler{
		Loader: e.api.declarative,
		Logger: e.api.logger,
		ControlPlane: func() (string, error) {
			info, ok := e.ControlPlane(controlPlane)
			if !ok {
				return "", fmt.Errorf("no control plane %q", controlPlane)
			}
			return info.ID, nil
		},
	}
}

// newDeclarativeLoader loads files through the same domain rules, spec checks and shorthands
// as the API's writes.
func newDeclarativeLoader(st store.Store, entities *domain.Entities, spec *openapi3.T) *declarative.Loader {
	return &declarative.Loader{Store: st, Entities: entities, Check: newEntityChecker(spec).check, Expand: expandShorthand}
}

// loadStartConfig loads a file given at start into the default control plane.
func (s *Server) loadStartConfig(data []byte, name string) error {
	var id string
	_ = s.store.Read(func(tx store.Reader) error {
		if rec, ok := tx.ByUnique("", domain.ControlPlanes, cpNameIndex, DefaultControlPlaneName); ok {
			id = rec.ID
		}
		return nil
	})
	if _, err := s.declarative.LoadDeck(id, DefaultControlPlaneName, data); err != nil {
		return fmt.Errorf("declarative configuration %s: %w", name, err)
	}
	return nil
}
