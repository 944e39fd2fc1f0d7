package dataplane

import (
	"net/http"
	"regexp"
	"strings"
)

// cors: answers CORS preflight requests at the gateway and adds the CORS headers to every
// other response.

func init() { RegisterTyped("cors", newCORS) }

type corsConfig struct {
	Origins        []string `json:"origins"`
	Headers        []string `json:"headers"`
	ExposedHeaders []string `json:"exposed_headers"`
	// Methods is nil when unset (every method), empty when set to none.
	Methods           []string `json:"methods"`
	MaxAge            *float64 `json:"max_age"`
	Credentials       bool     `json:"credentials"`
	PrivateNetwork    bool     `json:"private_network"`
	PreflightContinue bool     `json:"preflight_continue"`
	AllowOriginAbsent bool     `json:"allow_origin_absent"`
}

// corsOrigin is one configured origin: an exact origin, normalized, or a regular expression.
type corsOrigin struct {
	domain string         // normalized scheme://host[:port], for exact entries
	regex  *regexp.Regexp // for entries with characters beyond [A-Za-z0-9.:/-]; nil if it does not compile
	isRe   bool
	byHost bool // the entry has no ":", so it is matched against the request origin's host only
}

type cors struct {
	origins           []string
	compiled          []corsOrigin
	headers           []string
	exposedHeaders    []string
	methods           []string
	maxAge            string // "" when unset
	credentials       bool
	privateNetwork    bool
	preflightContinue bool
	allowOriginAbsent bool
}

// plainOrigin is what Kong takes for a literal origin rather than a regular expression.
var plainOrigin = regexp.MustCompile(`^[A-Za-z0-9.:/-]+$`)

func newCORS(c corsConfig, _ Instance) (Handler, error) {
	h := &cors{origins: c.Origins, headers: c.Headers, exposedHeaders: c.ExposedHeaders,
		methods: c.Methods, credentials: c.Credentials, privateNetwork: c.PrivateNetwork,
		preflightContinue: c.PreflightContinue, allowOriginAbsent: c.AllowOriginAbsent}
	if c.Methods == nil {
		h.methods = []string{"GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS", "TRACE", "CONNECT"}
	}
	if c.MaxAge != nil {
		h.maxAge = cjsonNumber(*c.MaxAge)
	}
	for _, entry := range h.origins {
		o := corsOrigin{byHost: !strings.Contains(entry, ":")}
		if plainOrigin.MatchString(entry) {
			o.domain, _ = normalizeOrigin(entry)
		} else {
			// Kong anchors the expression at both ends (an explicit ^ or $ is kept once).
			o.isRe = true
			pattern := strings.TrimPrefix(entry, "^")
			if !strings.HasSuffix(pattern, "$") {
				pattern += "$"
			}
			// PCRE-only syntax does not compile here; like a Kong regex error, it matches nothing.
			o.regex, _ = regexp.Compile(`^(?:` + pattern + `)`)
		}
		h.compiled = append(h.compiled, o)
	}
	return h, nil
}

// normalizeOrigin is Kong's view of an origin (socket.url parsing): scheme://host with the
// port unless it is the scheme's default; a value without an authority stays as it is and is
// its own host.
func normalizeOrigin(origin string) (domain, host string) {
	rest := origin
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i]
	}
	scheme := ""
	if i := strings.IndexByte(rest, ':'); i > 0 && isSchemeName(rest[:i]) {
		scheme, rest = rest[:i], rest[i+1:]
	}
	if !strings.HasPrefix(rest, "//") {
		return origin, origin
	}
	authority := rest[2:]
	if i := strings.IndexAny(authority, "/?;"); i >= 0 {
		authority = authority[:i]
	}
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		authority = authority[i+1:]
	}
	port, hasPort := "", false
	if i := strings.LastIndexByte(authority, ':'); i >= 0 && !strings.Contains(authority[i:], "]") {
		authority, port, hasPort = authority[:i], authority[i+1:], true
	}
	host = strings.TrimSuffix(strings.TrimPrefix(authority, "["), "]")
	if scheme == "http" && port == "80" || scheme == "https" && port == "443" {
		hasPort = false
	}
	domain = host
	if scheme != "" {
		domain = scheme + "://" + host
	}
	if hasPort {
		domain += ":" + port
	}
	return domain, host
}

func isSchemeName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '+' && c != '-' && c != '.') {
			return false
		}
	}
	return s != ""
}

// isPreflight is Kong's test: OPTIONS with both Origin and Access-Control-Request-Method.
func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && len(r.Header.Values("Origin")) > 0 &&
		len(r.Header.Values("Access-Control-Request-Method")) > 0
}

func (c *cors) Access(ctx *Context) {
	if !isPreflight(ctx.Request) {
		ctx.Decide("not a preflight; the CORS headers are added to the answer")
		return
	}
	if c.preflightContinue {
		ctx.Decide("a preflight, passed to the upstream (preflight_continue)")
		return
	}
	h := http.Header{}
	allowAll := c.allowOrigin(ctx, h, false)
	if ctx.Tracing() {
		ctx.Decide("a preflight, answered by the plugin; Access-Control-Allow-Origin: " + cmpOr(h.Get("Access-Control-Allow-Origin"), "(none: the origin is not allowed)"))
	}
	c.allowCredentials(ctx, h, allowAll, false)
	if len(c.headers) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(c.headers, ","))
	} else if requested := ctx.Request.Header.Values("Access-Control-Request-Headers"); len(requested) > 0 {
		h.Set("Access-Control-Allow-Headers", requested[0])
	}
	h.Set("Access-Control-Allow-Methods", strings.Join(c.methods, ","))
	if c.maxAge != "" {
		h.Set("Access-Control-Max-Age", c.maxAge)
	}
	if c.privateNetwork && ctx.Request.Header.Get("Access-Control-Request-Private-Network") == "true" {
		h.Set("Access-Control-Allow-Private-Network", "true")
	}
	ctx.ExitRaw(http.StatusOK, nil, "", h)
}

// Response adds the CORS headers to responses other than preflights, which the plugin
// answered itself or, with preflight_continue, leaves to the upstream.
func (c *cors) Response(ctx *Context, _ int, h http.Header) {
	if isPreflight(ctx.Downstream) {
		return
	}
	if !c.allowOriginAbsent && len(ctx.Request.Header.Values("Origin")) == 0 {
		return
	}
	allowAll := c.allowOrigin(ctx, h, true)
	c.allowCredentials(ctx, h, allowAll, true)
	if len(c.exposedHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(c.exposedHeaders, ","))
	}
}

// varyOrigin adds Origin to Vary: on a proxied response next to the upstream's values, on
// the plugin's own answer as the only value.
func varyOrigin(h http.Header, onResponse bool) {
	if onResponse {
		h.Add("Vary", "Origin")
	} else {
		h.Set("Vary", "Origin")
	}
}

// allowOrigin sets Access-Control-Allow-Origin; it reports whether every origin is allowed.
func (c *cors) allowOrigin(ctx *Context, h http.Header, onResponse bool) bool {
	if len(c.origins) == 0 || len(c.origins) == 1 && c.origins[0] == "*" {
		h.Set("Access-Control-Allow-Origin", "*")
		return true
	}
	varyOrigin(h, onResponse)
	if len(c.origins) == 1 && !c.compiled[0].isRe {
		h.Set("Access-Control-Allow-Origin", c.origins[0]) // as configured, whatever the request's
		return false
	}
	if origins := ctx.Request.Header.Values("Origin"); len(origins) > 0 {
		domain, host := normalizeOrigin(origins[0])
		for _, o := range c.compiled {
			var found bool
			switch {
			case !o.isRe:
				found = domain == o.domain
			case o.regex != nil && o.byHost:
				found = o.regex.MatchString(host)
			case o.regex != nil:
				found = o.regex.MatchString(domain)
			}
			if found {
				h.Set("Access-Control-Allow-Origin", domain)
				return false
			}
		}
	}
	h.Del("Access-Control-Allow-Origin")
	return false
}

// allowCredentials sets Access-Control-Allow-Credentials. Browsers refuse it next to "*", so
// then the request's origin is echoed instead, if it sent one.
func (c *cors) allowCredentials(ctx *Context, h http.Header, allowAll, onResponse bool) {
	if !c.credentials {
		return
	}
	if !allowAll {
		h.Set("Access-Control-Allow-Credentials", "true")
		return
	}
	if origins := ctx.Request.Header.Values("Origin"); len(origins) > 0 {
		h.Set("Access-Control-Allow-Origin", origins[0])
		h.Set("Access-Control-Allow-Credentials", "true")
		varyOrigin(h, onResponse)
	}
}
