package dataplane

import (
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Router matches requests to routes as Kong's traditional_compatible router does (the default
// router_flavor): plain paths by prefix, "~" paths as anchored regexes, wildcard hosts,
// methods, headers; the most specific route wins by Kong's priority rules.
type Router struct {
	matchers []*matcher
}

// RouteRequest is what the router looks at.
type RouteRequest struct {
	Method  string
	Host    string // Host header; a port in it is ignored (hosts with a port compare Port)
	Path    string // raw request path (it is normalized here)
	Headers map[string][]string
	Port    int // the destination port: the one the request came in on
	// Protocol is "http" or "https"; SNI, the TLS server name, is compared only over https.
	Protocol string
	SNI      string
	// Source and Destination are the client's and the proxy's addresses, for the routes'
	// sources and destinations; invalid when unknown.
	Source, Destination netip.AddrPort
}

// Match is a routing decision.
type Match struct {
	Route    Entity
	Path     string            // the normalized request path
	Prefix   string            // the part of the path the route's path matched
	Captures map[string]string // regex captures: "0", "1"... and names
	// HTTPSOnly and GRPC say what the route's protocols require of the request (read once,
	// when the router is built).
	HTTPSOnly, GRPC bool
}

type hostMatcher struct {
	plain    string // exact host
	suffix   string // "*.example.com" -> ".example.com"
	prefix   string // "example.*" -> "example."
	port     int    // 0: any
	wildcard bool
}

type headerMatcher struct {
	name   string // lowercased
	values []string
	regex  []*regexp.Regexp
}

// netMatcher is one entry of a route's sources or destinations: an address or CIDR range,
// a port, or both.
type netMatcher struct {
	prefix netip.Prefix // invalid: any address
	port   int          // 0: any port
}

func (n netMatcher) matches(a netip.AddrPort) bool {
	if !a.IsValid() {
		return false
	}
	if n.prefix.IsValid() && !n.prefix.Contains(a.Addr().Unmap()) {
		return false
	}
	return n.port == 0 || int(a.Port()) == n.port
}

type pathMatcher struct {
	prefix string
	regex  *regexp.Regexp
}

type matcher struct {
	route     Entity
	httpsOnly bool
	grpc      bool
	order     int // position among routes, for a stable order on a full tie
	methods   map[string]bool
	hosts     []hostMatcher
	headers   []headerMatcher
	paths     []pathMatcher
	snis      map[string]bool
	sources   []netMatcher
	dests     []netMatcher

	// priority, compared field by field, highest first
	weight        int
	plainHosts    bool
	headerCount   int
	regex         bool
	regexPriority int
	prefixLen     int
}

// httpSubsystem are the route protocols served by Kong's HTTP proxy; a route with none of
// them (tcp, tls, udp...) belongs to the stream proxy, which the emulator does not run.
var httpSubsystem = map[string]bool{"http": true, "https": true, "grpc": true, "grpcs": true, "ws": true, "wss": true}

// NewRouter compiles routes. A route with several paths becomes one matcher per group (all
// regex paths together, plain paths by length), so each path competes with its own length.
// A route that cannot be compiled (a regex Go cannot compile...) or that is not an HTTP
// route is left out and returned as skipped; the others are served.
func NewRouter(routes []Entity) (*Router, []Skipped) {
	r := &Router{}
	var skipped []Skipped
	for i, route := range routes {
		ms, err := compileRoute(route, i)
		if err != nil {
			skipped = append(skipped, Skipped{Kind: "routes", ID: Str(route, "id"), Name: Str(route, "name"), Reason: err.Error()})
			continue
		}
		r.matchers = append(r.matchers, ms...)
	}
	sort.SliceStable(r.matchers, func(i, j int) bool { return r.matchers[i].before(r.matchers[j]) })
	return r, skipped
}

func (m *matcher) before(o *matcher) bool {
	if m.weight != o.weight {
		return m.weight > o.weight
	}
	if m.plainHosts != o.plainHosts {
		return m.plainHosts
	}
	if m.headerCount != o.headerCount {
		return m.headerCount > o.headerCount
	}
	if m.regex != o.regex {
		return m.regex
	}
	if m.regexPriority != o.regexPriority {
		return m.regexPriority > o.regexPriority
	}
	if m.prefixLen != o.prefixLen {
		return m.prefixLen > o.prefixLen
	}
	return m.order < o.order
}

func compileRoute(route Entity, order int) ([]*matcher, error) {
	if protocols, ok := route["protocols"].([]any); ok && len(protocols) > 0 {
		served := false
		for _, p := range Strings(route, "protocols") {
			served = served || httpSubsystem[p]
		}
		if !served {
			return nil, fmt.Errorf("protocols %s are not HTTP; the emulator's data plane serves HTTP only", strings.Join(Strings(route, "protocols"), ", "))
		}
	}
	base := &matcher{route: route, order: order, regexPriority: int(Num(route, "regex_priority"))}
	protocols := map[string]bool{}
	for _, p := range Strings(route, "protocols") {
		protocols[p] = true
	}
	base.httpsOnly = protocols["https"] && !protocols["http"]
	base.grpc = protocols["grpc"] || protocols["grpcs"]
	for _, sni := range Strings(route, "snis") {
		if base.snis == nil {
			base.snis = map[string]bool{}
		}
		base.snis[strings.ToLower(strings.TrimSuffix(sni, "."))] = true
	}
	var err error
	if base.sources, err = compileNets(route["sources"]); err != nil {
		return nil, fmt.Errorf("sources: %w", err)
	}
	if base.dests, err = compileNets(route["destinations"]); err != nil {
		return nil, fmt.Errorf("destinations: %w", err)
	}
	if methods := Strings(route, "methods"); len(methods) > 0 {
		base.methods = map[string]bool{}
		for _, m := range methods {
			base.methods[strings.ToUpper(m)] = true
		}
	}
	for _, h := range Strings(route, "hosts") {
		hm, err := compileHost(h)
		if err != nil {
			return nil, err
		}
		base.hosts = append(base.hosts, hm)
	}
	if headers, ok := route["headers"].(map[string]any); ok {
		names := make([]string, 0, len(headers))
		for name := range headers {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			hm := headerMatcher{name: strings.ToLower(name)}
			for _, v := range Strings(Entity{"v": headers[name]}, "v") {
				if rx, ok := strings.CutPrefix(v, "~*"); ok {
					re, err := regexp.Compile("(?i)" + rx)
					if err != nil {
						return nil, fmt.Errorf("header %s regex %q: %w", name, rx, err)
					}
					hm.regex = append(hm.regex, re)
				} else {
					hm.values = append(hm.values, strings.ToLower(v))
				}
			}
			base.headers = append(base.headers, hm)
		}
	}
	base.headerCount = len(base.headers)
	base.plainHosts = true
	for _, h := range base.hosts {
		if h.wildcard {
			base.plainHosts = false
		}
	}
	weight := 0
	for _, present := range []bool{len(base.methods) > 0, len(base.hosts) > 0, len(base.headers) > 0, len(Strings(route, "snis")) > 0,
		len(asList(route["sources"])) > 0, len(asList(route["destinations"])) > 0} {
		if present {
			weight++
		}
	}
	paths := Strings(route, "paths")
	if len(paths) == 0 {
		base.weight = weight
		return []*matcher{base}, nil
	}
	weight++ // paths
	var regexGroup []pathMatcher
	plainByLen := map[int][]pathMatcher{}
	for _, p := range paths {
		if rx, ok := strings.CutPrefix(p, "~"); ok {
			re, err := regexp.Compile("^(?:" + rx + ")")
			if err != nil {
				return nil, fmt.Errorf("path regex %q: %w", rx, err)
			}
			regexGroup = append(regexGroup, pathMatcher{regex: re})
			continue
		}
		np := normalizePath(p)
		plainByLen[len(np)] = append(plainByLen[len(np)], pathMatcher{prefix: np})
	}
	var out []*matcher
	if len(regexGroup) > 0 {
		m := *base
		m.weight, m.regex, m.paths = weight, true, regexGroup
		out = append(out, &m)
	}
	lens := make([]int, 0, len(plainByLen))
	for l := range plainByLen {
		lens = append(lens, l)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(lens)))
	for _, l := range lens {
		m := *base
		m.weight, m.paths, m.prefixLen, m.regexPriority = weight, plainByLen[l], l, 0
		out = append(out, &m)
	}
	return out, nil
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// compileNets reads sources or destinations: [{"ip": "10.0.0.0/8", "port": 80}, ...].
func compileNets(v any) ([]netMatcher, error) {
	var out []netMatcher
	for _, item := range asList(v) {
		e, _ := item.(map[string]any)
		n := netMatcher{port: int(Num(e, "port"))}
		if ip := Str(e, "ip"); ip != "" {
			var err error
			if strings.Contains(ip, "/") {
				n.prefix, err = netip.ParsePrefix(ip)
			} else {
				var a netip.Addr
				if a, err = netip.ParseAddr(ip); err == nil {
					n.prefix = netip.PrefixFrom(a, a.BitLen())
				}
			}
			if err != nil {
				return nil, fmt.Errorf("ip %q: %w", ip, err)
			}
			n.prefix = n.prefix.Masked()
		}
		if !n.prefix.IsValid() && n.port == 0 {
			return nil, fmt.Errorf("an entry needs an ip or a port")
		}
		out = append(out, n)
	}
	return out, nil
}

func compileHost(h string) (hostMatcher, error) {
	hm := hostMatcher{}
	host := h
	if hh, p, err := net.SplitHostPort(h); err == nil {
		n, err := strconv.Atoi(p)
		if err != nil {
			return hm, fmt.Errorf("host %q: bad port", h)
		}
		host, hm.port = hh, n
	}
	host = strings.ToLower(host)
	switch {
	case strings.HasPrefix(host, "*"):
		hm.suffix, hm.wildcard = host[1:], true
	case strings.HasSuffix(host, "*"):
		hm.prefix, hm.wildcard = host[:len(host)-1], true
	default:
		hm.plain = host
	}
	return hm, nil
}

// Find returns the best route for the request, or nil.
func (r *Router) Find(req RouteRequest) *Match {
	path := normalizePath(req.Path)
	// As in Kong's traditional_compatible router: the host is the Host header without its
	// port, and a route host with a port compares the destination port.
	host, _ := splitHost(req.Host)
	port := req.Port
	for _, m := range r.matchers {
		if match := m.match(req, path, host, port); match != nil {
			return match
		}
	}
	return nil
}

func splitHost(hostport string) (string, int) {
	h, p, err := net.SplitHostPort(hostport)
	if err != nil {
		return strings.ToLower(strings.TrimSuffix(hostport, ".")), 0
	}
	n, _ := strconv.Atoi(p)
	return strings.ToLower(h), n
}

func (m *matcher) match(req RouteRequest, path, host string, port int) *Match {
	if m.methods != nil && !m.methods[req.Method] {
		return nil
	}
	// SNIs count only over https.
	if m.snis != nil && req.Protocol == "https" && !m.snis[strings.ToLower(strings.TrimSuffix(req.SNI, "."))] {
		return nil
	}
	if !anyNet(m.sources, req.Source) || !anyNet(m.dests, req.Destination) {
		return nil
	}
	if len(m.hosts) > 0 {
		ok := false
		for _, h := range m.hosts {
			if h.port != 0 && h.port != port {
				continue
			}
			switch {
			case h.plain != "" && h.plain == host,
				h.suffix != "" && strings.HasSuffix(host, h.suffix) && len(host) > len(h.suffix),
				h.prefix != "" && strings.HasPrefix(host, h.prefix) && len(host) > len(h.prefix):
				ok = true
			}
			if ok {
				break
			}
		}
		if !ok {
			return nil
		}
	}
	for _, hm := range m.headers {
		if !hm.matches(req.Headers) {
			return nil
		}
	}
	result := &Match{Route: m.route, Path: path, HTTPSOnly: m.httpsOnly, GRPC: m.grpc}
	if len(m.paths) == 0 {
		return result
	}
	for _, p := range m.paths {
		if p.regex == nil {
			if strings.HasPrefix(path, p.prefix) {
				result.Prefix = p.prefix
				return result
			}
			continue
		}
		loc := p.regex.FindStringSubmatchIndex(path)
		if loc == nil {
			continue
		}
		result.Prefix = path[:loc[1]]
		result.Captures = map[string]string{}
		for i, name := range p.regex.SubexpNames() {
			if loc[2*i] < 0 {
				continue
			}
			v := path[loc[2*i]:loc[2*i+1]]
			result.Captures[strconv.Itoa(i)] = v
			if name != "" {
				result.Captures[name] = v
			}
		}
		return result
	}
	return nil
}

// anyNet tells whether an address matches one of the entries (no entries: any address).
func anyNet(list []netMatcher, a netip.AddrPort) bool {
	if len(list) == 0 {
		return true
	}
	for _, n := range list {
		if n.matches(a) {
			return true
		}
	}
	return false
}

func (hm headerMatcher) matches(headers map[string][]string) bool {
	for name, values := range headers {
		if strings.ToLower(name) != hm.name {
			continue
		}
		for _, v := range values {
			lv := strings.ToLower(v)
			for _, want := range hm.values {
				if lv == want {
					return true
				}
			}
			for _, re := range hm.regex {
				if re.MatchString(v) {
					return true
				}
			}
		}
	}
	return false
}

// normalizePath is Kong's normalization before matching: percent-decoding of unreserved
// characters (others keep their escape, with upper-case hex), dot segments removed, and
// repeated slashes merged.
func normalizePath(p string) string {
	if p == "" {
		return "/"
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '%' && i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]) {
			v, _ := strconv.ParseUint(p[i+1:i+3], 16, 8)
			ch := byte(v)
			if isUnreserved(ch) {
				b.WriteByte(ch)
			} else {
				b.WriteString("%" + strings.ToUpper(p[i+1:i+3]))
			}
			i += 2
			continue
		}
		b.WriteByte(c)
	}
	s := b.String()
	for strings.Contains(s, "//") {
		s = strings.ReplaceAll(s, "//", "/")
	}
	segments := strings.Split(s, "/")
	out := make([]string, 0, len(segments))
	for i, seg := range segments {
		switch seg {
		case ".":
			if i == len(segments)-1 {
				out = append(out, "")
			}
		case "..":
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
			if i == len(segments)-1 {
				out = append(out, "")
			}
		default:
			out = append(out, seg)
		}
	}
	s = strings.Join(out, "/")
	if !strings.HasPrefix(s, "/") {
		s = "/" + s
	}
	return s
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func isUnreserved(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~'
}

// upstreamPath is Kong's v0 path handling (the only one traditional_compatible has): strip the
// matched prefix if asked, then join with the service's path.
func upstreamPath(m *Match, servicePath string) string {
	postfix := m.Path
	if b, ok := m.Route["strip_path"].(bool); !ok || b {
		postfix = strings.TrimPrefix(m.Path, m.Prefix)
	}
	if servicePath == "" || servicePath == "/" {
		switch {
		case postfix == "":
			return "/"
		case strings.HasPrefix(postfix, "/"):
			return postfix
		default:
			return "/" + postfix
		}
	}
	base := strings.TrimSuffix(servicePath, "/")
	switch {
	case postfix == "":
		return base
	case strings.HasPrefix(postfix, "/"):
		return base + postfix
	default:
		return base + "/" + postfix
	}
}
