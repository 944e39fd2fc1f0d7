package sidecar

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/mesh/opa"
)

// rbacDenied is the body Envoy's RBAC filter answers a refused request with.
const rbacDenied = "RBAC: access denied"

// upstreamFailure is the body Envoy answers with when the service cannot be reached.
const upstreamFailure = "upstream connect error or disconnect/reset before headers. reset reason: connection failure"

// inboundState is what one inbound enforces. It is replaced whole on every Apply, so a changed
// policy applies to the next request without restarting the listener.
type inboundState struct {
	mesh string
	// permissions is nil when no MeshTrafficPermission selects the inbound: traffic is open.
	permissions *permissions
	// authz is nil when no MeshOPA selects the inbound, or the inbound is not HTTP.
	authz *authz
	// Names of the policies that select the inbound, and what of them is not enforced.
	meshOPAs    []string
	mtps        []string
	notEnforced []string
}

// authz is the MeshOPA side of an inbound: the compiled policy set (or why there is none) and
// the merged authConfig and agentConfig.
type authz struct {
	policy   *opa.Policy
	err      error
	key      string
	settings opa.Settings
	agent    opa.AgentConfig
}

// inbound is one listener of a dataplane's sidecar.
type inbound struct {
	dataplane string
	index     int
	name      string
	service   string
	protocol  string
	listen    string
	target    string

	state  atomic.Pointer[inboundState]
	logger *slog.Logger
	ids    *atomic.Uint64

	ln    net.Listener
	srv   *http.Server
	proxy *httputil.ReverseProxy
	err   error // why it does not listen

	mu    sync.Mutex
	conns map[net.Conn]struct{} // open TCP connections, closed with the listener
	wg    sync.WaitGroup
}

// isHTTP says whether requests are seen one by one (and MeshOPA applies).
func (in *inbound) isHTTP() bool { return in.protocol == "http" }

// start binds the listener and serves it.
func (in *inbound) start(transport http.RoundTripper) {
	ln, err := net.Listen("tcp", in.listen)
	if err != nil {
		in.err = err
		return
	}
	in.ln = ln
	if !in.isHTTP() {
		in.conns = map[net.Conn]struct{}{}
		in.wg.Add(1)
		go in.serveTCP()
		return
	}
	target := in.target
	in.proxy = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(&url.URL{Scheme: "http", Host: target})
			pr.Out.Host = pr.In.Host
			pr.Out.Header.Set("X-Forwarded-Proto", "http")
		},
		Transport: transport,
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			in.logger.Warn("mesh sidecar: upstream unreachable", "listener", in.listen, "service", target, "error", err)
			writeLocal(w, http.StatusServiceUnavailable, nil, upstreamFailure)
		},
	}
	in.srv = &http.Server{Handler: in, ReadHeaderTimeout: 30 * time.Second}
	in.wg.Add(1)
	go func() {
		defer in.wg.Done()
		_ = in.srv.Serve(ln)
	}()
}

// stop closes the listener and its connections and waits for the serving goroutine.
func (in *inbound) stop() {
	if in.ln == nil {
		return
	}
	if in.srv != nil {
		_ = in.srv.Close()
	} else {
		_ = in.ln.Close()
		in.mu.Lock()
		for c := range in.conns {
			_ = c.Close()
		}
		in.mu.Unlock()
	}
	in.wg.Wait()
}

// ServeHTTP checks one request (MeshTrafficPermission, then MeshOPA) and forwards it.
func (in *inbound) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	st := in.state.Load()
	// The connection manager sets these before any filter sees the request.
	if r.Header.Get("X-Request-Id") == "" {
		r.Header.Set("X-Request-Id", uuid.NewString())
	}
	r.Header.Set("X-Forwarded-Proto", "http")
	id := identityOf(r, st.mesh)
	if st.permissions != nil && !in.permitted(st, id) {
		writeLocal(w, http.StatusForbidden, nil, rbacDenied)
		return
	}
	if st.authz != nil && !in.authorize(w, r, st.authz, id) {
		return
	}
	in.proxy.ServeHTTP(w, r)
}

func (in *inbound) permitted(st *inboundState, id identity) bool {
	v := st.permissions.decide(id)
	if v.shadowDeny {
		in.logger.Info("mesh sidecar: MeshTrafficPermission shadow deny", "listener", in.listen, "source", id.service, "policy", v.by)
	}
	if !v.allowed {
		in.logger.Debug("mesh sidecar: MeshTrafficPermission denied", "listener", in.listen, "source", id.service, "policy", v.by)
	}
	return v.allowed
}

// authorize asks the policy about the request. It writes the answer and returns false when the
// request must not go on; on an allow it applies the decision's changes to the request and to
// the response headers.
func (in *inbound) authorize(w http.ResponseWriter, r *http.Request, a *authz, id identity) bool {
	s := a.settings
	fail := func(err error) bool {
		in.logger.Warn("mesh sidecar: MeshOPA could not decide", "listener", in.listen, "error", err, "onAgentFailure_allow", s.FailOpen)
		if s.FailOpen {
			return true
		}
		writeLocal(w, s.StatusOnError, nil, "")
		return false
	}
	if a.policy == nil {
		return fail(a.err)
	}
	check := opa.CheckRequest{
		Request:         r,
		ID:              strconv.FormatUint(in.ids.Add(1), 10),
		Source:          r.RemoteAddr,
		Destination:     in.listen,
		SourcePrincipal: id.spiffe,
		Time:            time.Now(),
		SendBody:        s.SendBody,
		RawBody:         s.SendRawBody,
	}
	if s.SendBody {
		var err error
		if check.Body, check.Truncated, err = peekBody(r, s.MaxBody); err != nil {
			return fail(err)
		}
	}
	input, err := opa.Input(check)
	if err != nil {
		return fail(err)
	}
	value, err := ast.InterfaceToValue(input)
	if err != nil {
		return fail(err)
	}
	ctx := r.Context()
	if s.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.Timeout)
		defer cancel()
	}
	start := time.Now()
	result, err := a.policy.Eval(ctx, value)
	var d opa.Decision
	if err == nil {
		d, err = opa.ReadDecision(result)
	}
	a.agent.Log(ctx, in.logger, opa.DecisionLog{
		DecisionID: uuid.NewString(), Path: a.policy.Path, Input: input, Result: result, Err: err, Duration: time.Since(start),
	})
	if err != nil {
		return fail(err)
	}
	if !d.Allowed {
		writeLocal(w, d.Status, d.Headers, d.Body)
		return false
	}
	applyAllow(w, r, d)
	return true
}

// applyAllow makes the changes an allowing decision asks for.
func applyAllow(w http.ResponseWriter, r *http.Request, d opa.Decision) {
	for k, vs := range d.Headers {
		r.Header[k] = vs
	}
	for _, k := range d.RequestHeadersToRemove {
		r.Header.Del(k)
	}
	if len(d.QueryParametersToRemove) > 0 || len(d.QueryParametersToSet) > 0 {
		q := r.URL.Query()
		for _, k := range d.QueryParametersToRemove {
			q.Del(k)
		}
		for k, vs := range d.QueryParametersToSet {
			q[k] = vs
		}
		r.URL.RawQuery = q.Encode()
	}
	for k, vs := range d.ResponseHeadersToAdd {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
}

// peekBody reads up to max bytes of the body for the policy and puts everything read back in
// front of the rest, so the service still gets the whole body.
func peekBody(r *http.Request, max int) ([]byte, bool, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, false, nil
	}
	buf := make([]byte, max+1)
	n, err := io.ReadFull(r.Body, buf)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, false, err
	}
	read := buf[:n]
	r.Body = readCloser{Reader: io.MultiReader(bytes.NewReader(read), r.Body), Closer: r.Body}
	if n > max {
		return read[:max], true, nil
	}
	return read, false, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// writeLocal answers from the sidecar itself, as Envoy's local replies look.
func writeLocal(w http.ResponseWriter, status int, headers http.Header, body string) {
	h := w.Header()
	for k, vs := range headers {
		h[k] = vs
	}
	if body != "" && h.Get("Content-Type") == "" {
		h.Set("Content-Type", "text/plain")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Server", "envoy")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// serveTCP forwards connections of a non-HTTP inbound, refusing clients that a
// MeshTrafficPermission denies (a plain TCP client carries no mesh identity).
func (in *inbound) serveTCP() {
	defer in.wg.Done()
	for {
		c, err := in.ln.Accept()
		if err != nil {
			return
		}
		in.mu.Lock()
		in.conns[c] = struct{}{}
		in.mu.Unlock()
		in.wg.Add(1)
		go in.pipe(c)
	}
}

func (in *inbound) pipe(c net.Conn) {
	defer in.wg.Done()
	defer func() {
		_ = c.Close()
		in.mu.Lock()
		delete(in.conns, c)
		in.mu.Unlock()
	}()
	st := in.state.Load()
	if st.permissions != nil && !in.permitted(st, identity{}) {
		return
	}
	up, err := net.DialTimeout("tcp", in.target, 5*time.Second)
	if err != nil {
		in.logger.Warn("mesh sidecar: upstream unreachable", "listener", in.listen, "service", in.target, "error", err)
		return
	}
	in.mu.Lock()
	in.conns[up] = struct{}{}
	in.mu.Unlock()
	defer func() {
		_ = up.Close()
		in.mu.Lock()
		delete(in.conns, up)
		in.mu.Unlock()
	}()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, c); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, up); done <- struct{}{} }()
	<-done
}
