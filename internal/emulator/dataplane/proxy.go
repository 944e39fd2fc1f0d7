package dataplane

import (
	"cmp"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

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
	snap atomic.Pointer[currentSnapshot]

	upstreams upstreamPool
	resources resources
	node      *nodeState
	balancers balancerSet

	// settings are the node's kong.conf settings (Configure); debugLogging: the logger
	// takes debug lines, so every request's trace is logged.
	settings     Settings
	debugLogging bool
}

// currentSnapshot is the snapshot the proxy works from and the store generation at which it
// was last found current: while the generation stays the same, a request needs no store read.
type currentSnapshot struct {
	snapshot   *Snapshot
	generation uint64
}

// NewProxy serves the data plane of control plane cp from st.
func NewProxy(st store.Store, cp string, logger *slog.Logger) *Proxy {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	p := &Proxy{store: st, cp: cp, logger: logger, node: newNodeState(),
		upstreams: upstreamPool{maxResponseBody: MaxUpstreamResponseBody},
		balancers: balancerSet{logger: logger}}
	p.balancers.refresh = p.refresh
	p.resources.log = logger
	return p
}

// refresh rebuilds the snapshot if the store changed since it was made (the health
// checkers' tick: a checker whose upstream changed or went away stops without traffic).
func (p *Proxy) refresh() {
	if c := p.snap.Load(); c != nil && c.generation == p.store.Generation() {
		return
	}
	if _, err := p.snapshot(); err != nil {
		p.logger.Warn("loading the configuration", "error", err)
	}
}

// Close releases what the proxy holds: its upstreams' health checkers, its idle upstream
// connections, its node state (rate-limiting counters, Redis clients and syncers) and its
// plugins' resources. The listener is its server's, closed by whoever started it. It may be
// called more than once.
func (p *Proxy) Close() {
	p.balancers.close()
	p.upstreams.closeIdle()
	if err := p.node.Close(); err != nil {
		p.logger.Warn("closing the proxy's node state", "control_plane", p.cp, "error", err)
	}
	if err := p.resources.close(); err != nil {
		p.logger.Warn("closing the proxy's resources", "control_plane", p.cp, "error", err)
	}
}

// Skipped lists the entities of the current configuration that the proxy leaves out, and why.
func (p *Proxy) Skipped() []Skipped {
	s, err := p.snapshot()
	if err != nil {
		return nil
	}
	return s.Skipped
}

// snapshot returns the configuration at the store's current version, rebuilding it after a
// change: what the API wrote applies to the next request.
func (p *Proxy) snapshot() (*Snapshot, error) {
	generation := p.store.Generation()
	if c := p.snap.Load(); c != nil && c.generation == generation {
		return c.snapshot, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.snap.Load(); c != nil && c.generation == generation {
		return c.snapshot, nil
	}
	var s *Snapshot
	err := p.store.Read(func(tx store.Reader) error {
		if c := p.snap.Load(); c != nil && c.snapshot.Version == tx.Version(p.cp) {
			s = c.snapshot // another control plane changed
			return nil
		}
		s = loadSnapshot(tx, p.cp, &p.resources)
		for _, sk := range s.Skipped {
			p.logger.Warn("data plane: entity not applied", "control_plane", p.cp, "kind", sk.Kind, "id", sk.ID, "name", sk.Name, "reason", sk.Reason)
		}
		p.warnIgnoredSettings(s)
		s.balancers = p.balancers.update(s.byKind["upstreams"], s.byKind["targets"])
		p.upstreams.keepTLS(s.upstreamTLS)
		return nil
	})
	if err != nil {
		return nil, err
	}
	p.snap.Store(&currentSnapshot{snapshot: s, generation: generation})
	return s, nil
}

// newRequestID is a random 128-bit id in hex, as Kong's. It identifies a request in logs and
// error bodies and guards nothing, so the runtime's fast generator serves.
func newRequestID() string {
	var raw [16]byte
	binary.LittleEndian.PutUint64(raw[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(raw[8:], rand.Uint64())
	var b [32]byte
	hex.Encode(b[:], raw[:])
	return string(b[:])
}

// Handle serves one client request: route it, run the plugins, proxy it or answer for Kong.
func (p *Proxy) Handle(fc *fasthttp.RequestCtx) {
	start := time.Now()
	ctx := &Context{RequestID: newRequestID(), Protocol: "http", ResponseHeader: http.Header{}, Shared: map[string]any{}, Now: start,
		LocalAddr: fc.LocalAddr(), ConnID: fc.ConnID(), ConnRequest: fc.ConnRequestNum(), node: p.node}
	if fc.IsTLS() {
		ctx.Protocol = "https"
	}
	if ip := fc.RemoteIP(); ip != nil {
		ctx.ClientIP = ip.String()
		ctx.PeerIP = ctx.ClientIP
	}
	r, out, err := downstreamRequests(fc)
	if err != nil {
		ctx.Downstream = &http.Request{Method: string(fc.Method()), Header: http.Header{}, URL: &url.URL{}}
		p.nginxError(fc, ctx, start, http.StatusBadRequest, "")
		return
	}
	ctx.Downstream = r
	p.resolveClient(fc, ctx, r)
	if p.startTrace(ctx, r, out); ctx.trace != nil {
		defer p.finishTrace(fc, ctx, start)
	}
	defer func() {
		if v := recover(); v != nil {
			p.logger.Error("proxy panic", "error", v, "path", r.URL.Path)
			p.kongError(fc, ctx, start, http.StatusInternalServerError, "")
		}
	}()
	for _, values := range r.Header {
		for _, v := range values {
			if len(v) > maxHeaderLine {
				p.nginxError(fc, ctx, start, http.StatusBadRequest, "Request header or cookie too large")
				return
			}
		}
	}
	snap, err := p.snapshot()
	if err != nil {
		p.logger.Error("loading the configuration", "error", err)
		p.kongError(fc, ctx, start, http.StatusInternalServerError, "")
		return
	}
	ctx.Snapshot = snap
	rr := routeRequest(fc, ctx, r)
	routed := time.Now()
	m := snap.router.Find(rr)
	if ctx.trace != nil {
		ctx.trace.routerTime = time.Since(routed)
		if m == nil {
			ctx.trace.NoRoute = snap.router.Explain(rr)
		}
	}
	if m == nil {
		p.kongError(fc, ctx, start, http.StatusNotFound, "no Route matched with those values")
		return
	}
	ctx.Match = m
	if svc, ok := snap.Get("services", RefID(m.Route["service"])); ok {
		ctx.Service = svc
	}
	if p.settings.AllowDebugHeader && len(r.Header["Kong-Debug"]) > 0 {
		debugHeaders(ctx)
	}
	if p.refuseProtocol(fc, ctx, start) {
		return
	}

	ctx.Request = out

	ran := p.access(ctx)
	if ctx.exit != nil {
		p.writeExit(fc, ctx, ran, start)
		return
	}
	if ctx.Service == nil {
		p.kongError(fc, ctx, start, http.StatusServiceUnavailable, "no Service found with those values")
		return
	}
	p.forward(fc, ctx, ran, start)
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
			if ctx.trace != nil {
				ctx.runAccess(inst, a)
			} else {
				a.Access(ctx)
			}
		}
	}
	return ran
}

// routeRequest is what the router looks at in a request.
func routeRequest(fc *fasthttp.RequestCtx, ctx *Context, r *http.Request) RouteRequest {
	rr := RouteRequest{Method: r.Method, Host: r.Host, Path: r.URL.EscapedPath(), Headers: r.Header, Port: ctx.LocalPort(), Protocol: ctx.Protocol}
	if a, ok := fc.RemoteAddr().(*net.TCPAddr); ok {
		rr.Source = a.AddrPort()
		if ctx.ClientIP != ctx.PeerIP {
			// A trusted peer's real-IP header replaced the address (nginx's $remote_addr),
			// which the router's sources match.
			if ip, err := netip.ParseAddr(ctx.ClientIP); err == nil {
				rr.Source = netip.AddrPortFrom(ip, 0)
			}
		}
	}
	if a, ok := fc.LocalAddr().(*net.TCPAddr); ok {
		rr.Destination = a.AddrPort()
	}
	if fc.IsTLS() {
		rr.SNI = fc.TLSConnectionState().ServerName
	}
	return rr
}

// refuseProtocol answers, as Kong's access phase does, a request whose protocol its route
// does not take: an https-only route over http gets 426 or the route's redirect, a gRPC route
// a 415 (a request that is not gRPC) or a 426 (gRPC over HTTP/1). It reports whether it answered.
func (p *Proxy) refuseProtocol(fc *fasthttp.RequestCtx, ctx *Context, start time.Time) bool {
	if ctx.Match.HTTPSOnly && forwardedProto(ctx) != "https" {
		p.httpsRedirect(fc, ctx, start)
		return true
	}
	if ctx.Match.GRPC {
		if !strings.HasPrefix(ctx.Downstream.Header.Get("Content-Type"), "application/grpc") {
			p.kongError(fc, ctx, start, http.StatusUnsupportedMediaType, "Non-gRPC request matched gRPC route")
			return true
		}
		// The proxy speaks HTTP/1 only.
		ctx.Exit(http.StatusUpgradeRequired, "Please use HTTP2 protocol", http.Header{"Connection": {"Upgrade"}, "Upgrade": {"HTTP/2"}})
		p.writeExit(fc, ctx, nil, start)
		return true
	}
	return false
}

func (p *Proxy) httpsRedirect(fc *fasthttp.RequestCtx, ctx *Context, start time.Time) {
	r := ctx.Downstream
	code := int(Num(ctx.Match.Route, "https_redirect_status_code"))
	if ctx.trace != nil {
		ctx.traceMessage(protocolMismatch(ctx, code))
	}
	if code == 0 || code == http.StatusUpgradeRequired {
		h := http.Header{"Connection": {"Upgrade"}, "Upgrade": {"TLS/1.2, HTTP/1.1"}}
		ctx.Exit(http.StatusUpgradeRequired, "Please use HTTPS protocol", h)
		p.writeExit(fc, ctx, nil, start)
		return
	}
	// The host a trusted load balancer forwarded, as Kong's forwarded_host.
	location := "https://" + forwarded(ctx, r, "X-Forwarded-Host", hostOnly(r.Host)) + r.URL.RequestURI()
	ctx.exit = &exitResponse{status: code, header: http.Header{"Location": {location}}, message: DefaultMessage(code)}
	p.writeExit(fc, ctx, nil, start)
}

// protocolMismatch says, for the trace, why an https-only route refused the request.
func protocolMismatch(ctx *Context, code int) string {
	came := "came over " + ctx.Protocol
	if proto := forwardedProto(ctx); proto != ctx.Protocol {
		came += " with X-Forwarded-Proto " + proto + " from a trusted peer"
	}
	answer := "answered 426 Please use HTTPS protocol"
	if code != 0 && code != http.StatusUpgradeRequired {
		answer = "redirected to https with its https_redirect_status_code " + strconv.Itoa(code)
	}
	return "the route takes protocols " + strings.Join(Strings(ctx.Match.Route, "protocols"), ", ") +
		" (https only) and the request " + came + ": " + answer
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
func (p *Proxy) kongError(fc *fasthttp.RequestCtx, ctx *Context, start time.Time, status int, message string) {
	ctx.traceMessage(message)
	ctx.Exit(status, message, nil)
	p.writeExit(fc, ctx, nil, start)
}

// nginxError answers like Kong's error_handlers: format from Accept, else Content-Type, else text.
func (p *Proxy) nginxError(fc *fasthttp.RequestCtx, ctx *Context, start time.Time, status int, message string) {
	if message == "" {
		message = DefaultMessage(status)
	}
	ctx.traceMessage(message)
	ctype, body := errorBody(nginxErrorType(ctx.Downstream), message, ctx.RequestID)
	h := http.Header{"Content-Type": {ctype}}
	kongHeaders(h, ctx, start)
	writeReply(fc, status, h, []byte(body))
}

func (p *Proxy) writeExit(fc *fasthttp.RequestCtx, ctx *Context, ran []*pluginInstance, start time.Time) {
	e := ctx.exit
	if ran == nil {
		ctx.traceMessage(e.message)
	}
	h := make(http.Header, len(ctx.ResponseHeader)+len(e.header)+4)
	for k, v := range ctx.ResponseHeader {
		h[k] = v
	}
	for k, v := range e.header {
		h[k] = v
	}
	body := e.body
	ctype := e.ctype
	if !e.raw {
		ctype, body = renderError(ctx.Downstream, e.message, ctx.RequestID)
	}
	if ctype != "" {
		h.Set("Content-Type", ctype)
	}
	// Kong runs header_filter and body_filter on its own answers too (a response-transformer
	// rewrites the JSON of a 401 as it would an upstream's).
	body = runFilters(ctx, ran, e.status, h, body)
	kongHeaders(h, ctx, start)
	writeReply(fc, e.status, h, body)
}

// writeReply sets the client's response to a Kong-generated answer.
func writeReply(fc *fasthttp.RequestCtx, status int, h http.Header, body []byte) {
	setResponseHead(fc, status, h)
	fc.Response.SetBodyRaw(body)
}

// setResponseHead replaces the client's response status and headers. Content-Length follows
// the body, except in the answer to a HEAD, which has no body and keeps the length the header
// gives; fasthttp manages Connection: close and Transfer-Encoding.
func setResponseHead(fc *fasthttp.RequestCtx, status int, h http.Header) {
	rh := &fc.Response.Header
	rh.Reset()
	rh.SetNoDefaultContentType(true)
	rh.SetStatusCode(status)
	for k, vs := range h {
		switch k {
		case "Content-Length", "Connection", "Transfer-Encoding":
			continue
		}
		for _, v := range vs {
			rh.Add(k, v)
		}
	}
	if cl := h.Get("Content-Length"); cl != "" && fc.IsHead() {
		if n, err := strconv.Atoi(cl); err == nil {
			rh.SetContentLength(n)
		}
	}
	if conn := h.Get("Connection"); conn != "" && !strings.EqualFold(conn, "close") {
		rh.Set("Connection", conn)
	}
}

func renderError(r *http.Request, message, requestID string) (string, []byte) {
	ctype, body := errorBody(mediaType(r, "application/json"), message, requestID)
	return ctype, []byte(body)
}

// hopHeaders are not forwarded in either direction.
var hopHeaders = []string{"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// forward sends the request to the service and relays the answer.
func (p *Proxy) forward(fc *fasthttp.RequestCtx, ctx *Context, ran []*pluginInstance, start time.Time) {
	svc := ctx.Service
	out := ctx.Request
	scheme := Str(svc, "protocol")
	if scheme != "https" {
		scheme = "http"
	}
	out.URL.Scheme = scheme
	out.URL.Path = upstreamPath(ctx.Match, Str(svc, "path"))
	out.URL.RawPath = ""
	for _, h := range hopHeaders {
		out.Header.Del(h)
	}
	p.upstreamHeaders(ctx, ctx.Downstream)

	retries := 5
	if v, ok := svc["retries"]; ok {
		retries = int(Num(Entity{"v": v}, "v"))
	}
	bal := ctx.Snapshot.balancers[Str(svc, "host")]
	t := serviceTimeouts(svc)
	var ut *upstreamTLS
	if scheme == "https" {
		if ut = ctx.Snapshot.upstreamTLS[Str(svc, "id")]; ut == nil {
			// Every https service of a snapshot has its settings, made when it was loaded;
			// should one lack them, they are made here from the service as it is, never left
			// at defaults that would skip its tls_verify and ca_certificates.
			upstream, _ := ctx.Snapshot.Lookup("upstreams", "name", Str(svc, "host"))
			ut = newUpstreamTLS(svc, upstream, cmp.Or(ctx.Snapshot.tls, &tlsMaterial{}))
		}
		if ut.broken != "" {
			p.brokenUpstreamTLS(fc, ctx, start, ut)
			return
		}
	}
	body := requestBody(out)
	proxyLatency := time.Since(start)
	// The upstream's answer is read straight into the client's response.
	resp := &fc.Response
	var err error
	// key: the consistent-hashing value, or the sticky-sessions cookie the client sent.
	var key, setCookie string
	if bal != nil {
		key, setCookie = bal.requestKey(ctx)
	}
	var tries attempts
	var peer pickedPeer
	upstreamStart := time.Now()
	for attempt := 0; attempt <= retries; attempt++ {
		peer = pickedPeer{target: target{host: Str(svc, "host"), port: int(Num(svc, "port"))}}
		hostName := peer.host
		if bal != nil {
			var ok bool
			if peer, ok = bal.pick(key, &tries); !ok {
				if attempt == 0 {
					p.kongError(fc, ctx, start, http.StatusServiceUnavailable, "failure to get a peer from the ring-balancer")
				} else {
					// On a retry Kong's balancer phase exits, and nginx's error page answers.
					p.nginxError(fc, ctx, start, http.StatusServiceUnavailable, "")
				}
				return
			}
			hostName = cmp.Or(bal.hostHdr, peer.host)
		}
		addr := net.JoinHostPort(peer.host, strconv.Itoa(peer.port))
		out.URL.Host = addr
		if !preserveHost(ctx.Match.Route) {
			out.Host = hostHeader(scheme, hostName, peer.port)
		}
		to := upstreamTarget{addr: addr, pool: addr}
		if ut != nil {
			// The SNI, and the name the certificate must carry, is the Host sent upstream
			// (nginx's proxy_ssl_name $upstream_host, without its port).
			to.ut, to.tls = ut, ut.config(hostOnly(out.Host))
			to.pool = addr + "|" + to.tls.ServerName + "|" + ut.key
		}
		tried := time.Now()
		err = p.upstreams.roundTrip(out, body, resp, to, t)
		retry := err != nil && retryable(err) && attempt < retries
		if bal != nil {
			bal.finished(peer, tryOutcome(err, resp.StatusCode(), retry), time.Since(tried))
		}
		if !retry {
			break
		}
	}
	upstreamLatency := time.Since(upstreamStart)
	if ctx.trace != nil {
		ctx.trace.upstream = upstreamTry(out, resp.StatusCode(), upstreamLatency, err)
		ctx.trace.Upstream = &ctx.trace.upstream
	}
	if err != nil {
		status := http.StatusBadGateway
		if isTimeout(err) {
			status = http.StatusGatewayTimeout
		}
		p.logger.Debug("upstream failed", "url", out.URL.Scheme+"://"+out.URL.Host+redactURI(out.URL.RequestURI()), "error", err)
		p.nginxError(fc, ctx, start, status, "")
		return
	}

	// The client's connection stays open whatever the upstream's did; a HEAD gets no body
	// even when a plugin sent the upstream another method.
	resp.Header.ResetConnectionClose()
	resp.SkipBody = fc.IsHead()
	for _, hh := range hopHeaders {
		resp.Header.Del(hh)
	}
	for k, v := range ctx.ResponseHeader {
		resp.Header.Del(k)
		for _, vv := range v {
			resp.Header.Add(k, vv)
		}
	}
	if bal != nil && setCookie == "" {
		setCookie = bal.stickyCookie(key, peer)
	}
	if setCookie != "" {
		// Kong's cookie replaces one of the same name the upstream set.
		name, _, _ := strings.Cut(setCookie, "=")
		resp.Header.DelCookie(name)
		resp.Header.Add("Set-Cookie", setCookie)
	}
	if hasFilters(ran) {
		filterResponse(fc, ctx, ran)
	}
	rh := &resp.Header
	rh.Set("X-Kong-Upstream-Latency", strconv.FormatInt(upstreamLatency.Milliseconds(), 10))
	rh.Set("X-Kong-Proxy-Latency", strconv.FormatInt(proxyLatency.Milliseconds(), 10))
	rh.Set("X-Kong-Request-Id", ctx.RequestID)
	rh.Add("Via", "1.1 kong/"+KongVersion)
	if len(rh.Server()) == 0 {
		rh.SetServer("kong/" + KongVersion)
	}
}

// brokenUpstreamTLS answers for a service whose TLS settings name a certificate the data plane
// skipped: 502, as the upstream would not be reached as configured, with why in the trace.
func (p *Proxy) brokenUpstreamTLS(fc *fasthttp.RequestCtx, ctx *Context, start time.Time, ut *upstreamTLS) {
	err := &upstreamTLSError{reason: "not connecting: " + ut.broken}
	if ctx.trace != nil {
		ctx.trace.upstream = upstreamTry(ctx.Request, 0, 0, err)
		ctx.trace.Upstream = &ctx.trace.upstream
	}
	p.logger.Debug("upstream TLS", "service", Str(ctx.Service, "id"), "error", err)
	p.nginxError(fc, ctx, start, http.StatusBadGateway, "")
}

// filterResponse runs the plugins' filters on the upstream's answer: they see its headers as
// an http.Header, which then replaces the response's.
func filterResponse(fc *fasthttp.RequestCtx, ctx *Context, ran []*pluginInstance) {
	resp := &fc.Response
	h := make(http.Header, 16)
	for k, v := range resp.Header.All() {
		key := textproto.CanonicalMIMEHeaderKey(string(k))
		h[key] = append(h[key], string(v))
	}
	status := resp.StatusCode()
	// A copy: body filters may change the body in place, and the response owns its buffer.
	body := append([]byte(nil), resp.Body()...)
	// Kong's response phase comes before header_filter and body_filter.
	for _, inst := range ran {
		if ah, ok := inst.handler.(AnswerHandler); ok {
			status, h, body = ah.Answer(ctx, status, h, body)
		}
	}
	resp.SetBodyRaw(runFilters(ctx, ran, status, h, body))
	setResponseHead(fc, status, h)
}

// runFilters runs the collected plugins' header filters, then their body filters (Kong's
// header_filter and body_filter phases), on a proxied or Kong-generated answer.
func runFilters(ctx *Context, ran []*pluginInstance, status int, h http.Header, body []byte) []byte {
	for _, inst := range ran {
		if rh, ok := inst.handler.(ResponseHandler); ok {
			rh.Response(ctx, status, h)
		}
	}
	for _, inst := range ran {
		if bh, ok := inst.handler.(BodyHandler); ok {
			body = bh.Body(ctx, status, h, body)
		}
	}
	return body
}

// hasFilters tells whether any collected plugin filters answers; without one, the upstream's
// answer is relayed without turning its headers into an http.Header.
func hasFilters(ran []*pluginInstance) bool {
	for _, inst := range ran {
		switch inst.handler.(type) {
		case ResponseHandler, BodyHandler, AnswerHandler:
			return true
		}
	}
	return false
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
	// Canonical keys, assigned directly: Header.Set would canonicalize each on every request.
	h := ctx.Request.Header
	// As Kong: the client's X-Forwarded-For with the connecting peer's address appended, or
	// the client's address alone.
	if prior := r.Header.Get("X-Forwarded-For"); prior != "" {
		h["X-Forwarded-For"] = []string{prior + ", " + ctx.PeerIP}
	} else {
		h["X-Forwarded-For"] = []string{ctx.ClientIP}
	}
	// Incoming X-Forwarded-Proto, -Host, -Port, -Path and -Prefix are kept from a peer in
	// trusted_ips (none by default) and replaced for any other.
	h["X-Forwarded-Proto"] = []string{forwardedProto(ctx)}
	h["X-Forwarded-Host"] = []string{forwarded(ctx, r, "X-Forwarded-Host", hostOnly(r.Host))}
	h["X-Forwarded-Port"] = []string{forwarded(ctx, r, "X-Forwarded-Port", strconv.Itoa(ctx.LocalPort()))}
	h["X-Forwarded-Path"] = []string{forwarded(ctx, r, "X-Forwarded-Path", r.URL.Path)}
	delete(h, "X-Forwarded-Prefix")
	if prefix := forwarded(ctx, r, "X-Forwarded-Prefix", ""); prefix != "" {
		h["X-Forwarded-Prefix"] = []string{prefix}
	} else if stripped := strippedPrefix(ctx.Match); stripped != "" && stripped != "/" {
		h["X-Forwarded-Prefix"] = []string{stripped}
	}
	h["X-Real-Ip"] = []string{ctx.ClientIP}
	h["X-Kong-Request-Id"] = []string{ctx.RequestID}
	if via := r.Header.Get("Via"); via != "" {
		h["Via"] = []string{via + ", 1.1 kong/" + KongVersion}
	} else {
		h["Via"] = []string{"1.1 kong/" + KongVersion}
	}
}

// forwarded is a trusted peer's X-Forwarded-* header, or own when the peer is not trusted
// or did not send it.
func forwarded(ctx *Context, r *http.Request, name, own string) string {
	if ctx.ForwardedTrusted {
		if v := r.Header.Get(name); v != "" {
			return v
		}
	}
	return own
}

// forwardedProto is the scheme the client used as Kong believes it: a trusted peer's
// X-Forwarded-Proto, or the proxy's own; an https-only route checks it.
func forwardedProto(ctx *Context) string {
	return forwarded(ctx, ctx.Downstream, "X-Forwarded-Proto", ctx.Protocol)
}

// debugHeaders are allow_debug_header's answer to a Kong-Debug request: the matched route
// and service, on whatever answer the request gets.
func debugHeaders(ctx *Context) {
	h := ctx.ResponseHeader
	for header, e := range map[string]Entity{"Kong-Route": ctx.Match.Route, "Kong-Service": ctx.Service} {
		if id := Str(e, "id"); id != "" {
			h[header+"-Id"] = []string{id}
		}
		if name := Str(e, "name"); name != "" {
			h[header+"-Name"] = []string{name}
		}
	}
}

// upstreamTry is the trace's record of what went upstream and what came back.
func upstreamTry(out *http.Request, status int, latency time.Duration, err error) UpstreamTry {
	u := UpstreamTry{Method: out.Method, Scheme: out.URL.Scheme, Host: out.URL.Host, Path: out.URL.Path,
		RawQuery: out.URL.RawQuery, Header: out.Header, Status: status, Latency: latency}
	u.HostHeader = out.Host
	if err != nil {
		u.Status, u.Error = 0, err.Error()
	}
	return u
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

// tryOutcome is what a try tells the passive health check, as Kong reports it: a try that is
// retried counts as a timeout or a TCP failure; the last one by the status the client gets
// (504 counting as a timeout, and a 502 only when listed among the unhealthy statuses).
func tryOutcome(err error, status int, retried bool) tryResult {
	switch {
	case err == nil:
		return tryResult{status: status}
	case isTimeout(err):
		return tryResult{failed: true, outcome: outcomeTimeout}
	case retried:
		return tryResult{failed: true, outcome: outcomeTCPFailure}
	default:
		return tryResult{failed: true, status: http.StatusBadGateway}
	}
}

// retryable is a failure to connect or a failed TLS handshake, which Kong retries (up to the
// service's retries) on the next target.
func retryable(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" && !isTimeout(err) {
		return true
	}
	var tlsErr *upstreamTLSError
	return errors.As(err, &tlsErr) && tlsErr.handshake && !isTimeout(err)
}

// isTimeout: net's deadline errors and fasthttp's ErrTimeout both say Timeout().
func isTimeout(err error) bool {
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout()
}
