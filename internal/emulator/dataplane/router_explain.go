package dataplane

import (
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// Explain says why no route matched a request: the closest route (the one whose rules fail
// the fewest, the higher priority first on a tie) and, in words, each of its rules that
// failed. It runs only for traced requests that matched nothing, so it may take its time.
func (r *Router) Explain(req RouteRequest) *RouteMiss {
	path := normalizePath(req.Path)
	host, _ := splitHost(req.Host)
	var best *RouteMiss
	for _, m := range r.matchers {
		failed := m.failures(req, path, host)
		if len(failed) == 0 {
			continue
		}
		if best == nil || len(failed) < len(best.Failed) {
			best = &RouteMiss{Closest: m.route, Failed: failed}
		}
	}
	if best == nil {
		return &RouteMiss{Failed: []string{"the control plane has no route the proxy serves"}}
	}
	return best
}

// failures lists, in words, the rules of this matcher the request does not meet, in the
// order the router checks them.
func (m *matcher) failures(req RouteRequest, path, host string) []string {
	var out []string
	if m.methods != nil && !m.methods[req.Method] {
		out = append(out, "method: "+req.Method+" is not one of "+strings.Join(sortedKeys(m.methods), ", "))
	}
	if m.snis != nil && req.Protocol == "https" && !m.snis[strings.ToLower(strings.TrimSuffix(req.SNI, "."))] {
		out = append(out, "snis: "+strconv.Quote(req.SNI)+" is not one of "+strings.Join(sortedKeys(m.snis), ", "))
	}
	if !anyNet(m.sources, req.Source) {
		out = append(out, "sources: client "+addrText(req.Source)+" is not among "+netsText(m.route["sources"]))
	}
	if !anyNet(m.dests, req.Destination) {
		out = append(out, "destinations: "+addrText(req.Destination)+" is not among "+netsText(m.route["destinations"]))
	}
	if len(m.hosts) > 0 && !m.hostMatches(host, req.Port) {
		words := "host: " + strconv.Quote(host) + " (port " + strconv.Itoa(req.Port) + ") matches none of " + strings.Join(Strings(m.route, "hosts"), ", ")
		// A proxy in front that rewrote Host often keeps the client's in X-Forwarded-Host.
		if fwd := requestHeaderValues(req.Headers, "x-forwarded-host"); len(fwd) > 0 {
			if original, _ := splitHost(fwd[0]); original != host && m.hostMatches(original, req.Port) {
				words += "; X-Forwarded-Host " + strconv.Quote(original) + " would match: a proxy in front rewrote Host " +
					"(have it pass the client's Host on, or add " + strconv.Quote(host) + " to the route's hosts)"
			}
		}
		out = append(out, words)
	}
	for _, hm := range m.headers {
		if hm.matches(req.Headers) {
			continue
		}
		want := make([]string, 0, len(hm.values)+len(hm.regex))
		want = append(want, hm.values...)
		for _, re := range hm.regex {
			want = append(want, "~*"+strings.TrimPrefix(re.String(), "(?i)"))
		}
		got := requestHeaderValues(req.Headers, hm.name)
		if len(got) == 0 {
			out = append(out, "header: "+hm.name+" is missing (wanted "+strings.Join(want, " or ")+")")
		} else {
			out = append(out, "header: "+hm.name+" is "+strings.Join(got, ", ")+", not "+strings.Join(want, " or "))
		}
	}
	if len(m.paths) > 0 && !m.pathMatches(path) {
		out = append(out, "path: "+path+" matches none of "+strings.Join(Strings(m.route, "paths"), ", "))
	}
	return out
}

func (m *matcher) hostMatches(host string, port int) bool {
	for _, h := range m.hosts {
		if h.port != 0 && h.port != port {
			continue
		}
		if h.plain != "" && h.plain == host ||
			h.suffix != "" && strings.HasSuffix(host, h.suffix) && len(host) > len(h.suffix) ||
			h.prefix != "" && strings.HasPrefix(host, h.prefix) && len(host) > len(h.prefix) {
			return true
		}
	}
	return false
}

func (m *matcher) pathMatches(path string) bool {
	for _, p := range m.paths {
		if p.regex == nil && strings.HasPrefix(path, p.prefix) || p.regex != nil && p.regex.MatchString(path) {
			return true
		}
	}
	return false
}

func sortedKeys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func addrText(a netip.AddrPort) string {
	if !a.IsValid() {
		return "(unknown)"
	}
	if a.Port() == 0 {
		return a.Addr().String()
	}
	return a.String()
}

func netsText(v any) string {
	var parts []string
	for _, item := range asList(v) {
		e, _ := item.(map[string]any)
		s := Str(e, "ip")
		if port := int(Num(e, "port")); port != 0 {
			s += ":" + strconv.Itoa(port)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func requestHeaderValues(headers map[string][]string, lowerName string) []string {
	for name, values := range headers {
		if strings.ToLower(name) == lowerName {
			return values
		}
	}
	return nil
}
