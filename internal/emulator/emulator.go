// Package emulator is a local Konnect: the Konnect API served from the project's spec
// (client/openapi.yaml) over an in-memory store, for tests and for trying configurations
// without an account.
package emulator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/adminapi"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/dataplane"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/mesh"
	meshapi "github.com/openkonnect/terraform-provider-konnect/internal/emulator/mesh/api"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/oidcprovider"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// DevelopmentToken is accepted when no token is configured; it is printed at start.
const DevelopmentToken = "kpat_emulator_development_token_000000000000000"

// DefaultControlPlaneName is the control plane the emulator creates at start and on reset.
const DefaultControlPlaneName = "default"

// Options configures an emulator.
type Options struct {
	// APIAddr is the API's listen address; "127.0.0.1:0" (the default here) picks a free port.
	APIAddr string
	// ProxyAddr is the default control plane's proxy address; "127.0.0.1:0" by default here.
	ProxyAddr string
	// Tokens are the accepted bearer tokens; empty means DevelopmentToken.
	Tokens []string
	// Logger receives the emulator's logs (one line per request at debug level); nil discards them.
	Logger *slog.Logger
	// Faults, when set, makes a share of API requests fail from the start.
	Faults *Faults
	// Store holds the state; nil means a new in-memory store.
	Store store.Store
	// AdminAddr is the listen address of the Kong Admin API of the default control plane;
	// "127.0.0.1:0" by default here.
	AdminAddr string
	// AdminRBAC is the Admin API's Kong Enterprise RBAC (enforce_rbac, rbac_auth_header and
	// the token of a super admin created at start); off by default.
	AdminRBAC adminapi.RBACOptions
	// AdminConfig, when set, serves POST /config on the Admin API (a declarative loader).
	AdminConfig http.Handler
	// APITimeouts bound how long the API server waits on a client; zero fields take the
	// defaults (DefaultAPITimeouts).
	APITimeouts APITimeouts
	// DeclarativeConfig, when set, is a declarative file (Kong's kong.yml or a decK file, YAML
	// or JSON) loaded into the default control plane at start; an invalid one fails the start.
	DeclarativeConfig []byte
	// DeclarativeConfigName names it in errors (the file's path).
	DeclarativeConfigName string

	// TrustedIPs, RealIPHeader and RealIPRecursive are kong.conf's trusted_ips (addresses
	// and CIDR ranges; none by default), real_ip_header (X-Real-IP by default) and
	// real_ip_recursive, for a load balancer in front of the proxies.
	TrustedIPs      []string
	RealIPHeader    string
	RealIPRecursive bool
	// AllowDebugHeader is kong.conf's allow_debug_header: Kong-Debug requests get the
	// matched route and service in response headers.
	AllowDebugHeader bool
	// DisableRequestDebug turns off request debugging (kong.conf request_debug, on by
	// default); RequestDebugToken is its token (request_debug_token), random when empty.
	DisableRequestDebug bool
	RequestDebugToken   string
	// TraceBuffer is how many request traces GET /_emulator/requests keeps (0:
	// DefaultTraceBuffer; below 0: none, and requests are not traced unless logged at debug
	// level or debugged).
	TraceBuffer int
}

// DefaultTraceBuffer is how many request traces the emulator keeps by default.
const DefaultTraceBuffer = 1000

// APITimeouts are the API server's limits on slow clients (net/http's server timeouts).
type APITimeouts struct {
	ReadHeader time.Duration // to read a request's headers
	Read       time.Duration // to read a whole request, body included
	Write      time.Duration // from the end of the request's headers to the end of the answer
	Idle       time.Duration // a kept-alive connection waiting for its next request
}

// DefaultAPITimeouts are generous for any API call (bodies are at most 1 MiB, a page of a list at
// most 1000 entities) and still free a connection a client has stopped using.
var DefaultAPITimeouts = APITimeouts{ReadHeader: 10 * time.Second, Read: 30 * time.Second, Write: time.Minute, Idle: 2 * time.Minute}

func (t APITimeouts) orDefaults() APITimeouts {
	pick := func(v, def time.Duration) time.Duration {
		if v > 0 {
			return v
		}
		return def
	}
	d := DefaultAPITimeouts
	return APITimeouts{ReadHeader: pick(t.ReadHeader, d.ReadHeader), Read: pick(t.Read, d.Read), Write: pick(t.Write, d.Write), Idle: pick(t.Idle, d.Idle)}
}

// Emulator is a running emulator.
type Emulator struct {
	// URL is the API's base URL, such as http://127.0.0.1:8080 (paths carry /v2).
	URL string
	// Token is the development token when no token was configured, and empty otherwise: the
	// emulator keeps configured tokens only as hashes, and their owner knows them.
	Token string

	// ProxyURL is the default control plane's proxy.
	ProxyURL string
	// AdminURL is the Kong Admin API of the default control plane.
	AdminURL string
	// Admin is the Admin API handler, for adding endpoints such as POST /config.
	Admin *adminapi.Server

	admin *adminListener
	// RequestDebugToken is what X-Kong-Request-Debug-Token must carry from a client that is
	// not on loopback (the configured one, or one made at start).
	RequestDebugToken string

	api      *Server
	mesh     *meshapi.Server
	sidecars *meshSidecars
	dps      *dataPlanes
	oidc     *oidcprovider.Provider
	srv      *http.Server
	done     chan error
	listener net.Listener
}

// Start runs an emulator until ctx ends or Close is called. It returns once the API answers.
func Start(ctx context.Context, opts Options) (*Emulator, error) {
	if opts.APIAddr == "" {
		opts.APIAddr = "127.0.0.1:0"
	}
	if opts.ProxyAddr == "" {
		opts.ProxyAddr = "127.0.0.1:0"
	}
	if opts.AdminAddr == "" {
		opts.AdminAddr = "127.0.0.1:0"
	}
	token := ""
	if len(opts.Tokens) == 0 {
		opts.Tokens = []string{DevelopmentToken}
		token = DevelopmentToken
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Store == nil {
		opts.Store = store.NewMemory()
	}
	settings, err := opts.nodeSettings()
	if err != nil {
		return nil, err
	}
	dps := newDataPlanes(opts.Store, opts.Logger, settings)
	st := dps.watch(opts.Store)
	api, err := newServer(st, opts.Tokens, opts.Logger)
	if err != nil {
		return nil, err
	}
	meshAPI, err := meshapi.NewServer(st, opts.Logger)
	if err != nil {
		return nil, err
	}
	// The server keeps the tokens hashed; the goroutine below holds the logger only, not opts.
	logger := opts.Logger
	if opts.Faults != nil {
		if err := opts.Faults.validate(); err != nil {
			return nil, fmt.Errorf("faults: %w", err)
		}
		api.faults.set(opts.Faults)
	}
	if err := api.ensureDefaultControlPlane(); err != nil {
		return nil, err
	}
	if err := api.identity.Seed(); err != nil {
		return nil, fmt.Errorf("creating the organization: %w", err)
	}
	if len(opts.DeclarativeConfig) > 0 {
		if err := api.loadStartConfig(opts.DeclarativeConfig, opts.DeclarativeConfigName); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", opts.APIAddr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", opts.APIAddr, err)
	}
	e := &Emulator{
		URL:      "http://" + ln.Addr().String(),
		Token:    token,
		api:      api,
		mesh:     meshAPI,
		sidecars: startMeshSidecars(meshAPI, opts.Logger),
		listener: ln,
		done:     make(chan error, 1),
		dps:      dps,

		RequestDebugToken: settings.RequestDebugToken,
	}
	if e.oidc, err = oidcprovider.New(e.URL); err != nil {
		_ = ln.Close()
		return nil, err
	}
	if err := e.dps.startDefault(opts.ProxyAddr); err != nil {
		_ = ln.Close()
		return nil, err
	}
	e.ProxyURL = e.dps.defaultURL
	e.dps.setDefault(e.DefaultControlPlaneID())
	timeouts := opts.APITimeouts.orDefaults()
	if e.admin, err = startAdmin(e, opts, timeouts); err != nil {
		_ = ln.Close()
		e.dps.close(context.Background())
		return nil, err
	}
	e.AdminURL, e.Admin = e.admin.url, e.admin.server
	e.srv = &http.Server{
		Handler:           e.Handler(),
		ReadHeaderTimeout: timeouts.ReadHeader,
		ReadTimeout:       timeouts.Read,
		WriteTimeout:      timeouts.Write,
		IdleTimeout:       timeouts.Idle,
		ErrorLog:          slog.NewLogLogger(opts.Logger.Handler(), slog.LevelDebug),
	}
	go func() { e.done <- e.srv.Serve(ln) }()
	go func() {
		select {
		case <-ctx.Done():
			_ = e.Close()
		case err := <-e.done:
			if !errors.Is(err, http.ErrServerClosed) {
				logger.Error("the API server stopped", "error", err)
			}
		}
	}()
	return e, nil
}

// Handler serves the emulator's endpoints (/_emulator/...) and the Konnect API. Every endpoint
// takes the API's token but the health check, the echo upstream and the OpenID provider's
// protocol endpoints (see guardEmulator).
func (e *Emulator) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_emulator/health", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("POST /_emulator/reset", func(w http.ResponseWriter, r *http.Request) {
		if err := e.Reset(); err != nil {
			e.api.internalError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /_emulator/control-planes/{id}", e.controlPlaneInfo)
	mux.HandleFunc("GET /_emulator/plugins", e.pluginSupport)
	mux.HandleFunc("GET /_emulator/entities", e.entitySupport)
	mux.HandleFunc("/_emulator/faults", e.api.handleFaults)
	mux.HandleFunc("GET /_emulator/requests", e.requestTraces)
	mux.HandleFunc("/_emulator/echo", serveEcho)
	mux.HandleFunc("/_emulator/echo/", serveEcho)
	mux.HandleFunc("GET /_emulator/mesh/not-enforced", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string][]string{"mesh": mesh.NotEnforcedMeshFields, "mesh_control_plane": mesh.NotEnforcedControlPlaneFields})
	})
	mux.HandleFunc("GET /_emulator/mesh/control-planes/{cpId}/meshes/{mesh}/dataplanes/{name}", e.sidecars.serveDataplane)
	mux.Handle(meshapi.PathPrefix, e.api.serveOtherAPI(e.mesh))
	mux.Handle(oidcprovider.PathPrefix, e.oidc)
	mux.Handle(oidcprovider.PathPrefix+"/", e.oidc)
	mux.Handle("/", e.api)
	return e.api.guardEmulator(mux)
}

// OIDC is the local OpenID Connect provider served at /_emulator/oidc/{realm}.
func (e *Emulator) OIDC() *oidcprovider.Provider { return e.oidc }

// OIDCIssuer is the issuer URL of a realm of the local OpenID Connect provider.
func (e *Emulator) OIDCIssuer(realm string) string { return e.oidc.Issuer(realm) }

// Mesh is the Konnect Mesh API: what is in each mesh (Resources, Meshes) and a hook called
// after each change (SetOnChange).
func (e *Emulator) Mesh() *meshapi.Server { return e.mesh }

// ControlPlaneInfo is what the emulator runs for a control plane.
type ControlPlaneInfo struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	APIURL   string `json:"api_url"`   // base of this control plane's core-entity API
	ProxyURL string `json:"proxy_url"` // its gateway
	// AdminURL is its Kong Admin API; only the default control plane has one.
	AdminURL string `json:"admin_url,omitempty"`
	// Skipped are the entities its gateway does not apply, and why.
	Skipped []dataplane.Skipped `json:"skipped"`
}

func (e *Emulator) controlPlaneInfo(w http.ResponseWriter, r *http.Request) {
	info, ok := e.ControlPlane(r.PathValue("id"))
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "no such control plane"})
		return
	}
	url, err := e.dps.url(info.ID)
	if err != nil {
		e.api.internalError(w, r, err)
		return
	}
	info.ProxyURL = url
	if info.ID == e.DefaultControlPlaneID() {
		info.AdminURL = e.AdminURL
	}
	info.Skipped = e.dps.skipped(info.ID)
	writeJSON(w, http.StatusOK, info)
}

// ControlPlane describes a control plane by id or name.
func (e *Emulator) ControlPlane(idOrName string) (ControlPlaneInfo, bool) {
	id := idOrName
	_ = e.api.store.Read(func(tx store.Reader) error {
		if rec, ok := tx.ByUnique("", domain.ControlPlanes, cpNameIndex, idOrName); ok {
			id = rec.ID
		}
		return nil
	})
	cp, ok := e.api.controlPlane(id)
	if !ok {
		return ControlPlaneInfo{}, false
	}
	return ControlPlaneInfo{ID: cp.Id.String(), Name: cp.Name, APIURL: e.URL + "/v2/control-planes/" + cp.Id.String() + "/core-entities"}, true
}

// ControlPlaneProxyURL returns the proxy of a control plane (by id or name), starting it on a
// free loopback port the first time.
func (e *Emulator) ControlPlaneProxyURL(idOrName string) (string, error) {
	info, ok := e.ControlPlane(idOrName)
	if !ok {
		return "", fmt.Errorf("no control plane %q", idOrName)
	}
	return e.dps.url(info.ID)
}

// DefaultControlPlaneID is the id of the control plane named "default".
func (e *Emulator) DefaultControlPlaneID() string {
	info, _ := e.ControlPlane(DefaultControlPlaneName)
	return info.ID
}

// SetFaults turns fault injection on (nil turns it off).
func (e *Emulator) SetFaults(f *Faults) error {
	if f != nil {
		if err := f.validate(); err != nil {
			return err
		}
	}
	e.api.faults.set(f)
	return nil
}

// Reset empties the store and recreates the default control plane.
func (e *Emulator) Reset() error {
	meshes := e.mesh.Meshes()
	_ = e.api.store.Write(func(tx store.Writer) error {
		tx.Reset()
		return nil
	})
	e.mesh.Notify(meshes...)
	if err := e.api.ensureDefaultControlPlane(); err != nil {
		return err
	}
	if err := e.api.identity.Seed(); err != nil {
		return fmt.Errorf("recreating the organization: %w", err)
	}
	e.dps.setDefault(e.DefaultControlPlaneID())
	if err := e.oidc.Reset(); err != nil {
		return fmt.Errorf("resetting the OpenID provider: %w", err)
	}
	return nil
}

// Close stops the emulator.
func (e *Emulator) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	e.dps.close(ctx)
	e.admin.close(ctx)
	e.sidecars.close()
	err := e.srv.Shutdown(ctx)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func (s *Server) ensureDefaultControlPlane() error {
	exists := false
	_ = s.store.Read(func(tx store.Reader) error {
		_, exists = tx.ByUnique("", domain.ControlPlanes, cpNameIndex, DefaultControlPlaneName)
		return nil
	})
	if exists {
		return nil
	}
	req, _ := http.NewRequest(http.MethodPost, "/v2/control-planes", nil)
	desc := "Created by the emulator at start."
	if _, p := s.createControlPlane(req, client.CreateControlPlaneRequest{Name: DefaultControlPlaneName, Description: &desc}); p != nil {
		return fmt.Errorf("creating the default control plane: %s", strings.TrimSpace(p.body.Detail))
	}
	return nil
}
