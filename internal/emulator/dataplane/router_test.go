package dataplane

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
)

func routes(t *testing.T, js string) []Entity {
	t.Helper()
	var out []Entity
	if err := json.Unmarshal([]byte(js), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// routerCase: given routes, the request picks route want ("" for no match).
type routerCase struct {
	name    string
	routes  string
	method  string
	host    string
	path    string
	headers map[string][]string
	want    string
	prefix  string // the matched part of the path, when checked
	// port is the destination port (8000 when 0); protocol, sni and source as the request's.
	port     int
	protocol string
	sni      string
	source   string
}

func TestRouterMatchingAndPriority(t *testing.T) {
	t.Parallel()
	cases := []routerCase{
		{name: "plain prefix", routes: `[{"id":"a","paths":["/foo"]}]`, path: "/foo/bar", want: "a", prefix: "/foo"},
		{name: "prefix is not segment aware", routes: `[{"id":"a","paths":["/foo"]}]`, path: "/foobar", want: "a"},
		{name: "no match", routes: `[{"id":"a","paths":["/foo"]}]`, path: "/bar", want: ""},
		{name: "longer prefix wins", routes: `[{"id":"short","paths":["/a"]},{"id":"long","paths":["/a/b"]}]`, path: "/a/b/c", want: "long"},
		{name: "each path competes with its own length", routes: `[{"id":"multi","paths":["/x","/a/b/c"]},{"id":"mid","paths":["/a/b"]}]`, path: "/a/b/c/d", want: "multi"},
		{name: "regex beats plain", routes: `[{"id":"plain","paths":["/users/1"]},{"id":"rx","paths":["~/users/\\d+"]}]`, path: "/users/1", want: "rx"},
		{name: "regex is anchored at the start", routes: `[{"id":"rx","paths":["~/v\\d/items"]}]`, path: "/api/v1/items", want: ""},
		{name: "regex not anchored at the end", routes: `[{"id":"rx","paths":["~/v\\d/items"]}]`, path: "/v2/items/9", want: "rx", prefix: "/v2/items"},
		{name: "regex anchored with $", routes: `[{"id":"rx","paths":["~/v\\d/items$"]}]`, path: "/v2/items/9", want: ""},
		{name: "regex_priority orders regexes", routes: `[{"id":"low","paths":["~/r/.*"],"regex_priority":1},{"id":"high","paths":["~/r/\\w+"],"regex_priority":5}]`, path: "/r/abc", want: "high"},
		{name: "regex_priority does not lift plain paths", routes: `[{"id":"plain","paths":["/r/abc"],"regex_priority":100},{"id":"rx","paths":["~/r/"]}]`, path: "/r/abc", want: "rx"},
		{name: "method must match", routes: `[{"id":"get","methods":["GET"],"paths":["/m"]}]`, method: "POST", path: "/m", want: ""},
		{name: "more fields win", routes: `[{"id":"path","paths":["/m"]},{"id":"path+method","methods":["GET"],"paths":["/m"]}]`, method: "GET", path: "/m", want: "path+method"},
		{name: "host exact", routes: `[{"id":"h","hosts":["api.test"]}]`, host: "api.test", path: "/", want: "h"},
		{name: "host with port in request", routes: `[{"id":"h","hosts":["api.test"]}]`, host: "api.test:8000", path: "/", want: "h"},
		{name: "host case-insensitive", routes: `[{"id":"h","hosts":["api.test"]}]`, host: "API.Test", path: "/", want: "h"},
		{name: "leading wildcard host", routes: `[{"id":"w","hosts":["*.example.test"]}]`, host: "a.b.example.test", path: "/", want: "w"},
		{name: "leading wildcard needs a label", routes: `[{"id":"w","hosts":["*.example.test"]}]`, host: "example.test", path: "/", want: ""},
		{name: "trailing wildcard host", routes: `[{"id":"w","hosts":["example.*"]}]`, host: "example.org", path: "/", want: "w"},
		{name: "plain host beats wildcard", routes: `[{"id":"w","hosts":["*.example.test"]},{"id":"p","hosts":["api.example.test"]}]`, host: "api.example.test", path: "/", want: "p"},
		{name: "host with port must match the port", routes: `[{"id":"hp","hosts":["api.test:9000"]}]`, host: "api.test:8000", path: "/", want: ""},
		{name: "header value lowercased", routes: `[{"id":"hd","headers":{"X-Version":["V2"]}}]`, headers: map[string][]string{"x-version": {"v2"}}, path: "/", want: "hd"},
		{name: "header any value", routes: `[{"id":"hd","headers":{"x-env":["a","b"]}}]`, headers: map[string][]string{"X-Env": {"b"}}, path: "/", want: "hd"},
		{name: "header regex", routes: `[{"id":"hd","headers":{"x-id":["~*^user-\\d+$"]}}]`, headers: map[string][]string{"X-Id": {"USER-42"}}, path: "/", want: "hd"},
		{name: "headers are ANDed", routes: `[{"id":"hd","headers":{"a":["1"],"b":["2"]}}]`, headers: map[string][]string{"A": {"1"}}, path: "/", want: ""},
		{name: "more headers win", routes: `[{"id":"one","headers":{"a":["1"]},"paths":["/"]},{"id":"two","headers":{"a":["1"],"b":["2"]},"paths":["/"]}]`, headers: map[string][]string{"A": {"1"}, "B": {"2"}}, path: "/", want: "two"},
		{name: "equal weight: the plain prefix length decides", routes: `[{"id":"path","paths":["/long/path"]},{"id":"host","hosts":["h.test"]}]`, host: "h.test", path: "/long/path", want: "path"},
		{name: "normalized dot segments", routes: `[{"id":"a","paths":["/a/c"]}]`, path: "/a/b/../c", want: "a"},
		{name: "normalized double slashes", routes: `[{"id":"a","paths":["/a/b"]}]`, path: "//a//b", want: "a"},
		{name: "percent-decoded unreserved", routes: `[{"id":"a","paths":["/a-b"]}]`, path: "/a%2Db", want: "a"},
		{name: "named regex capture", routes: `[{"id":"cap","paths":["~/users/(?<uid>\\d+)"]}]`, path: "/users/77/x", want: "cap"},
		// A host with a port compares the destination port, not the Host header's.
		{name: "host port is the destination port", routes: `[{"id":"hp","hosts":["api.test:9000"]}]`, host: "api.test:9000", path: "/", want: ""},
		{name: "host port matches the destination port", routes: `[{"id":"hp","hosts":["api.test:9000"]}]`, host: "api.test", port: 9000, path: "/", want: "hp"},
		{name: "Host header port is ignored", routes: `[{"id":"hp","hosts":["api.test:8000"]}]`, host: "api.test:1234", path: "/", want: "hp"},
		// Protocols: a route of the stream subsystem is not in the HTTP router, so it cannot
		// shadow an HTTP route; an https-only route still matches (the proxy then answers 426).
		{name: "stream route does not match", routes: `[{"id":"tcp","protocols":["tcp"],"paths":["/a/b"]},{"id":"http","paths":["/a"]}]`, path: "/a/b", want: "http"},
		{name: "https-only route matches over http", routes: `[{"id":"tls","protocols":["https"],"paths":["/a"]}]`, path: "/a", want: "tls"},
		{name: "grpc route matches", routes: `[{"id":"g","protocols":["grpc"],"paths":["/a"]}]`, path: "/a", want: "g"},
		// snis count over https only.
		{name: "sni ignored over http", routes: `[{"id":"s","snis":["a.test"],"paths":["/"]}]`, path: "/", want: "s"},
		{name: "sni compared over https", routes: `[{"id":"s","snis":["a.test"],"paths":["/"]}]`, protocol: "https", sni: "b.test", path: "/", want: ""},
		{name: "sni matches over https", routes: `[{"id":"s","snis":["a.test."],"paths":["/"]}]`, protocol: "https", sni: "a.test", path: "/", want: "s"},
		// sources and destinations.
		{name: "source in range", routes: `[{"id":"src","sources":[{"ip":"10.0.0.0/8"}],"paths":["/"]}]`, source: "10.1.2.3:5555", path: "/", want: "src"},
		{name: "source out of range", routes: `[{"id":"src","sources":[{"ip":"10.0.0.0/8"}],"paths":["/"]}]`, source: "192.168.0.1:5555", path: "/", want: ""},
		{name: "source port", routes: `[{"id":"src","sources":[{"port":5555}],"paths":["/"]}]`, source: "192.168.0.1:5556", path: "/", want: ""},
		{name: "destination port", routes: `[{"id":"dst","destinations":[{"ip":"127.0.0.1","port":9000}],"paths":["/"]},{"id":"any","paths":["/"]}]`, port: 9000, path: "/", want: "dst"},
		{name: "destination port differs", routes: `[{"id":"dst","destinations":[{"ip":"127.0.0.1","port":9000}],"paths":["/"]},{"id":"any","paths":["/"]}]`, path: "/", want: "any"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, skipped := NewRouter(routes(t, tc.routes))
			for _, s := range skipped {
				if s.ID != "tcp" {
					t.Fatalf("skipped %+v", s)
				}
			}
			method := tc.method
			if method == "" {
				method = "GET"
			}
			port := tc.port
			if port == 0 {
				port = 8000
			}
			req := RouteRequest{Method: method, Host: tc.host, Path: tc.path, Headers: tc.headers, Port: port, Protocol: tc.protocol, SNI: tc.sni,
				Destination: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port))}
			if tc.source != "" {
				req.Source = netip.MustParseAddrPort(tc.source)
			}
			m := r.Find(req)
			got := ""
			if m != nil {
				got = Str(m.Route, "id")
			}
			if got != tc.want {
				t.Fatalf("got route %q, want %q", got, tc.want)
			}
			if tc.prefix != "" && m.Prefix != tc.prefix {
				t.Fatalf("prefix %q, want %q", m.Prefix, tc.prefix)
			}
		})
	}
}

func TestRegexCaptures(t *testing.T) {
	t.Parallel()
	r, skipped := NewRouter(routes(t, `[{"id":"cap","paths":["~/users/(?<uid>\\d+)/(\\w+)"]}]`))
	if skipped != nil {
		t.Fatal(skipped)
	}
	m := r.Find(RouteRequest{Method: "GET", Path: "/users/77/posts"})
	if m == nil || m.Captures["uid"] != "77" || m.Captures["1"] != "77" || m.Captures["2"] != "posts" || m.Captures["0"] != "/users/77/posts" {
		t.Fatalf("captures: %+v", m)
	}
}

func TestUpstreamPathV0(t *testing.T) {
	t.Parallel()
	// Kong's table for a route path /foo (kong-behaviour notes §4.3).
	cases := []struct {
		servicePath string
		strip       bool
		request     string
		want        string
	}{
		{"", true, "/foo", "/"}, {"", true, "/foo/", "/"}, {"", true, "/foo/bar", "/bar"}, {"", true, "/foobar", "/bar"},
		{"", false, "/foo", "/foo"}, {"", false, "/foo/bar", "/foo/bar"}, {"", false, "/foobar", "/foobar"},
		{"/api", true, "/foo", "/api"}, {"/api", true, "/foo/", "/api/"}, {"/api", true, "/foo/bar", "/api/bar"}, {"/api", true, "/foobar", "/api/bar"},
		{"/api", false, "/foo", "/api/foo"}, {"/api", false, "/foo/", "/api/foo/"}, {"/api", false, "/foo/bar", "/api/foo/bar"},
		{"/api/", true, "/foo", "/api"}, {"/api/", true, "/foo/", "/api/"}, {"/api/", true, "/foo/bar", "/api/bar"},
		{"/api/", false, "/foo", "/api/foo"}, {"/api/", false, "/foo/bar", "/api/foo/bar"},
	}
	for _, tc := range cases {
		route := Entity{"id": "r", "paths": []any{"/foo"}, "strip_path": tc.strip}
		r, _ := NewRouter([]Entity{route})
		m := r.Find(RouteRequest{Method: "GET", Path: tc.request})
		if m == nil {
			t.Fatalf("%s did not match", tc.request)
		}
		if got := upstreamPath(m, tc.servicePath); got != tc.want {
			t.Errorf("service.path=%q strip=%v %s -> %s, want %s", tc.servicePath, tc.strip, tc.request, got, tc.want)
		}
	}
}

// FuzzRouter fuzzes the request and one route's definition (path, host, method, header and
// regex_priority) among fixed routes: compiling never panics (a route that does not compile
// is skipped with a reason), matching never panics, and a route that compiled matches a
// request made of its own plain values.
func FuzzRouter(f *testing.F) {
	for _, seed := range []string{"/", "/foo/../bar", "//a//b", "/%2e%2e/x", "/users/1?x=1", "/%zz", "/~/", "/a/./b/", strings10()} {
		f.Add(seed, "api.example.test", "GET", "/foo", "api.example.test", "get", "x-v", "v1", 0)
	}
	f.Add("/users/42", "a.example.test", "POST", "~/users/(?<id>\\d+)", "*.example.test", "POST", "x-v", "~*^v\\d$", 3)
	f.Add("/x", "example.org:8000", "PUT", "~/(?=x)", "example.*:8000", "PUT", "x-a", "~*((", -1)
	f.Add("/", "", "", "", "", "", "", "", 0)
	f.Fuzz(func(t *testing.T, path, host, method, routePath, routeHost, routeMethod, headerName, headerValue string, regexPriority int) {
		fuzzed := Entity{"id": "fuzzed", "paths": []any{routePath}, "hosts": []any{routeHost}, "methods": []any{routeMethod},
			"headers": map[string]any{headerName: []any{headerValue}}, "regex_priority": float64(regexPriority)}
		fixed := []Entity{
			{"id": "a", "paths": []any{"/foo", "~/users/(?<id>\\d+)"}},
			{"id": "b", "hosts": []any{"*.example.test"}, "methods": []any{"GET"}},
			{"id": "c", "headers": map[string]any{"x-v": []any{"~*^v\\d$"}}},
		}
		r, skipped := NewRouter(append(fixed, fuzzed))
		for _, s := range skipped {
			if s.ID != "fuzzed" || s.Reason == "" {
				t.Fatalf("skipped %+v", s)
			}
		}
		m := r.Find(RouteRequest{Method: method, Host: host, Path: path, Headers: map[string][]string{"X-V": {path}, headerName: {host}}, Port: 8000})
		if m != nil {
			_ = upstreamPath(m, "/svc")
			if len(m.Prefix) > len(m.Path) {
				t.Fatalf("prefix %q longer than path %q", m.Prefix, m.Path)
			}
		}
		if p := normalizePath(path); p == "" || p[0] != '/' {
			t.Fatalf("normalized %q to %q", path, p)
		}
		if len(skipped) > 0 || !plainValue(routeHost) || !plainValue(routeMethod) || !plainValue(headerName) ||
			strings.HasPrefix(routePath, "~") || strings.HasPrefix(headerValue, "~*") {
			return
		}
		alone, _ := NewRouter([]Entity{fuzzed})
		own := RouteRequest{Method: strings.ToUpper(routeMethod), Host: routeHost, Path: routePath,
			Headers: map[string][]string{headerName: {headerValue}}, Port: 8000}
		if alone.Find(own) == nil {
			t.Fatalf("route %v does not match its own values %+v", fuzzed, own)
		}
	})
}

// plainValue is a host, method or header name made of letters, digits, '-' and inner dots:
// one the router compares as it is.
func plainValue(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isHostNameChar(s[i]) && s[i] != '.' || s[i] == '_' {
			return false
		}
	}
	return true
}

func strings10() string { return "/aaaaaaaaaa/../../../../b" }
