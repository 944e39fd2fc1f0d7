package dataplane

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Trace is what the emulator tells about one proxied request: how it was routed, what each
// plugin decided, what went upstream and what came back. Kong itself says none of this; it
// answers "why did this request get this answer?". A trace is filled while the request runs
// only when someone reads traces (the ring buffer, the debug log, request debugging); its
// words are rendered when it is read, so recording costs no formatting.
type Trace struct {
	Seq            uint64
	RequestID      string
	Time           time.Time
	ControlPlaneID string
	Method         string
	Host, URI      string // the Host the client sent and its request URI
	ClientIP       string // the client's address as the plugins see it (trusted_ips and real_ip_header applied)
	PeerIP         string // the address that connected to the proxy
	ClientIPFrom   string // in words, where ClientIP came from and which forwarded address was ignored
	// TLS is the client's TLS connection, nil over plain HTTP.
	TLS     *TLSTrace
	Status  int
	Latency time.Duration

	Route, Service Entity
	// NoRoute is set when no route matched: the closest route and why it did not match.
	NoRoute *RouteMiss
	// Message is what Kong answered with itself (no route, a refused protocol, no service, an
	// upstream failure), or "".
	Message string

	Consumer, Credential Entity
	CredentialType       string // the plugin that identified the credential

	Plugins []PluginRun
	// plugins holds the first runs without a separate allocation.
	plugins [8]PluginRun

	// Upstream: the request as sent (its header map is the request's own, redacted when
	// read), and the answer.
	Upstream *UpstreamTry
	upstream UpstreamTry // where Upstream points, to save an allocation

	// timings for request debugging (X-Kong-Request-Debug-Output)
	routerTime    time.Duration
	accessPlugins time.Duration
}

// TLSTrace is what the trace tells of a request's TLS connection.
type TLSTrace struct {
	ServerName, Version string
	// CertificateID is the configured certificate for the server name (as configured when the
	// request was served), "" for the default one; SNI is the SNI name that chose it. Only the
	// id is kept: the entity holds the private key, which a kept trace must not.
	CertificateID string
	SNI           string
	// ClientSubject is the subject of the certificate the client presented, or "".
	ClientSubject string
}

// RouteMiss says why no route matched.
type RouteMiss struct {
	Closest Entity
	Failed  []string
}

// PluginRun is one plugin that ran in the access phase and what it decided.
type PluginRun struct {
	Name, ID string
	Decision string // in words; "" when the plugin let the request through without saying why
	Status   int    // the answer it gave, 0 when it let the request go on
	Duration time.Duration
}

// UpstreamTry is what was sent upstream and what came back.
type UpstreamTry struct {
	Method, Scheme, Host, Path, RawQuery string
	HostHeader                           string // the Host the upstream was sent
	Header                               http.Header
	Status                               int
	Latency                              time.Duration
	Error                                string
}

// Tracing tells whether this request is traced: a plugin builds words for Decide only then.
func (c *Context) Tracing() bool { return c.trace != nil }

// Decide records, in words, what the running plugin decided and why ("no key in header
// `apikey`, query `apikey`"). It is the one way plugins explain themselves; it does nothing
// when the request is not traced, so a constant reason costs nothing.
func (c *Context) Decide(reason string) {
	if c.trace == nil {
		return
	}
	c.decision = reason
}

// addPlugin records a plugin's run; the first few fit in the trace itself.
func (t *Trace) addPlugin(run PluginRun) {
	if t.Plugins == nil {
		t.Plugins = t.plugins[:0]
	}
	t.Plugins = append(t.Plugins, run)
}

// TraceView is a trace as the API shows it (GET /_emulator/requests).
type TraceView struct {
	Seq            uint64         `json:"seq"`
	RequestID      string         `json:"request_id"`
	Time           time.Time      `json:"time"`
	ControlPlaneID string         `json:"control_plane_id"`
	Method         string         `json:"method"`
	URL            string         `json:"url"`
	ClientIP       string         `json:"client_ip"`
	ConnectedFrom  string         `json:"connected_from"`
	ClientIPFrom   string         `json:"client_ip_from"`
	TLS            *TLSView       `json:"tls,omitempty"`
	Status         int            `json:"status"`
	LatencyMS      float64        `json:"latency_ms"`
	Summary        string         `json:"summary"`
	Route          *EntityRef     `json:"route"`
	Service        *EntityRef     `json:"service"`
	NoRoute        *RouteMissView `json:"no_route,omitempty"`
	Message        string         `json:"message,omitempty"`
	Consumer       *EntityRef     `json:"consumer"`
	Credential     *EntityRef     `json:"credential"`
	Plugins        []PluginView   `json:"plugins"`
	Upstream       *UpstreamView  `json:"upstream"`
}

// TLSView is TLSTrace as the API shows it.
type TLSView struct {
	ServerName string `json:"server_name"`
	Version    string `json:"version"`
	// Certificate says, in words, which certificate the server name gets and why.
	Certificate       string `json:"certificate"`
	ClientCertificate string `json:"client_certificate,omitempty"`
}

// EntityRef names an entity: id and name (a consumer's username, a credential's type).
type EntityRef struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	Type string `json:"type,omitempty"`
}

// RouteMissView is RouteMiss as the API shows it.
type RouteMissView struct {
	ClosestRoute *EntityRef `json:"closest_route"`
	Failed       []string   `json:"failed"`
}

// PluginView is one plugin's run as the API shows it.
type PluginView struct {
	Name       string  `json:"name"`
	ID         string  `json:"id"`
	Decision   string  `json:"decision"`
	Status     int     `json:"status,omitempty"`
	DurationUS float64 `json:"duration_us"`
}

// UpstreamView is the upstream try as the API shows it; secrets in headers and query are
// replaced by "[redacted]".
type UpstreamView struct {
	Method    string              `json:"method"`
	URL       string              `json:"url"`
	Host      string              `json:"host"`
	Headers   map[string][]string `json:"headers"`
	Status    int                 `json:"status,omitempty"`
	LatencyMS float64             `json:"latency_ms"`
	Error     string              `json:"error,omitempty"`
}

func ref(e Entity, name string) *EntityRef {
	if e == nil {
		return nil
	}
	return &EntityRef{ID: Str(e, "id"), Name: Str(e, name)}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// View renders a trace in words.
func (t *Trace) View() TraceView {
	v := TraceView{Seq: t.Seq, RequestID: t.RequestID, Time: t.Time, ControlPlaneID: t.ControlPlaneID, Method: t.Method,
		URL: t.Host + redactURI(t.URI), ClientIP: t.ClientIP, ConnectedFrom: t.PeerIP, ClientIPFrom: t.ClientIPFrom, Status: t.Status, LatencyMS: ms(t.Latency),
		Route: ref(t.Route, "name"), Service: ref(t.Service, "name"), Message: t.Message,
		Consumer: ref(t.Consumer, "username"), Plugins: []PluginView{}}
	if t.Credential != nil {
		v.Credential = &EntityRef{ID: Str(t.Credential, "id"), Type: t.CredentialType}
	}
	if t.TLS != nil {
		v.TLS = &TLSView{ServerName: t.TLS.ServerName, Version: t.TLS.Version, ClientCertificate: t.TLS.ClientSubject,
			Certificate: "the default certificate: no SNI matches the server name"}
		if t.TLS.ServerName == "" {
			v.TLS.Certificate = "the default certificate: the client sent no server name"
		}
		if id := t.TLS.CertificateID; id != "" {
			v.TLS.Certificate = "certificate " + id + " by SNI " + strconv.Quote(t.TLS.SNI)
		}
	}
	if t.NoRoute != nil {
		v.NoRoute = &RouteMissView{ClosestRoute: ref(t.NoRoute.Closest, "name"), Failed: t.NoRoute.Failed}
	}
	for _, p := range t.Plugins {
		d := p.Decision
		if d == "" {
			d = "let the request through"
		}
		v.Plugins = append(v.Plugins, PluginView{Name: p.Name, ID: p.ID, Decision: d, Status: p.Status, DurationUS: float64(p.Duration.Nanoseconds()) / 1000})
	}
	if u := t.Upstream; u != nil {
		q := redactQuery(u.RawQuery)
		full := u.Scheme + "://" + u.Host + u.Path
		if q != "" {
			full += "?" + q
		}
		v.Upstream = &UpstreamView{Method: u.Method, URL: full, Host: u.HostHeader, Headers: redactHeaders(u.Header), Status: u.Status,
			LatencyMS: ms(u.Latency), Error: u.Error}
	}
	v.Summary = t.summary()
	return v
}

// summary is the trace in one line: "GET /x -> 401 (key-auth: no key in header `apikey`; 401)".
func (t *Trace) summary() string {
	var b strings.Builder
	b.WriteString(t.Method + " " + t.Host + redactURI(t.URI) + " -> " + strconv.Itoa(t.Status))
	switch {
	case t.NoRoute != nil:
		b.WriteString(": no route matched")
		if t.NoRoute.Closest != nil {
			b.WriteString("; closest route " + routeLabel(t.NoRoute.Closest) + " failed on " + strings.Join(t.NoRoute.Failed, "; "))
		}
		return b.String()
	case t.Route != nil:
		b.WriteString(" via route " + routeLabel(t.Route))
	}
	if t.Message != "" {
		b.WriteString(": " + t.Message)
	}
	for _, p := range t.Plugins {
		if p.Status != 0 {
			b.WriteString("; " + p.Name + ": " + p.Decision + "; " + strconv.Itoa(p.Status))
		}
	}
	if t.Consumer != nil {
		b.WriteString("; consumer " + cmpOr(Str(t.Consumer, "username"), Str(t.Consumer, "id")))
	}
	if u := t.Upstream; u != nil {
		if u.Error != "" {
			b.WriteString("; upstream " + u.Host + " failed: " + u.Error)
		} else {
			b.WriteString("; upstream " + u.Host + " answered " + strconv.Itoa(u.Status) + " in " + strconv.FormatFloat(ms(u.Latency), 'f', 1, 64) + " ms")
		}
	}
	return b.String()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func routeLabel(r Entity) string {
	if n := Str(r, "name"); n != "" {
		return strconv.Quote(n)
	}
	return Str(r, "id")
}

// secretWords mark header and query names whose values a trace does not show (access_token,
// client_secret, id_token, refresh_token and password among them).
var secretWords = []string{"auth", "key", "token", "secret", "password", "passwd", "cookie", "session", "signature", "credential"}

// secretNames are names whose values a trace does not show, matched whole: an OAuth
// callback's code is a credential, but "code" inside a name (country_code) says nothing.
var secretNames = []string{"code"}

func isSecret(name string) bool {
	n := strings.ToLower(name)
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	for _, w := range secretNames {
		if n == w {
			return true
		}
	}
	return false
}

const redacted = "[redacted]"

func redactHeaders(h http.Header) map[string][]string {
	out := make(map[string][]string, len(h))
	for k, vs := range h {
		if isSecret(k) {
			red := make([]string, len(vs))
			for i := range red {
				red[i] = redacted
			}
			out[k] = red
			continue
		}
		out[k] = vs
	}
	return out
}

// redactURI is a request URI with its query's secrets redacted; the path is kept.
func redactURI(uri string) string {
	path, query, found := strings.Cut(uri, "?")
	if !found {
		return uri
	}
	return path + "?" + redactQuery(query)
}

func redactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return redacted
	}
	changed := false
	for k, vs := range q {
		if isSecret(k) {
			for i := range vs {
				vs[i] = redacted
			}
			changed = true
		}
	}
	if !changed {
		return raw
	}
	return q.Encode()
}

// proxyHint says, for a trace, that a request without credentials came through a proxy in
// front (its X-Forwarded-For, Forwarded or Via header), which may have removed them: "" when
// nothing says so.
func proxyHint(h http.Header, header string) string {
	for _, name := range []string{"X-Forwarded-For", "Forwarded", "Via"} {
		if v := h.Get(name); v != "" {
			return "; the request came through a proxy (" + name + ": " + v + "): check that it passes the " + header + " header on"
		}
	}
	return ""
}

// credentialLookalikes names the request's headers and query arguments that look like they
// hold a credential (their names say key, token or auth) but are not among the names a
// plugin reads: a key sent under the wrong name.
func credentialLookalikes(r *http.Request, read []string) []string {
	looksLike := func(name string) bool {
		n := strings.ToLower(name)
		for _, known := range read {
			if strings.EqualFold(known, name) {
				return false
			}
		}
		return strings.Contains(n, "key") || strings.Contains(n, "token") || strings.Contains(n, "auth")
	}
	var out []string
	for name := range r.Header {
		if looksLike(name) {
			out = append(out, "header `"+name+"`")
		}
	}
	for name := range r.URL.Query() {
		if looksLike(name) {
			out = append(out, "query `"+name+"`")
		}
	}
	sort.Strings(out)
	return out
}
