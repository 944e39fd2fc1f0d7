package dataplane

import (
	"net"
	"net/http"
	"strconv"
	"time"
)

// Context is one request on its way through the gateway, as plugins see it.
type Context struct {
	// Request is the request as it will be sent upstream; plugins may change its headers,
	// query and body.
	Request *http.Request
	// Downstream is the client's original request (do not change it).
	Downstream *http.Request
	Snapshot   *Snapshot
	Match      *Match
	Service    Entity // nil when the route has none
	Protocol   string // "http" or "https"
	RequestID  string
	// ClientIP is the client's address as Kong's plugins see it: the connecting peer's, or,
	// when the peer is in trusted_ips, the one its real_ip_header gives (nginx's realip).
	// PeerIP is the connecting peer's.
	ClientIP string
	PeerIP   string
	// ForwardedTrusted tells that the peer is trusted: its X-Forwarded-* headers are kept.
	ForwardedTrusted bool
	// Consumer and Credential are set by the authentication plugin that identified the client.
	Consumer   Entity
	Credential Entity
	// Anonymous is true when the consumer is the configured anonymous one.
	Anonymous bool
	// AuthenticatedGroups are groups an auth plugin granted without a consumer.
	AuthenticatedGroups []string
	// ResponseHeader is added to the client's response (proxied or generated).
	ResponseHeader http.Header
	// Shared lets plugins of one request pass values to each other (Kong's kong.ctx.shared).
	Shared map[string]any
	// Now is the request's start.
	Now time.Time
	// LocalAddr is the address the request came in on; ConnID numbers the client's connection
	// and ConnRequest the request on it (correlation-id's tracker).
	LocalAddr   net.Addr
	ConnID      uint64
	ConnRequest uint64

	exit *exitResponse
	// node is the proxy's state that outlives snapshots (rate-limiting counters, Redis).
	node *nodeState
	// groups caches consumerGroupIDs for the consumer groupsOf.
	groupsOf string
	groups   map[string]bool
	// pluginData is per-request state of plugin handlers, by handler (Kong's kong.ctx.plugin).
	pluginData map[Handler]any
	// trace is this request's trace, nil when nobody reads traces; decision is what the
	// running plugin said through Decide.
	trace    *Trace
	decision string
	// debugOutput: the request asked for X-Kong-Request-Debug-Output; debugLog: to log it too.
	debugOutput, debugLog bool
}

// PluginData is what handler h stored for this request with SetPluginData, or nil.
func (c *Context) PluginData(h Handler) any { return c.pluginData[h] }

// SetPluginData keeps v for handler h until the end of the request (from its access phase
// to its response phase); h must be comparable (a pointer).
func (c *Context) SetPluginData(h Handler, v any) {
	if c.pluginData == nil {
		c.pluginData = map[Handler]any{}
	}
	c.pluginData[h] = v
}

type exitResponse struct {
	status  int
	header  http.Header
	body    []byte
	ctype   string
	message string // for kong.response.error style exits, rendered per Accept
	raw     bool   // body as given (kong.response.exit)
}

// RouteID is the matched route's id.
func (c *Context) RouteID() string {
	if c.Match == nil {
		return ""
	}
	return Str(c.Match.Route, "id")
}

// ServiceID is the service's id, "" when none.
func (c *Context) ServiceID() string { return Str(c.Service, "id") }

// Exit ends the request with Kong's error body for the message (kong.response.error): JSON,
// HTML, XML or text as the client's Accept asks, with request_id. An empty message uses the
// status's default text.
func (c *Context) Exit(status int, message string, header http.Header) {
	if message == "" {
		message = DefaultMessage(status)
	}
	c.exit = &exitResponse{status: status, header: header, message: message}
}

// ExitJSON ends the request with body encoded as it is (kong.response.exit with a table):
// no request_id is added.
func (c *Context) ExitJSON(status int, body []byte, header http.Header) {
	c.exit = &exitResponse{status: status, header: header, body: body, ctype: "application/json; charset=utf-8", raw: true}
}

// ExitRaw ends the request with the given body and content type.
func (c *Context) ExitRaw(status int, body []byte, contentType string, header http.Header) {
	c.exit = &exitResponse{status: status, header: header, body: body, ctype: contentType, raw: true}
}

// Exited tells whether a plugin ended the request.
func (c *Context) Exited() bool { return c.exit != nil }

// Authenticate records the consumer and credential an auth plugin identified and sets the
// upstream headers Kong sets (X-Consumer-*, X-Credential-Identifier, X-Anonymous-Consumer).
// identifier is what X-Credential-Identifier carries (key-auth: the credential id; basic-auth:
// the username; jwt: the key).
func (c *Context) Authenticate(consumer, credential Entity, identifier string) {
	c.Consumer, c.Credential, c.Anonymous = consumer, credential, credential == nil
	// The names are in canonical form, so they are assigned without Header.Set's canonicalizing.
	h := c.Request.Header
	set := func(name, v string) {
		if v == "" {
			delete(h, name)
		} else {
			h[name] = []string{v}
		}
	}
	set("X-Consumer-Id", Str(consumer, "id"))
	set("X-Consumer-Custom-Id", Str(consumer, "custom_id"))
	set("X-Consumer-Username", Str(consumer, "username"))
	if credential != nil {
		set("X-Credential-Identifier", identifier)
		delete(h, "X-Anonymous-Consumer")
	} else {
		delete(h, "X-Credential-Identifier")
		h["X-Anonymous-Consumer"] = []string{"true"}
	}
}

// Authenticated tells whether some auth plugin already identified a real credential, which
// makes other auth plugins with `anonymous` set step aside (Kong's "logical OR").
func (c *Context) Authenticated() bool { return c.Consumer != nil && !c.Anonymous }

// AnonymousOr handles a failed authentication the Kong way: with `anonymous` configured (a
// consumer id or username) the request goes on as that consumer; without it, the plugin's
// error stands. It reports whether the request may go on.
func (c *Context) AnonymousOr(anonymous string, fail func()) bool {
	if anonymous == "" {
		fail()
		return false
	}
	consumer, ok := c.Snapshot.Get("consumers", anonymous)
	if !ok {
		consumer, ok = c.Snapshot.Lookup("consumers", "username", anonymous)
	}
	if !ok {
		c.Exit(http.StatusInternalServerError, "anonymous consumer "+anonymous+" is configured but doesn't exist", nil)
		return false
	}
	c.Authenticate(consumer, nil, "")
	return true
}

// LocalPort is the port the request came in on (80 when unknown).
func (c *Context) LocalPort() int {
	if a, ok := c.LocalAddr.(*net.TCPAddr); ok {
		return a.Port
	}
	if c.LocalAddr != nil {
		if _, ps, err := net.SplitHostPort(c.LocalAddr.String()); err == nil {
			if n, err := strconv.Atoi(ps); err == nil {
				return n
			}
		}
	}
	return 80
}
