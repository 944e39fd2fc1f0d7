package emulator

// One generic handler serves every core-entity operation of the spec: its table, from
// operation to entity kind and parent, is read from client/openapi.yaml's paths at start.
// Operations with answers of their own (control planes, the consumer group wrapper, group
// membership) are generated from the same spec (oapi-codegen.yaml) and written by hand.

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
)

// coreEntitiesPrefix starts every core-entity path of the spec.
const coreEntitiesPrefix = "/v2/control-planes/{controlPlaneId}/core-entities/"

// collectionKinds names the kinds whose collection path is not their store name: Konnect's
// read-only lists of every consumer's credentials.
var collectionKinds = map[string]*domain.Kind{
	"key-auths":   domain.KeyAuth,
	"basic-auths": domain.BasicAuth,
	"jwts":        domain.JWT,
	"hmac-auths":  domain.HMACAuth,
}

// kindOfCollection finds the kind a collection path segment holds.
func kindOfCollection(segment string) (*domain.Kind, bool) {
	if k, ok := collectionKinds[segment]; ok {
		return k, true
	}
	return domain.ByName(segment)
}

type entityAction int

const (
	actionList entityAction = iota
	actionCreate
	actionGet
	actionUpsert
	actionDelete
)

// entityOperation is one row of the table: what an operation does, to which kind, under
// which parent, with which path parameters.
type entityOperation struct {
	id          string // the spec's operationId, for messages
	action      entityAction
	kind        *domain.Kind
	parent      *domain.Kind // nil for a top-level path
	parentField string       // the kind's reference to the parent
	parentParam string       // the path parameter naming the parent
	idParam     string       // the path parameter naming the entity
}

// entityOperationOf reads an operation's row from its path and method; false when the
// operation is not a plain entity operation.
func entityOperationOf(method, path string, op *openapi3.Operation) (entityOperation, bool) {
	rest, ok := strings.CutPrefix(path, coreEntitiesPrefix)
	if !ok {
		return entityOperation{}, false
	}
	segs := strings.Split(rest, "/")
	eo := entityOperation{id: op.OperationID}
	if len(segs) >= 3 {
		parent, ok := kindOfCollection(segs[0])
		if !ok || !isParam(segs[1]) {
			return entityOperation{}, false
		}
		eo.parent, eo.parentParam = parent, paramName(segs[1])
		segs = segs[2:]
	}
	kind, ok := kindOfCollection(segs[0])
	if !ok {
		return entityOperation{}, false
	}
	eo.kind = kind
	if eo.parent != nil {
		ref, ok := kind.RefTo(eo.parent.Name)
		if !ok {
			return entityOperation{}, false
		}
		eo.parentField = ref.Field
	}
	item := len(segs) == 2
	switch {
	case len(segs) > 2 || item && !isParam(segs[1]):
		return entityOperation{}, false
	case item:
		eo.idParam = paramName(segs[1])
	}
	switch {
	case method == http.MethodGet && !item:
		eo.action = actionList
	case method == http.MethodPost && !item:
		eo.action = actionCreate
	case method == http.MethodGet:
		eo.action = actionGet
	case method == http.MethodPut && item:
		eo.action = actionUpsert
	case method == http.MethodDelete && item:
		eo.action = actionDelete
	default:
		return entityOperation{}, false
	}
	return eo, true
}

func isParam(seg string) bool { return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") }

func paramName(seg string) string { return strings.TrimSuffix(strings.TrimPrefix(seg, "{"), "}") }

// registerEntityOperations routes every operation of the spec that the generated router
// (mux, already filled) does not serve to the generic handler. An operation neither serves
// is an error, so a path added to the spec is never silently unanswered.
func (s *Server) registerEntityOperations(mux *http.ServeMux, spec *openapi3.T) error {
	var unserved []string
	for path, item := range spec.Paths.Map() {
		for method, op := range item.Operations() {
			pattern := method + " " + path
			if _, registered := mux.Handler(sampleRequest(method, path)); registered == pattern {
				continue // written by hand
			}
			eo, ok := entityOperationOf(method, path, op)
			if !ok {
				unserved = append(unserved, op.OperationID+" ("+pattern+")")
				continue
			}
			mux.Handle(pattern, s.serveEntityOperation(eo))
		}
	}
	if len(unserved) > 0 {
		sort.Strings(unserved)
		return fmt.Errorf("no handler for the spec's operations: %s", strings.Join(unserved, ", "))
	}
	return nil
}

// sampleRequest is a request the pattern method+path matches, to ask the mux who serves it.
func sampleRequest(method, path string) *http.Request {
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		if isParam(seg) {
			segs[i] = "x"
		}
	}
	r, _ := http.NewRequestWithContext(context.Background(), method, strings.Join(segs, "/"), nil)
	return r
}

// serveEntityOperation is the generic handler of one operation.
func (s *Server) serveEntityOperation(eo entityOperation) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cp := r.PathValue("controlPlaneId")
		if err := uuid.Validate(cp); err != nil {
			s.paramFailed(w, r, &InvalidParamFormatError{ParamName: "controlPlaneId", Err: err})
			return
		}
		var parent *domain.Parent
		if eo.parent != nil {
			parent = &domain.Parent{Kind: eo.parent, Field: eo.parentField, ID: r.PathValue(eo.parentParam)}
		}
		id := ""
		if eo.idParam != "" {
			id = r.PathValue(eo.idParam)
		}
		switch eo.action {
		case actionList:
			s.listEntities(w, r, cp, eo.kind, parent)
		case actionCreate:
			s.writeEntity(w, r, cp, eo.kind, parent, "")
		case actionGet:
			s.getEntity(w, r, cp, eo.kind, parent, id)
		case actionUpsert:
			s.writeEntity(w, r, cp, eo.kind, parent, id)
		case actionDelete:
			s.deleteEntity(w, r, cp, eo.kind, parent, id)
		}
	})
}
