package emulator

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	middleware "github.com/oapi-codegen/nethttp-middleware"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/declarative"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/identity"
	meshapi "github.com/openkonnect/terraform-provider-konnect/internal/emulator/mesh/api"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/oidcprovider"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/specschema"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// maxBodyBytes bounds a request body; larger ones get 413 before anything is parsed.
const maxBodyBytes = 1 << 20

// Server is the emulator's Konnect API: the generated router over handlers that keep their
// state in a store.Store.
type Server struct {
	store    store.Store
	entities *domain.Entities
	defaults specDefaults
	tokens   []tokenHash
	identity *identity.API
	logger   *slog.Logger
	faults   *faultInjector
	filters  *filterCatalog
	// shorthands finds the requests whose body has shorthand fields to expand.
	shorthands *shorthandRoutes
	handler    http.Handler
	requests   atomic.Uint64
	// declarative loads declarative files (--config, POST /config).
	declarative *declarative.Loader
}

var _ ServerInterface = (*Server)(nil)

// tokenHash is how an accepted token is kept: its SHA-256, never the token itself. Tokens are
// long random strings, so a fast hash is enough; a presented token is hashed and compared with
// each hash in constant time.
type tokenHash [sha256.Size]byte

// newServer builds the API over st, accepting the given bearer tokens.
func newServer(st store.Store, tokens []string, logger *slog.Logger) (*Server, error) {
	spec, err := client.GetSpec()
	if err != nil {
		return nil, fmt.Errorf("loading the API spec: %w", err)
	}
	defaults, err := loadDefaults(spec)
	if err != nil {
		return nil, err
	}
	s := &Server{store: st, entities: &domain.Entities{Defaults: defaults.apply}, defaults: defaults, logger: logger, faults: &faultInjector{},
		shorthands: newShorthandRoutes(spec)}
	s.declarative = newDeclarativeLoader(st, s.entities, spec)
	for _, t := range tokens {
		s.tokens = append(s.tokens, sha256.Sum256([]byte(t)))
	}
	s.identity = identity.NewAPI(st, tokens, logger)
	// The spec lists Konnect's hosts; the emulator answers on any address.
	spec.Servers = nil
	// The mesh API has a handler of its own (serveOtherAPI); this server answers the rest.
	dropPaths(spec, meshapi.PathPrefix)
	if s.filters, err = newFilterCatalog(spec); err != nil {
		return nil, err
	}
	validator := middleware.OapiRequestValidatorWithOptions(spec, &middleware.Options{
		DoNotValidateServers:  true,
		SilenceServersWarning: true,
		Options: openapi3filter.Options{
			MultiError: true,
			// Defaults are the handlers' business: kind rules first, then the spec's.
			SkipSettingDefaults: true,
			AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc, // checked before validation
		},
		ErrorHandlerWithOpts: s.validationFailed,
	})
	mux := http.NewServeMux()
	api := HandlerWithOptions(s, StdHTTPServerOptions{
		BaseRouter:       mux,
		ErrorHandlerFunc: s.paramFailed,
	})
	s.identity.Register(mux, s.paramFailed)
	if err := s.registerEntityOperations(mux, spec); err != nil {
		return nil, err
	}
	s.handler = s.recoverPanics(s.logRequests(s.authenticate(s.authorize(s.injectFaults(s.limitBody(s.checkFilters(s.expandShorthands(validator(api)))))))))
	return s, nil
}

// dropPaths removes from spec every path that starts with prefix.
func dropPaths(spec *openapi3.T, prefix string) {
	for path := range spec.Paths.Map() {
		if strings.HasPrefix(path, prefix) {
			spec.Paths.Delete(path)
		}
	}
}

// serveOtherAPI puts another API of the emulator (the mesh API) behind the same request ids,
// logging, token, permissions, faults and body limit as this one.
func (s *Server) serveOtherAPI(next http.Handler) http.Handler {
	return s.recoverPanics(s.logRequests(s.authenticate(s.authorize(s.injectFaults(s.limitBody(next))))))
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// requestID returns the id the logging middleware gave the request.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Kong-Request-Id"); id != "" {
		return id
	}
	return "0"
}

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.requests.Add(1)
		id := strconv.FormatUint(n, 10)
		r.Header.Set("X-Kong-Request-Id", id)
		w.Header().Set("X-Kong-Request-Id", id)
		if !s.logger.Enabled(r.Context(), slog.LevelDebug) {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		s.logger.DebugContext(r.Context(), "api request", "method", r.Method, "path", r.URL.Path,
			"status", rec.status, "duration", time.Since(start), "request_id", id)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler { //nolint:errorlint // the sentinel is compared by identity, as net/http does
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
	s.logger.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "error", err)
	writeProblem(w, newProblem(r, http.StatusInternalServerError, "internal error"))
}

// authenticateStartup requires Authorization: Bearer <a start-up token>: the emulator's own
// endpoints are for whoever runs it, not for system accounts.
func (s *Server) authenticateStartup(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.authorized(r.Header.Get("Authorization")) {
			next.ServeHTTP(w, r)
			return
		}
		s.unauthenticated(w, r)
	})
}

func (s *Server) authorized(header string) bool {
	token, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || token == "" {
		return false
	}
	presented := sha256.Sum256([]byte(token))
	match := 0
	for _, accepted := range s.tokens {
		match |= subtle.ConstantTimeCompare(accepted[:], presented[:])
	}
	return match == 1
}

// openEmulatorPaths are the emulator's own endpoints that need no token: the health check, and
// the echo upstream, which the gateway calls with its clients' headers, not with an API token.
// The OpenID provider's protocol endpoints are open too (oidcprovider.IsProtocolPath): OIDC
// clients and gateways call them with their own credentials.
var openEmulatorPaths = []string{"/_emulator/health", "/_emulator/echo"}

// guardEmulator puts the emulator's own endpoints (/_emulator/...) behind the API's token and
// body limit; any endpoint added there later is guarded too unless listed as open. The API
// itself goes through its own chain.
func (s *Server) guardEmulator(next http.Handler) http.Handler {
	guarded := s.authenticateStartup(s.limitBody(next))
	open := s.limitBody(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := path.Clean("/" + r.URL.Path)
		switch {
		case p != "/_emulator" && !strings.HasPrefix(p, "/_emulator/"):
			next.ServeHTTP(w, r)
		case slices.ContainsFunc(openEmulatorPaths, func(o string) bool { return p == o || strings.HasPrefix(p, o+"/") }),
			oidcprovider.IsProtocolPath(p):
			open.ServeHTTP(w, r)
		default:
			guarded.ServeHTTP(w, r)
		}
	})
}

// limitBody reads a request body whole, up to maxBodyBytes, before anything parses it: a larger
// one (announced or not) gets 413, and a client too slow to send it gets 408.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
			next.ServeHTTP(w, r)
			return
		}
		if r.ContentLength > maxBodyBytes {
			s.bodyRefused(w, r, http.StatusRequestEntityTooLarge, "request body too large")
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
		var tooLarge *http.MaxBytesError
		var netErr net.Error
		switch {
		case errors.As(err, &tooLarge):
			s.bodyRefused(w, r, http.StatusRequestEntityTooLarge, "request body too large")
			return
		case errors.As(err, &netErr) && netErr.Timeout():
			w.Header().Set("Connection", "close")
			s.bodyRefused(w, r, http.StatusRequestTimeout, "request body not received in time")
			return
		case err != nil:
			s.bodyRefused(w, r, http.StatusBadRequest, "cannot read the request body")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// bodyRefused answers a body that cannot be taken, in the format of the path's API.
func (s *Server) bodyRefused(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if isControlPlanePath(r.URL.Path) {
		writeProblem(w, newProblem(r, status, msg))
		return
	}
	writeAPIError(w, newAPIError(status, codeInvalidArgument, msg))
}

// paramFailed answers path and query parameters the generated router could not bind.
func (s *Server) paramFailed(w http.ResponseWriter, r *http.Request, err error) {
	field := "parameter"
	var pe *InvalidParamFormatError
	if errors.As(err, &pe) {
		field = pe.ParamName
	}
	msg := "invalid value"
	if field == "controlPlaneId" {
		msg = "expected a valid UUID"
	}
	s.badRequest(w, r, []fieldProblem{{field: field, message: msg}})
}

type fieldProblem struct {
	field   string
	message string
	rule    string
}

// badRequest answers field problems in the format of the API the path belongs to.
func (s *Server) badRequest(w http.ResponseWriter, r *http.Request, problems []fieldProblem) {
	if isControlPlanePath(r.URL.Path) {
		params := make([]client.InvalidParameter, 0, len(problems))
		for _, p := range problems {
			ip := client.InvalidParameter{Field: p.field, Reason: p.message, Source: ptr("body")}
			if p.rule != "" {
				rule := client.InvalidParameterRule(p.rule)
				ip.Rule = &rule
			}
			params = append(params, ip)
		}
		writeProblem(w, newProblem(r, http.StatusBadRequest, "bad request", params...))
		return
	}
	details := make([]client.CoreEntityErrorDetail, 0, len(problems))
	for _, p := range problems {
		if p.field == "" {
			details = append(details, detail(detailEntity, "", p.message))
		} else {
			details = append(details, detail(detailField, p.field, p.message))
		}
	}
	writeAPIError(w, validationError(details...))
}

// validationFailed turns the spec validator's findings into the API's 400 answers.
func (s *Server) validationFailed(_ context.Context, err error, w http.ResponseWriter, r *http.Request, opts middleware.ErrorHandlerOpts) {
	if opts.MatchedRoute == nil {
		status := http.StatusNotFound
		msg := "not found"
		if strings.Contains(err.Error(), "method not allowed") {
			status, msg = http.StatusMethodNotAllowed, "method not allowed"
		}
		if isControlPlanePath(r.URL.Path) {
			writeProblem(w, newProblem(r, status, msg))
			return
		}
		writeAPIError(w, newAPIError(status, codeNotFound, msg))
		return
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		writeAPIError(w, newAPIError(http.StatusRequestEntityTooLarge, codeInvalidArgument, "request body too large"))
		return
	}
	var problems []fieldProblem
	var errs []error
	var me openapi3.MultiError
	if errors.As(err, &me) {
		errs = me
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		problems = append(problems, describe(e)...)
	}
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].field < problems[j].field })
	s.badRequest(w, r, problems)
}

// describe explains one validator error in Kong's words, naming the field.
func describe(err error) []fieldProblem {
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		return []fieldProblem{{message: err.Error()}}
	}
	if re.Parameter != nil {
		return []fieldProblem{{field: re.Parameter.Name, message: paramMessage(re), rule: "invalid"}}
	}
	var inner []error
	var me openapi3.MultiError
	if errors.As(re.Err, &me) {
		inner = me
	} else {
		inner = []error{re.Err}
	}
	var out []fieldProblem
	for _, e := range inner {
		var se *openapi3.SchemaError
		if !errors.As(e, &se) {
			var pe *openapi3filter.ParseError
			if errors.As(e, &pe) || re.Err == nil {
				out = append(out, fieldProblem{message: "cannot parse JSON body", rule: "invalid"})
			} else {
				out = append(out, fieldProblem{message: firstLine(e.Error()), rule: "invalid"})
			}
			continue
		}
		out = append(out, schemaProblem(se))
	}
	if len(out) == 0 {
		out = append(out, fieldProblem{message: firstLine(re.Error()), rule: "invalid"})
	}
	return out
}

func paramMessage(re *openapi3filter.RequestError) string {
	var se *openapi3.SchemaError
	if errors.As(re.Err, &se) {
		return schemaProblem(se).message
	}
	if re.Reason != "" {
		return re.Reason
	}
	return "invalid value"
}

// schemaProblem words a schema error as Kong does (specschema, shared with the Admin API).
func schemaProblem(se *openapi3.SchemaError) fieldProblem {
	p := specschema.Describe(se)
	return fieldProblem{field: p.Field, message: p.Message, rule: p.Rule}
}

func firstLine(s string) string { return specschema.FirstLine(s) }

// decodeStrict decodes a request body into v, refusing unknown fields.
func decodeStrict(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
