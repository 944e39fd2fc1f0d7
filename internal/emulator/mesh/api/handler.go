// Package api serves the Konnect Mesh API from the project's spec (client/openapi.yaml):
// mesh control planes at /v1/mesh/control-planes, and under each, at .../{cpId}/api/, the
// Kuma resources of package mesh. Requests are checked against the spec with kin-openapi,
// as the /v2 API's are; the data lives in the emulator's store.
package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/mesh"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// PathPrefix starts every path this handler serves.
const PathPrefix = "/v1/mesh/"

// kumaAPIMarker separates a control plane's path from the Kuma API under it.
const kumaAPIMarker = "/api/"

// Server is the mesh API.
type Server struct {
	store    store.Store
	logger   *slog.Logger
	router   routers.Router
	mux      *http.ServeMux
	onChange atomic.Pointer[func(cpID, mesh string)]
	now      func() time.Time
}

var _ ServerInterface = (*Server)(nil)

// NewServer builds the mesh API over st.
func NewServer(st store.Store, logger *slog.Logger) (*Server, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	spec, err := client.GetSpec()
	if err != nil {
		return nil, fmt.Errorf("loading the API spec: %w", err)
	}
	// The spec lists Konnect's hosts; the emulator answers on any address.
	spec.Servers = nil
	for path := range spec.Paths.Map() {
		if !strings.HasPrefix(path, PathPrefix) {
			spec.Paths.Delete(path)
		}
	}
	router, err := gorillamux.NewRouter(spec)
	if err != nil {
		return nil, fmt.Errorf("routing the mesh API: %w", err)
	}
	h := &Server{store: st, logger: logger, router: router, now: func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }}
	h.mux = http.NewServeMux()
	HandlerWithOptions(h, StdHTTPServerOptions{BaseRouter: h.mux, ErrorHandlerFunc: h.paramFailed})
	if err := h.registerResources(h.mux, spec); err != nil {
		return nil, err
	}
	return h, nil
}

// SetOnChange sets the function called after every successful write or delete of a resource in
// a mesh (the mesh itself included), with the control plane and the mesh. Deleting a mesh, or a
// control plane, calls it once for each mesh that went. fn runs on the request's goroutine
// after the write is visible; it must not block for long. nil turns it off.
func (h *Server) SetOnChange(fn func(cpID, mesh string)) {
	if fn == nil {
		h.onChange.Store(nil)
		return
	}
	h.onChange.Store(&fn)
}

// Notify calls the SetOnChange function for each mesh, for changes made to the store outside
// this API (the emulator's reset).
func (h *Server) Notify(refs ...MeshRef) {
	for _, r := range refs {
		h.changed(r.CP, r.Mesh)
	}
}

func (h *Server) changed(cpID string, meshes ...string) {
	if fn := h.onChange.Load(); fn != nil {
		for _, m := range meshes {
			(*fn)(cpID, m)
		}
	}
}

// ServeHTTP finds the operation, answers 404 for a control plane or mesh that does not exist,
// checks the request against the spec, and hands it to its handler.
func (h *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	route, params, err := h.router.FindRoute(r)
	if err != nil {
		h.noRoute(w, r, err)
		return
	}
	kuma := strings.Contains(route.Path, kumaAPIMarker)
	if cp := params["cpId"]; kuma && uuid.Validate(cp) == nil {
		if !h.controlPlaneExists(cp) {
			controlPlaneNotFound(w, r)
			return
		}
		if m, ok := params["mesh"]; ok && !h.meshExists(cp, m) {
			kumaNotFound(w, titleMesh)
			return
		}
	}
	var body []byte
	if r.Body != nil {
		if body, err = io.ReadAll(r.Body); err != nil {
			konnectError(w, r, http.StatusBadRequest, konnectBadRequestType, "cannot read the request body")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	err = openapi3filter.ValidateRequest(r.Context(), &openapi3filter.RequestValidationInput{
		Request: r, PathParams: params, Route: route,
		Options: &openapi3filter.Options{
			MultiError: true,
			// Defaults are the handlers' business; readOnly fields sent back are ignored, as
			// Kuma and Konnect ignore them.
			SkipSettingDefaults:        true,
			ExcludeReadOnlyValidations: true,
			AuthenticationFunc:         openapi3filter.NoopAuthenticationFunc, // checked before
		},
	})
	if err != nil {
		if kuma {
			h.kumaValidationFailed(w, r, err)
		} else {
			h.konnectValidationFailed(w, r, err)
		}
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	h.mux.ServeHTTP(w, r)
}

func (h *Server) noRoute(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, routers.ErrMethodNotAllowed) {
		konnectError(w, r, http.StatusMethodNotAllowed, konnectNotFoundType, "Method Not Allowed")
		return
	}
	if strings.Contains(r.URL.Path, kumaAPIMarker) {
		kumaNotFound(w, titleRetrieve)
		return
	}
	controlPlaneNotFound(w, r)
}

// paramFailed answers parameters the generated router could not bind (the validator has
// checked them already, so this is a fallback).
func (h *Server) paramFailed(w http.ResponseWriter, r *http.Request, err error) {
	field := "parameter"
	var pe *InvalidParamFormatError
	if errors.As(err, &pe) {
		field = pe.ParamName
	}
	konnectError(w, r, http.StatusBadRequest, konnectBadRequestType, "", invalidParam(field, "invalid value", "invalid", client.MeshInvalidParameterSourcePath))
}

func invalidParam(field, reason, rule string, source client.MeshInvalidParameterSource) client.MeshInvalidParameter {
	p := client.MeshInvalidParameter{Field: field, Reason: reason, Source: &source}
	if rule != "" {
		p.Rule = &rule
	}
	return p
}

// registerResources routes every Kuma operation of the spec to the generic resource handler
// of its kind. An operation of the spec that nothing serves is an error, so a path added to the
// spec is never silently unanswered.
func (h *Server) registerResources(mux *http.ServeMux, spec *openapi3.T) error {
	var unserved []string
	for path, item := range spec.Paths.Map() {
		for method, op := range item.Operations() {
			pattern := method + " " + path
			if _, registered := mux.Handler(sampleRequest(method, path)); registered == pattern {
				continue // written by hand
			}
			handler, ok := h.resourceOperation(method, path)
			if !ok {
				unserved = append(unserved, op.OperationID+" ("+pattern+")")
				continue
			}
			mux.Handle(pattern, handler)
		}
	}
	if len(unserved) > 0 {
		return fmt.Errorf("no handler for the mesh API's operations: %s", strings.Join(unserved, ", "))
	}
	return nil
}

// sampleRequest is a request the pattern method+path matches, to ask the mux who serves it.
func sampleRequest(method, path string) *http.Request {
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		if strings.HasPrefix(seg, "{") {
			segs[i] = "x"
		}
	}
	r, _ := http.NewRequest(method, strings.Join(segs, "/"), nil) //nolint:noctx // never sent
	return r
}

// resourceOperation finds the generic handler for a Kuma path of the spec:
// .../api/meshes[/{name}], .../api/meshes/{mesh}/<plural>[/{name}] and
// .../api/meshes/{mesh}/dataplanes/{name}/_policies.
func (h *Server) resourceOperation(method, path string) (http.Handler, bool) {
	_, rest, ok := strings.Cut(path, kumaAPIMarker)
	if !ok {
		return nil, false
	}
	segs := strings.Split(rest, "/")
	if segs[0] != mesh.Meshes.Plural {
		return nil, false
	}
	kind := mesh.Meshes
	item := len(segs) == 2
	if len(segs) >= 3 {
		k, ok := mesh.KindByPlural(segs[2])
		if !ok || !k.MeshScoped {
			return nil, false
		}
		kind, item = k, len(segs) == 4
		if len(segs) == 5 && kind == mesh.Dataplanes && segs[4] == "_policies" && method == http.MethodGet {
			return http.HandlerFunc(h.dataplanePolicies), true
		}
		if len(segs) > 4 {
			return nil, false
		}
	}
	rh := resourceHandler{h: h, kind: kind}
	switch {
	case method == http.MethodGet && !item:
		return http.HandlerFunc(rh.list), true
	case method == http.MethodGet:
		return http.HandlerFunc(rh.get), true
	case method == http.MethodPut && item:
		return http.HandlerFunc(rh.put), true
	case method == http.MethodDelete && item:
		return http.HandlerFunc(rh.delete), true
	}
	return nil, false
}
