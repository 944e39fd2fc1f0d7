package dataplane

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/valyala/fasthttp"
)

// Request debugging's headers (Kong's kong/timing).
const (
	headerRequestDebug       = "X-Kong-Request-Debug"
	headerRequestDebugToken  = "X-Kong-Request-Debug-Token"
	headerRequestDebugLog    = "X-Kong-Request-Debug-Log"
	headerRequestDebugOutput = "X-Kong-Request-Debug-Output"
	// Kong truncates an output of 2 KiB or more for a client that is not on loopback.
	requestDebugTruncateAt = 2048
)

// Configure applies a node's settings to the proxy; it is called before the proxy serves.
func (p *Proxy) Configure(s Settings) {
	p.settings = s
	p.debugLogging = p.logger.Enabled(context.Background(), slog.LevelDebug)
}

// resolveClient applies trusted_ips and real_ip_header to the request's client address,
// as nginx's realip module does before Kong sees the request.
func (p *Proxy) resolveClient(fc *fasthttp.RequestCtx, ctx *Context, r *http.Request) {
	if len(p.settings.TrustedIPs) == 0 {
		return
	}
	peer, err := netip.ParseAddr(ctx.PeerIP)
	if err != nil {
		return
	}
	ctx.ForwardedTrusted = p.settings.trusted(peer)
	if !ctx.ForwardedTrusted {
		return
	}
	header := p.settings.RealIPHeader
	if header == "" {
		header = "X-Real-IP"
	}
	if addr, found := p.settings.realIP(peer, r.Header.Values(header)); found {
		ctx.ClientIP = addr.String()
	}
	_ = fc
}

// startTrace decides whether the request is traced: when traces are kept or logged, or when
// the client asked for request debugging (X-Kong-Request-Debug: * from loopback, or with the
// token). Kong removes the request-debugging headers before the upstream sees them.
func (p *Proxy) startTrace(ctx *Context, r, out *http.Request) {
	if p.settings.RequestDebug && len(r.Header[headerRequestDebug]) > 0 {
		value, token := r.Header.Get(headerRequestDebug), r.Header.Get(headerRequestDebugToken)
		ctx.debugLog = r.Header.Get(headerRequestDebugLog) == "true"
		for _, h := range []string{headerRequestDebug, headerRequestDebugToken, headerRequestDebugLog} {
			delete(out.Header, h)
		}
		if value == "*" && (isLoopback(ctx.ClientIP) ||
			p.settings.RequestDebugToken != "" && subtle.ConstantTimeCompare([]byte(token), []byte(p.settings.RequestDebugToken)) == 1) {
			ctx.debugOutput = true
		}
	}
	if p.settings.Traces == nil && !p.debugLogging && !ctx.debugOutput {
		return
	}
	ctx.trace = &Trace{RequestID: ctx.RequestID, Time: ctx.Now, ControlPlaneID: p.cp, Method: r.Method,
		Host: r.Host, URI: r.RequestURI, ClientIP: ctx.ClientIP, PeerIP: ctx.PeerIP, ClientIPFrom: p.clientIPFrom(ctx, r)}
}

// clientIPFrom says where the client address came from, and why a forwarded address the
// request carries was not used (the peer not in trusted_ips, or another real_ip_header).
func (p *Proxy) clientIPFrom(ctx *Context, r *http.Request) string {
	if ctx.ClientIP != ctx.PeerIP {
		return "from the real-IP header of trusted peer " + ctx.PeerIP
	}
	header := cmpOr(p.settings.RealIPHeader, "X-Real-IP")
	forwarded := header
	value := strings.Join(r.Header.Values(header), ", ")
	if value == "" && !strings.EqualFold(header, "X-Forwarded-For") {
		forwarded, value = "X-Forwarded-For", strings.Join(r.Header.Values("X-Forwarded-For"), ", ")
	}
	switch {
	case value == "":
		return "the connecting address"
	case len(p.settings.TrustedIPs) == 0:
		return "the connecting address; " + forwarded + ": " + value + " is ignored because trusted_ips is empty"
	case !ctx.ForwardedTrusted:
		return "the connecting address; " + forwarded + ": " + value + " is ignored because " + ctx.PeerIP + " is not in trusted_ips"
	case forwarded != header:
		return "the connecting address; " + forwarded + ": " + value + " is not read because real_ip_header is " + header
	}
	return "the connecting address; " + header + ": " + value + " gives no client address beyond trusted ones"
}

func isLoopback(ip string) bool {
	a, err := netip.ParseAddr(ip)
	return err == nil && a.Unmap().IsLoopback()
}

// finishTrace completes the trace once the answer is known (the response is written after
// the handler returns, so the debug output header can still be added), keeps it and logs it.
func (p *Proxy) finishTrace(fc *fasthttp.RequestCtx, ctx *Context, start time.Time) {
	t := ctx.trace
	t.Status = fc.Response.StatusCode()
	t.Latency = time.Since(start)
	if ctx.Match != nil {
		t.Route = ctx.Match.Route
	}
	t.Service, t.Consumer, t.Credential = ctx.Service, ctx.Consumer, ctx.Credential
	if state := ctx.Downstream.TLS; state != nil {
		t.TLS = &TLSTrace{ServerName: state.ServerName, Version: tls.VersionName(state.Version)}
		if ctx.Snapshot != nil {
			if m := ctx.Snapshot.certificateFor(state.ServerName); m.cert != nil {
				t.TLS.CertificateID, t.TLS.SNI = m.cert.id, m.sni
			}
		}
		if len(state.PeerCertificates) > 0 {
			t.TLS.ClientSubject = state.PeerCertificates[0].Subject.String()
		}
	}
	if ctx.debugOutput {
		out := requestDebugOutput(t, isLoopback(ctx.ClientIP))
		fc.Response.Header.Set(headerRequestDebugOutput, out)
		if ctx.debugLog {
			p.logger.Info("[request-debug] output: "+out, "request_id", t.RequestID)
		}
	}
	if p.settings.Traces != nil {
		p.settings.Traces.add(t)
	}
	if p.debugLogging {
		p.logger.Debug("request trace", "control_plane", p.cp, "request_id", t.RequestID, "trace", t.summary())
	}
}

// traceMessage keeps the message Kong answered with itself (no route, a refused protocol, an
// upstream failure), unless a plugin's decision already explains the answer.
func (c *Context) traceMessage(message string) {
	if c.trace != nil && c.trace.Message == "" {
		c.trace.Message = message
	}
}

// runAccess runs one plugin's access handler in a traced request: its time, its decision and
// the credential it identified go into the trace.
func (c *Context) runAccess(inst *pluginInstance, a AccessHandler) {
	t := c.trace
	c.decision = ""
	before := Str(c.Credential, "id")
	began := time.Now()
	a.Access(c)
	run := PluginRun{Name: inst.name, ID: Str(inst.entity, "id"), Decision: c.decision, Duration: time.Since(began)}
	if c.exit != nil {
		run.Status = c.exit.status
		if run.Decision == "" {
			run.Decision = "answered " + cmpOr(c.exit.message, "with its own body")
		}
	}
	if c.Credential != nil && Str(c.Credential, "id") != before {
		t.CredentialType = inst.name
	}
	t.accessPlugins += run.Duration
	t.addPlugin(run)
}

// addDecision adds words to the decision of a plugin that already ran in the access phase,
// for what it decides later (on the upstream's answer).
// A status replaces the answer's (0: the plugin let the answer through).
func (c *Context) addDecision(pluginID, words string, status int) {
	if c.trace == nil {
		return
	}
	for i := range c.trace.Plugins {
		if run := &c.trace.Plugins[i]; run.ID == pluginID {
			run.Decision = strings.TrimPrefix(run.Decision+"; "+words, "; ")
			if status != 0 {
				run.Status = status
			}
			return
		}
	}
}

// debugNode is one context of Kong's request-debugging output: its time in whole
// milliseconds and its children by name.
type debugNode struct {
	TotalTime *int64                `json:"total_time,omitempty"`
	Child     map[string]*debugNode `json:"child,omitempty"`
}

func timed(d time.Duration) *debugNode {
	n := d.Milliseconds()
	return &debugNode{TotalTime: &n}
}

// requestDebugOutput renders the trace's timings in Kong's X-Kong-Request-Debug-Output
// shape: request_id, and per phase its total_time (ms) with children (access: router and
// plugins by name and id; upstream: time_to_first_byte). Phases the emulator does not have
// (rewrite, balancer, log, DNS) are left out rather than made up.
func requestDebugOutput(t *Trace, loopback bool) string {
	root := struct {
		RequestID string                `json:"request_id"`
		Child     map[string]*debugNode `json:"child"`
	}{RequestID: t.RequestID, Child: map[string]*debugNode{}}
	access := timed(t.routerTime + t.accessPlugins)
	access.Child = map[string]*debugNode{"router": timed(t.routerTime)}
	if len(t.Plugins) > 0 {
		plugins := timed(t.accessPlugins)
		plugins.Child = map[string]*debugNode{}
		for _, run := range t.Plugins {
			byName := plugins.Child[run.Name]
			if byName == nil {
				byName = timed(0)
				byName.Child = map[string]*debugNode{}
				plugins.Child[run.Name] = byName
			}
			*byName.TotalTime += run.Duration.Milliseconds()
			byName.Child[run.ID] = timed(run.Duration)
		}
		access.Child["plugins"] = plugins
	}
	root.Child["access"] = access
	if u := t.Upstream; u != nil {
		up := timed(u.Latency)
		up.Child = map[string]*debugNode{"time_to_first_byte": timed(u.Latency)}
		root.Child["upstream"] = up
	}
	b, _ := json.Marshal(root)
	if len(b) >= requestDebugTruncateAt && !loopback {
		b, _ = json.Marshal(map[string]any{"truncated": true, "request_id": t.RequestID,
			"message": "Output is truncated, please check the error_log for full output by filtering with the request_id."})
	}
	return string(b)
}
