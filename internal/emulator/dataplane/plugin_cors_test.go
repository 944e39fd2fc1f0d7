package dataplane

import (
	"net/http"
	"testing"
)

func TestCORS(t *testing.T) {
	t.Parallel()
	preflight := func(origin string, extra ...string) pluginRequest {
		h := http.Header{"Origin": {origin}, "Access-Control-Request-Method": {"POST"}}
		for i := 0; i+1 < len(extra); i += 2 {
			h.Set(extra[i], extra[i+1])
		}
		return pluginRequest{method: http.MethodOptions, path: "/t", header: h}
	}
	get := func(origin string) pluginRequest {
		h := http.Header{}
		if origin != "" {
			h.Set("Origin", origin)
		}
		return pluginRequest{path: "/t", header: h}
	}
	const allMethods = "GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT"
	tests := []struct {
		name    string
		config  map[string]any
		before  []Entity // more plugins on the route
		req     pluginRequest
		status  int  // 200 when 0
		proxied bool // the upstream answered
		headers map[string][]string
	}{
		{
			name: "preflight with the defaults", config: map[string]any{},
			req: preflight("http://a.test", "Access-Control-Request-Headers", "X-One, X-Two"),
			headers: map[string][]string{"Access-Control-Allow-Origin": headerValues("*"), "Access-Control-Allow-Methods": headerValues(allMethods),
				"Access-Control-Allow-Headers": headerValues("X-One, X-Two"), "Access-Control-Allow-Credentials": nil,
				"Access-Control-Max-Age": nil, "Vary": nil, "Content-Type": nil, "Content-Length": headerValues("0"),
				"Access-Control-Expose-Headers": nil},
		},
		{
			name: "preflight with everything configured",
			config: map[string]any{"origins": []any{"http://a.test"}, "headers": []any{"X-A", "X-B"}, "methods": []any{"GET", "POST"},
				"max_age": 3600, "credentials": true, "exposed_headers": []any{"X-E"}},
			req: preflight("http://other.test"),
			headers: map[string][]string{"Access-Control-Allow-Origin": headerValues("http://a.test"), "Vary": headerValues("Origin"),
				"Access-Control-Allow-Headers": headerValues("X-A,X-B"), "Access-Control-Allow-Methods": headerValues("GET,POST"),
				"Access-Control-Max-Age": headerValues("3600"), "Access-Control-Allow-Credentials": headerValues("true"),
				"Access-Control-Expose-Headers": nil},
		},
		{
			name:    "credentials with any origin echo the request's origin",
			config:  map[string]any{"origins": []any{"*"}, "credentials": true},
			req:     preflight("http://a.test"),
			headers: map[string][]string{"Access-Control-Allow-Origin": headerValues("http://a.test"), "Access-Control-Allow-Credentials": headerValues("true"), "Vary": headerValues("Origin")},
		},
		{
			name:    "a listed origin is echoed, normalized",
			config:  map[string]any{"origins": []any{"http://a.test", "https://b.test:8443"}},
			req:     preflight("http://a.test:80"),
			headers: map[string][]string{"Access-Control-Allow-Origin": headerValues("http://a.test"), "Vary": headerValues("Origin")},
		},
		{
			name:    "an origin off the list gets no Allow-Origin",
			config:  map[string]any{"origins": []any{"http://a.test", "https://b.test:8443"}},
			req:     preflight("https://b.test"),
			headers: map[string][]string{"Access-Control-Allow-Origin": nil, "Vary": headerValues("Origin"), "Access-Control-Allow-Methods": headerValues(allMethods)},
		},
		{
			name:    "a regular expression matches the whole origin",
			config:  map[string]any{"origins": []any{`https://.*\.example\.com`}},
			req:     preflight("https://api.example.com"),
			headers: map[string][]string{"Access-Control-Allow-Origin": headerValues("https://api.example.com")},
		},
		{
			name:    "a regular expression is anchored",
			config:  map[string]any{"origins": []any{`https://.*\.example\.com`}},
			req:     preflight("https://api.example.com.evil.test"),
			headers: map[string][]string{"Access-Control-Allow-Origin": nil},
		},
		{
			name:    "a regular expression without a colon matches the host",
			config:  map[string]any{"origins": []any{`(.*\.)?example\.com`, "http://x.test"}},
			req:     preflight("http://www.example.com:8080"),
			headers: map[string][]string{"Access-Control-Allow-Origin": headerValues("http://www.example.com:8080")},
		},
		{
			name:    "a PCRE-only expression matches nothing",
			config:  map[string]any{"origins": []any{`https://(?=x)a\.test`, "http://x.test"}},
			req:     preflight("https://a.test"),
			headers: map[string][]string{"Access-Control-Allow-Origin": nil},
		},
		{
			name:    "private network access",
			config:  map[string]any{"private_network": true},
			req:     preflight("http://a.test", "Access-Control-Request-Private-Network", "true"),
			headers: map[string][]string{"Access-Control-Allow-Private-Network": headerValues("true")},
		},
		{
			name:    "private network access not asked",
			config:  map[string]any{"private_network": true},
			req:     preflight("http://a.test"),
			headers: map[string][]string{"Access-Control-Allow-Private-Network": nil},
		},
		{
			name:    "preflight_continue proxies preflights untouched",
			config:  map[string]any{"preflight_continue": true},
			req:     preflight("http://a.test"),
			proxied: true,
			headers: map[string][]string{"Access-Control-Allow-Origin": nil, "Access-Control-Allow-Methods": nil},
		},
		{
			name:    "OPTIONS without Access-Control-Request-Method is proxied with the headers",
			config:  map[string]any{},
			req:     pluginRequest{method: http.MethodOptions, path: "/t", header: http.Header{"Origin": {"http://a.test"}}},
			proxied: true,
			headers: map[string][]string{"Access-Control-Allow-Origin": headerValues("*"), "Access-Control-Allow-Methods": nil},
		},
		{
			name:    "simple request",
			config:  map[string]any{"origins": []any{"http://a.test", "http://b.test"}, "exposed_headers": []any{"X-E", "X-F"}, "credentials": true},
			req:     get("http://b.test"),
			proxied: true,
			headers: map[string][]string{"Access-Control-Allow-Origin": headerValues("http://b.test"), "Access-Control-Expose-Headers": headerValues("X-E,X-F"),
				"Access-Control-Allow-Credentials": headerValues("true"), "Vary": headerValues("Origin"), "Access-Control-Allow-Methods": nil},
		},
		{
			name:    "simple request without an origin",
			config:  map[string]any{},
			req:     get(""),
			proxied: true,
			headers: map[string][]string{"Access-Control-Allow-Origin": headerValues("*")},
		},
		{
			name:    "allow_origin_absent off and no origin",
			config:  map[string]any{"allow_origin_absent": false},
			req:     get(""),
			proxied: true,
			headers: map[string][]string{"Access-Control-Allow-Origin": nil},
		},
		{
			name:    "Kong's own responses get the headers too",
			config:  map[string]any{"origins": []any{"http://a.test"}},
			before:  []Entity{pluginEntity("key-auth", map[string]any{})},
			req:     get("http://a.test"),
			status:  http.StatusUnauthorized,
			headers: map[string][]string{"Access-Control-Allow-Origin": headerValues("http://a.test"), "Vary": headerValues("Origin")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := pluginGateway(t, nil, append([]Entity{pluginEntity("cors", tt.config)}, tt.before...)...)
			resp, body := g.send(tt.req)
			want := tt.status
			if want == 0 {
				want = http.StatusOK
			}
			if resp.StatusCode != want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, want, body)
			}
			if proxied := resp.Header.Get("X-Upstream") == "yes"; proxied != tt.proxied {
				t.Errorf("proxied %v, want %v", proxied, tt.proxied)
			}
			if !tt.proxied && want == http.StatusOK && len(body) != 0 {
				t.Errorf("preflight body %q", body)
			}
			checkHeaders(t, "response", resp.Header, tt.headers)
		})
	}
}

func TestNormalizeOrigin(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, domain, host string }{
		{"http://a.test", "http://a.test", "a.test"},
		{"http://a.test:80", "http://a.test", "a.test"},
		{"https://a.test:443/path?q", "https://a.test", "a.test"},
		{"https://a.test:80", "https://a.test:80", "a.test"},
		{"http://user@a.test:8080", "http://a.test:8080", "a.test"},
		{"http://[::1]:8080", "http://::1:8080", "::1"},
		{"null", "null", "null"},
		{"a.test", "a.test", "a.test"},
	} {
		domain, host := normalizeOrigin(tt.in)
		if domain != tt.domain || host != tt.host {
			t.Errorf("%s: %s %s", tt.in, domain, host)
		}
	}
}
