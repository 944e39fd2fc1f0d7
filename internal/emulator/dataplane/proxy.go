package dataplane

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// maxHeaderLine is nginx's large_client_header_buffers size in Kong: a longer header line is
// refused with 400 "Request header or cookie too large".
const maxHeaderLine = 8192

// Proxy is one control plane's gateway.
type Proxy struct {
	store  store.Store
	cp     string
	logger *slog.Logger

	mu   sync.Mutex
	snap atomic.Pointer[Snapshot]

	upstreams upstreamPool
}

// NewProxy serves the data plane of control plane cp from st.
func NewProxy(st store.Store, cp string, logger *slog.Logger) *Proxy {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Proxy{store: st, cp: cp, logger: logger}
}

// Close releases the proxy's idle upstream connections (plugins hold no other resources past a request).
func (p *Proxy) Close() { p.upstreams.closeIdle() }

// snapshot returns the configuration at the store's current version, rebuilding it after a
// change: what the API wrote applies to the next request.
func (p *Proxy) snapshot() (*Snapshot, error) {
	var version uint64
	_ = p.store.Read(func(tx store.Reader) error { version = tx.Version(p.cp); return nil })
	if s := p.snap.Load(); s != nil && s.Version == version {
		return s, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if s := p.snap.Load(); s != nil && s.Version == version {
		return s, nil
	}
	var s *Snapshot
	err := p.store.Read(func(tx store.Reader) error {
		var err error
		s, err = loadSnapshot(tx, p.cp)
		return err
	})
	if err != nil {
		return nil, err
	}
	p.snap.Store(s)
	return s, nil
}

func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ctx := &Context{Downstream: r, RequestID: newRequestID(), Protocol: "http", ResponseHeader: http.Header{}, Shared: map[string]any{}, Now: start}
	if r.TLS != nil {
		ctx.Protocol = "https"
	}
	ctx.ClientIP, _, _ = net.SplitHostPort(r.RemoteAddr)
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler { //nolint:errorlint // net/http's sentinel, compared as net/http does
				panic(v)
			}
			p.logger.Error("proxy panic", "error", v, "path", r.URL.Path)
			p.kongError(w, r, ctx, start, http.StatusInternalServerError, "")
		}
	}()
	for _, values := range r.Header {
		for _, v := range values {
			if len(v) > maxHeaderLine {
				p.nginxError(w, r, ctx, start, http.StatusBadRequest, "Request header or cookie too large")
				return
			}
		}
	}
	snap, err := p.snapshot()
	if err != nil {
		p.logger.Error("loading the configuration", "error", err)
		p.kongError(w, r, ctx, start, http.StatusInternalServerError, "")
		return
	}
	ctx.Snapshot = snap
	m := snap.router.Find(RouteRequest{Method: r.Method, Host: r.Host, Path: r.URL.EscapedPath(), Headers: r.Header, Port: localPort(r)})
	if m == nil {
		p.kongError(w, r, ctx, start, http.StatusNotFound, "no Route matched with those values")
		return
	}
	ctx.Match = m
	protocols := Strings(m.Route, "protocols")
	if !contains(protocols, ctx.Protocol) {
		if ctx.Protocol == "http" && contains(protocols, "https") {
			p.httpsRedirect(w, r, ctx, start)
			return
		}
		p.kongError(w, r, ctx, start, http.StatusNotFound, "no Route matched with those values")
		return
	}
	if svc, ok := snap.Get("services", RefID(m.Route["service"])); ok {
		ctx.Service = svc
	}

	body, err := io.ReadAll(r.Body)
	if err != nil {
		p.nginxError(w, r, ctx, start, http.StatusBadRequest, "")
		return
	}
	out := r.Clone(context.WithoutCancel(r.Context()))
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.ContentLength = int64(len(body))
	out.RequestURI = ""
	ctx.Request = out

	ran := p.access(ctx)
	if ctx.exit != nil {
		p.writeExit(w, r, ctx, ran, start)
		return
	}
	if ctx.Service == nil {
		p.kongError(w, r, ctx, start, http.StatusServiceUnavailable, "no Service found with those values")
		return
	}
	p.forward(w, r, ctx, ran, start)
}

// access runs the access phase in priority order; it returns the plugins collected for the
// request. As in Kong, once a plugin has ended the request the later ones are still
// collected, without running their access handler, so their header and body filters apply
// to the answer Kong generated (cors or response-transformer on a 401).
func (p *Proxy) access(ctx *Context) []*pluginInstance {
	var ran []*pluginInstance
	plugins := ctx.Snapshot.plugins
	for i := 0; i < len(plugins); {
		inst, next := resolve(plugins, i, ctx)
		i = next
		if inst == nil {
			continue
		}
		ran = append(ran, inst)
		if a, ok := inst.handler.(AccessHandler); ok && ctx.exit == nil {
			a.Access(ctx)
		}
	}
	return ran
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (p *Proxy) httpsRedirect(w http.ResponseWriter, r *http.Request, ctx *Context, start time.Time) {
	code := int(Num(ctx.Match.Route, "https_redirect_status_code"))
	if code == 0 || code == http.StatusUpgradeRequired {
		h := http.Header{"Connection": {"Upgrade"}, "Upgrade": {"TLS/1.2, HTTP/1.1"}}
		ctx.Exit(http.StatusUpgradeRequired, "Please use HTTPS protocol", h)
		p.writeExit(w, r, ctx, nil, start)
		return
	}
	ctx.exit = &exitResponse{status: code, header: http.Header{"Location": {"https://" + hostOnly(r.Host) + r.URL.RequestURI()}}, message: DefaultMessage(code)}
	p.writeExit(w, r, ctx, nil, start)
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

// kongHeaders are on every response Kong generates itself.
func kongHeaders(h http.Header, ctx *Context, start time.Time) {
	h.Set("Server", "kong/"+KongVersion)
	h.Set("X-Kong-Request-Id", ctx.RequestID)
	h.Set("X-Kong-Response-Latency", strconv.FormatInt(time.Since(start).Milliseconds(), 10))
}

// kongError answers like kong.response.error: format from Accept, JSON by default.
func (p *Proxy) kongError(w http.ResponseWriter, r *http.Request, ctx *Context, start time.Time, status int, message string) {
	ctx.Exit(status, message, nil)
	p.writeExit(w, r, ctx, nil, start)
}

// nginxError answers like Kong's error_handlers: format from Accept, else Content-Type, else text.
func (p *Proxy) nginxError(w http.ResponseWriter, r *http.Request, ctx *Context, start time.Time, status int, message string) {
	if message == "" {
		message = DefaultMessage(status)
	}
	ctype, body := errorBody(nginxErrorType(r), message, ctx.RequestID)
	h := w.Header()
	h.Set("Content-Type", ctype)
	kongHeaders(h, ctx, start)
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func (p *Proxy) writeExit(w http.ResponseWriter, r *http.Request, ctx *Context, ran []*pluginInstance, start time.Time) {
	e := ctx.exit
	h := w.Header()
	for k, v := range ctx.ResponseHeader {
		h[k] = v
	}
	for k, v := range e.header {
		h[k] = v
	}
	body := e.body
	ctype := e.ctype
	if !e.raw {
		ctype, body = renderError(r, e.message, ctx.RequestID)
	}
	if ctype != "" {
		h.Set("Content-Type", ctype)
	}
	for _, inst := range ran {
		if rh, ok := inst.handler.(ResponseHandler); ok {
			rh.Response(ctx, e.status, h)
		}
	}
	// Kong runs body_filter on its own answers too (a response-transformer rewrites the JSON
	// of a 401 as it would an upstream's).
	for _, inst := range ran {
		if bh, ok := inst.handler.(BodyHandler); ok {
			body = bh.Body(ctx, e.status, h, body)
		}
	}
	kongHeaders(h, ctx, start)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func renderError(r *http.Request, message, requestID string) (string, []byte) {
	ctype, body := errorBody(mediaType(r, "application/json"), message, requestID)
	return ctype, []byte(body)
}

var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32*1024); return &b }}

// hopHeaders are not forwarded in either direction.
var hopHeaders = []string{"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// forward sends the request to the service and relays the answer.
func (p *Proxy) forward(w http.ResponseWriter, r *http.Request, ctx *Context, ran []*pluginInstance, start time.Time) {
	svc := ctx.Service
	out := ctx.Request
	scheme := Str(svc, "protocol")
	if scheme != "https" {
		scheme = "http"
	}
	out.URL.Scheme = scheme
	out.URL.Path = upstreamPath(ctx.Match, Str(svc, "path"))
	out.URL.RawPath = ""
	if ctx.Request.URL.RawQuery != "" {
		out.URL.RawQuery = ctx.Request.URL.RawQuery
	}
	for _, h := range hopHeaders {
		out.Header.Del(h)
	}
	p.upstreamHeaders(ctx, r)

	retries := 5
	if v, ok := svc["retries"]; ok {
		retries = int(Num(Entity{"v": v}, "v"))
	}
	bal := ctx.Snapshot.balancers[Str(svc, "host")]
	t := serviceTimeouts(svc)
	verify := Bool(svc, "tls_verify")
	body, _ := io.ReadAll(out.Body)
	proxyLatency := time.Since(start)
	var resp *http.Response
	var err error
	upstreamStart := time.Now()
	for attempt := 0; attempt <= retries; attempt++ {
		peer := target{host: Str(svc, "host"), port: int(Num(svc, "port"))}
		if bal != nil {
			var ok bool
			if peer, ok = bal.pick(); !ok {
				p.kongError(w, r, ctx, start, http.StatusServiceUnavailable, "failure to get a peer from the ring-balancer")
				return
			}
		}
		addr := net.JoinHostPort(peer.host, strconv.Itoa(peer.port))
		out.URL.Host = addr
		if !preserveHost(ctx.Match.Route) {
			out.Host = hostHeader(scheme, peer.host, peer.port)
		}
		resp, err = p.upstreams.roundTrip(out, body, addr, scheme, peer.host, verify, t)
		if err == nil || !retryable(err) {
			break
		}
	}
	upstreamLatency := time.Since(upstreamStart)
	if err != nil {
		status := http.StatusBadGateway
		if isTimeout(err) {
			status = http.StatusGatewayTimeout
		}
		p.logger.Debug("upstream failed", "url", out.URL.String(), "error", err)
		p.nginxError(w, r, ctx, start, status, "")
		return
	}
	defer func() { _ = resp.Body.Close() }()

	h := w.Header()
	for k, v := range resp.Header {
		h[k] = v
	}
	for _, hh := range hopHeaders {
		h.Del(hh)
	}
	for k, v := range ctx.ResponseHeader {
		h[k] = v
	}
	var bodyHandlers []BodyHandler
	for _, inst := range ran {
		if rh, ok := inst.handler.(ResponseHandler); ok {
			rh.Response(ctx, resp.StatusCode, h)
		}
		if bh, ok := inst.handler.(BodyHandler); ok {
			bodyHandlers = append(bodyHandlers, bh)
		}
	}
	h.Set("X-Kong-Upstream-Latency", strconv.FormatInt(upstreamLatency.Milliseconds(), 10))
	h.Set("X-Kong-Proxy-Latency", strconv.FormatInt(proxyLatency.Milliseconds(), 10))
	h.Set("X-Kong-Request-Id", ctx.RequestID)
	h.Add("Via", "1.1 kong/"+KongVersion)
	if h.Get("Server") == "" {
		h.Set("Server", "kong/"+KongVersion)
	}
	if len(bodyHandlers) == 0 {
		w.WriteHeader(resp.StatusCode)
		// Copy through the response's buffer (hiding its ReadFrom), so that headers and a
		// small body leave in one write instead of a flush per part.
		buf := copyBuffers.Get().(*[]byte)
		_, _ = io.CopyBuffer(struct{ io.Writer }{w}, resp.Body, *buf)
		copyBuffers.Put(buf)
		return
	}
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		p.nginxError(w, r, ctx, start, http.StatusBadGateway, "")
		return
	}
	for _, bh := range bodyHandlers {
		respBody = bh.Body(ctx, resp.StatusCode, h, respBody)
	}
	h.Set("Content-Length", strconv.Itoa(len(respBody)))
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(respBody)
}

func preserveHost(route Entity) bool {
	b, _ := route["preserve_host"].(bool)
	return b
}

// hostHeader is the Host Kong sends upstream: the target, with the port unless it is the
// scheme's default.
func hostHeader(scheme, host string, port int) string {
	if (scheme == "http" && port == 80) || (scheme == "https" && port == 443) {
		return host
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// upstreamHeaders adds what Kong adds to the upstream request.
func (p *Proxy) upstreamHeaders(ctx *Context, r *http.Request) {
	h := ctx.Request.Header
	if prior := r.Header.Get("X-Forwarded-For"); prior != "" {
		h.Set("X-Forwarded-For", prior+", "+ctx.ClientIP)
	} else {
		h.Set("X-Forwarded-For", ctx.ClientIP)
	}
	// Incoming X-Forwarded-* are trusted only from trusted_ips, which is empty by default.
	h.Set("X-Forwarded-Proto", ctx.Protocol)
	h.Set("X-Forwarded-Host", hostOnly(r.Host))
	h.Set("X-Forwarded-Port", strconv.Itoa(localPort(r)))
	h.Set("X-Forwarded-Path", r.URL.Path)
	h.Del("X-Forwarded-Prefix")
	if stripped := strippedPrefix(ctx.Match); stripped != "" && stripped != "/" {
		h.Set("X-Forwarded-Prefix", stripped)
	}
	h.Set("X-Real-IP", ctx.ClientIP)
	h.Set("X-Kong-Request-Id", ctx.RequestID)
	if via := r.Header.Get("Via"); via != "" {
		h.Set("Via", via+", 1.1 kong/"+KongVersion)
	} else {
		h.Set("Via", "1.1 kong/"+KongVersion)
	}
}

func strippedPrefix(m *Match) string {
	if b, ok := m.Route["strip_path"].(bool); ok && !b {
		return ""
	}
	return m.Prefix
}

// serviceTimeouts reads a service's timeouts (milliseconds; Kong's defaults are 60000).
func serviceTimeouts(svc Entity) timeouts {
	ms := func(field string) time.Duration {
		if v, ok := svc[field]; ok {
			if n := Num(Entity{"v": v}, "v"); n > 0 {
				return time.Duration(n) * time.Millisecond
			}
		}
		return 60 * time.Second
	}
	return timeouts{connect: ms("connect_timeout"), read: ms("read_timeout"), write: ms("write_timeout")}
}

// retryable is a failure to connect, which Kong retries (up to the service's retries) on the
// next target.
func retryable(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial" && !isTimeout(err)
}

func isTimeout(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return false
}

// localPort is the port the request came in on (80 when unknown).
func localPort(r *http.Request) int {
	if addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, ps, err := net.SplitHostPort(addr.String()); err == nil {
			if n, err := strconv.Atoi(ps); err == nil {
				return n
			}
		}
	}
	return 80
}
