// Package adminapi is the Kong Gateway Admin API (the self-managed :8001 API) of the emulator's
// default control plane: a second rendering, beside the Konnect API, of the same domain rules
// over the same store, so what one API writes the other shows. It reads JSON and form bodies,
// addresses entities by id or endpoint key, pages as Kong does, answers Kong's error bodies, and
// enforces Kong Enterprise's RBAC when asked to.
package adminapi

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// Options configures the Admin API.
type Options struct {
	Store    store.Store
	Entities *domain.Entities // the domain's rules, with the spec's defaults
	// ControlPlane is the id of the control plane the Admin API serves (the default one; it
	// changes when the emulator is reset).
	ControlPlane func() string
	// Spec holds the entity schemas (client/openapi.yaml): form values get their types from
	// them and bodies are checked against them.
	Spec *openapi3.T
	// Shorthands expand shorthand fields before validation (a service's url), by schema name.
	Shorthands map[string]func(domain.Entity)
	// RBAC is Kong Enterprise's access control of the Admin API.
	RBAC RBACOptions
	// Config, when set, serves POST /config (a declarative configuration loader); without it
	// the endpoint answers as Kong does with a database.
	Config http.Handler
	Logger *slog.Logger
	// NodeID and Hostname are shown by GET /.
	NodeID   string
	Hostname string
	// ProxyURL and AdminURL are the listeners GET / reports.
	ProxyURL string
}

// Server is a running Admin API handler.
type Server struct {
	opts    Options
	rbac    *rbac
	config  atomic.Pointer[http.Handler]
	mux     *http.ServeMux
	handler http.Handler
	// served counts requests, for /status.
	served atomic.Uint64
}

// New builds the Admin API.
func New(opts Options) (*Server, error) {
	if opts.Store == nil || opts.Entities == nil || opts.ControlPlane == nil {
		return nil, fmt.Errorf("admin API: store, entities and control plane are required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	r, err := newRBAC(opts.RBAC)
	if err != nil {
		return nil, fmt.Errorf("admin API: %w", err)
	}
	// The same rules, but a PATCH that does not give a basic-auth password keeps it.
	entities := *opts.Entities
	entities.KeepStoredHashes = true
	opts.Entities = &entities
	s := &Server{opts: opts, rbac: r, mux: http.NewServeMux()}
	if opts.Config != nil {
		s.SetConfigHandler(opts.Config)
	}
	s.routes()
	s.handler = s.recoverPanics(s.stripWorkspace(s.mux))
	return s, nil
}

// SetConfigHandler installs the handler of POST /config (the declarative loader).
func (s *Server) SetConfigHandler(h http.Handler) { s.config.Store(&h) }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.served.Add(1)
	if !s.opts.Logger.Enabled(r.Context(), slog.LevelDebug) {
		s.handler.ServeHTTP(w, r)
		return
	}
	// One line per request at debug level; never the headers, which carry RBAC tokens.
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	s.handler.ServeHTTP(rec, r)
	s.opts.Logger.DebugContext(r.Context(), "admin api request", "method", r.Method, "path", r.URL.Path,
		"status", rec.status, "duration", time.Since(start))
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// handle registers a route behind RBAC: every route is an endpoint permissions name.
func (s *Server) handle(pattern string, h http.HandlerFunc) {
	s.mux.Handle(pattern, s.authorize(h))
}

// stripWorkspace serves /default/... as /...: the emulator has the one workspace, default. A
// trailing slash is dropped, as Kong's router ignores it (its guides POST to /plugins/).
func (s *Server) stripWorkspace(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if rest, ok := strings.CutPrefix(p, "/"+defaultWorkspace+"/"); ok {
			p = "/" + rest
		}
		if len(p) > 1 {
			p = strings.TrimRight(p, "/")
			if p == "" {
				p = "/"
			}
		}
		if p != r.URL.Path {
			r.URL.Path, r.URL.RawPath = p, ""
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler { //nolint:errorlint // compared by identity, as net/http does
					panic(v)
				}
				s.internalError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// internalError is the last resort; tests treat any 500 as a bug.
func (s *Server) internalError(w http.ResponseWriter, r *http.Request, err error) {
	s.opts.Logger.ErrorContext(r.Context(), "admin API internal error", "method", r.Method, "path", r.URL.Path, "error", err)
	writeError(w, messageError(http.StatusInternalServerError, "An unexpected error occurred"))
}

// fail answers an error from a transaction: Kong's rendering of the domain's errors.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error, e domain.Entity) {
	if ke, ok := renderError(err, e); ok {
		writeError(w, ke)
		return
	}
	s.internalError(w, r, err)
}
