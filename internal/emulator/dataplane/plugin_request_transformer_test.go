package dataplane

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/kongtemplate"
)

// pluginRequest is a request a plugin test sends through the proxy.
type pluginRequest struct {
	method, path, body string
	header             http.Header // "Host" sets the request's host
}

// send sends the request; GET / by default.
func (g *testGateway) send(pr pluginRequest) (reply, []byte) {
	g.t.Helper()
	method, path := pr.method, pr.path
	if method == "" {
		method = http.MethodGet
	}
	if path == "" {
		path = "/"
	}
	var body io.Reader
	if pr.body != "" {
		body = strings.NewReader(pr.body)
	}
	req, err := http.NewRequest(method, path, body)
	if err != nil {
		g.t.Fatal(err)
	}
	for name, values := range pr.header {
		for _, v := range values {
			if strings.EqualFold(name, "Host") {
				req.Host = v
				continue
			}
			req.Header.Add(name, v)
		}
	}
	return g.do(req)
}

// pluginGateway is a test gateway with a route on paths (default /t) and each plugin, by
// name and config, on that route.
func pluginGateway(t *testing.T, paths []string, plugins ...Entity) *testGateway {
	t.Helper()
	g := newTestGateway(t)
	if len(paths) == 0 {
		paths = []string{"/t"}
	}
	r, _ := g.route(paths...)
	for _, p := range plugins {
		p["route"] = map[string]any{"id": r}
		g.add("plugins", p)
	}
	return g
}

// pluginEntity is a plugin, by name and config, for pluginGateway.
func pluginEntity(name string, config map[string]any) Entity {
	return Entity{"name": name, "config": config}
}

// kongErrorMessage reads the message of Kong's JSON error body.
func kongErrorMessage(t *testing.T, body []byte) string {
	t.Helper()
	var m struct {
		Message   string `json:"message"`
		RequestID string `json:"request_id"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("not a Kong error body: %s", body)
	}
	return m.Message
}

// checkHeaders compares the listed headers; a nil list means the header must be absent.
func checkHeaders(t *testing.T, where string, got http.Header, want map[string][]string) {
	t.Helper()
	for name, values := range want {
		have := got.Values(name)
		if values == nil && len(have) > 0 {
			t.Errorf("%s: header %s = %q, want none", where, name, have)
		}
		if values != nil && !reflect.DeepEqual(have, values) {
			t.Errorf("%s: header %s = %q, want %q", where, name, have, values)
		}
	}
}

// headerValues lists a header's expected values.
func headerValues(values ...string) []string { return values }

func multipartBody(t *testing.T, fields [][2]string) (string, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.SetBoundary("testboundary")
	for _, f := range fields {
		if err := w.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	_ = w.Close()
	return b.String(), w.FormDataContentType()
}

func multipartFields(t *testing.T, contentType, body string) map[string][]string {
	t.Helper()
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		t.Fatalf("content type %q: %v", contentType, err)
	}
	out := map[string][]string{}
	r := multipart.NewReader(strings.NewReader(body), params["boundary"])
	for {
		p, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("multipart body %q: %v", body, err)
		}
		v, _ := io.ReadAll(p)
		out[p.FormName()] = append(out[p.FormName()], string(v))
	}
}

// transformConfig builds a transformer config from operation -> part -> entries.
func transformConfig(entries map[string]map[string][]any) map[string]any {
	out := map[string]any{}
	for op, parts := range entries {
		m := map[string]any{}
		for part, list := range parts {
			m[part] = list
		}
		out[op] = m
	}
	return out
}

func TestRequestTransformer(t *testing.T) {
	t.Parallel()
	mp, mpType := multipartBody(t, [][2]string{{"a", "1"}, {"b", "2"}, {"old", "3"}})
	tests := []struct {
		name   string
		paths  []string
		config map[string]any
		req    pluginRequest
		status int // 200 when 0

		method, path, query, body string // compared when set
		headers                   map[string][]string
		bodyJSON                  string // compared as JSON
		multipart                 map[string][]string
	}{
		{
			name: "headers in order remove, rename, replace, add, append",
			config: transformConfig(map[string]map[string][]any{
				"remove":  {"headers": {"X-Remove"}},
				"rename":  {"headers": {"X-Old:X-New"}},
				"replace": {"headers": {"X-Replace:replaced", "X-Missing:never"}},
				"add":     {"headers": {"X-Add:added", "X-Keep:other"}},
				"append":  {"headers": {"X-Append:two", "X-Fresh:one"}},
			}),
			req: pluginRequest{path: "/t", header: http.Header{"X-Remove": {"1"}, "X-Old": {"old"}, "X-Replace": {"orig"},
				"X-Keep": {"kept"}, "X-Append": {"one"}}},
			headers: map[string][]string{"X-Remove": nil, "X-Old": nil, "X-New": headerValues("old"), "X-Replace": headerValues("replaced"),
				"X-Missing": nil, "X-Add": headerValues("added"), "X-Keep": headerValues("kept"), "X-Append": headerValues("one", "two"), "X-Fresh": headerValues("one")},
		},
		{
			name:    "a removed header can be added back",
			config:  transformConfig(map[string]map[string][]any{"remove": {"headers": {"x-a"}}, "add": {"headers": {"X-A:new"}}}),
			req:     pluginRequest{path: "/t", header: http.Header{"X-A": {"old"}}},
			headers: map[string][]string{"X-A": headerValues("new")},
		},
		{
			name:    "rename overwrites the target and keeps every value",
			config:  transformConfig(map[string]map[string][]any{"rename": {"headers": {"X-A:X-B"}}}),
			req:     pluginRequest{path: "/t", header: http.Header{"X-A": {"a1", "a2"}, "X-B": {"b"}}},
			headers: map[string][]string{"X-A": nil, "X-B": headerValues("a1", "a2")},
		},
		{
			name:    "rename that only changes case keeps the header",
			config:  transformConfig(map[string]map[string][]any{"rename": {"headers": {"X-A:x-a"}}}),
			req:     pluginRequest{path: "/t", header: http.Header{"X-A": {"a"}}},
			headers: map[string][]string{"X-A": headerValues("a")},
		},
		{
			name:  "templates read headers, query arguments and captures",
			paths: []string{`~/users/(?<id>\d+)$`},
			config: transformConfig(map[string]map[string][]any{"add": {"headers": {
				"X-User:$(uri_captures.id)", "X-First:$(uri_captures[1])", "X-Page:$(query_params.page)",
				"X-Trace:$(headers.x_trace_id)", "X-Trace2:$(headers[\"X-Trace-Id\"])",
				`X-Default:$(query_params["x-y"] or "none")`, `X-Concat:id-$(uri_captures.id .. "/" .. query_params.page)`,
				"X-Two:$(uri_captures.id)+$(query_params.page)", "X-Not:$(not headers.nope)",
				`X-Eq:$(query_params.page == "3" and "three" or "other")`, "X-Num:$(tonumber(query_params.page) ~= nil)",
				"X-Lit:$(abc", "X-Str:$(tostring(nil))",
			}}}),
			req: pluginRequest{path: "/users/42?page=3", header: http.Header{"X-Trace-Id": {"t1"}}},
			headers: map[string][]string{"X-User": headerValues("42"), "X-First": headerValues("42"), "X-Page": headerValues("3"), "X-Trace": headerValues("t1"),
				"X-Trace2": headerValues("t1"), "X-Default": headerValues("none"), "X-Concat": headerValues("id-42/3"), "X-Two": headerValues("42+3"),
				"X-Not": headerValues("true"), "X-Eq": headerValues("three"), "X-Num": headerValues("true"), "X-Lit": headerValues("$(abc"), "X-Str": headerValues("nil")},
		},
		{
			name:    "a template that renders empty drops the header",
			config:  transformConfig(map[string]map[string][]any{"add": {"headers": {"X-Empty:$(headers.nope)"}}}),
			req:     pluginRequest{path: "/t"},
			headers: map[string][]string{"X-Empty": nil},
		},
		{
			name:    "a repeated header is a table",
			config:  transformConfig(map[string]map[string][]any{"add": {"headers": {"X-Type:$(type(headers.x_multi))", "X-One:$(headers.x_multi[2])"}}}),
			req:     pluginRequest{path: "/t", header: http.Header{"X-Multi": {"a", "b"}}},
			headers: map[string][]string{"X-Type": headerValues("table"), "X-One": headerValues("b")},
		},
		{
			name:   "a template that does not compile is a 500",
			config: transformConfig(map[string]map[string][]any{"add": {"headers": {"X-Bad:$(headers.)"}}}),
			req:    pluginRequest{path: "/t"},
			status: http.StatusInternalServerError,
		},
		{
			name:   "indexing a missing value is a 500",
			config: transformConfig(map[string]map[string][]any{"append": {"querystring": {"q:$(headers.nope.deeper)"}}}),
			req:    pluginRequest{path: "/t"},
			status: http.StatusInternalServerError,
		},
		{
			name:   "calling an unknown function is a 500",
			config: transformConfig(map[string]map[string][]any{"add": {"body": {"a:$(os.exit())"}}}),
			req:    pluginRequest{method: http.MethodPost, path: "/t", body: "{}", header: http.Header{"Content-Type": {"application/json"}}},
			status: http.StatusInternalServerError,
		},
		{
			name: "query string in order, written in name order",
			config: transformConfig(map[string]map[string][]any{
				"remove":  {"querystring": {"rm"}},
				"rename":  {"querystring": {"old:new"}},
				"replace": {"querystring": {"a:10", "zz:no"}},
				"add":     {"querystring": {"b:no", "c:3"}},
				"append":  {"querystring": {"dup:2", "e:5"}},
			}),
			req:   pluginRequest{path: "/t?b=2&a=1&old=x&rm=1&dup=1"},
			query: "a=10&b=2&c=3&dup=1&dup=2&e=5&new=x",
		},
		{
			name:   "query flags stay bare, values are escaped",
			config: transformConfig(map[string]map[string][]any{"add": {"querystring": {"q:hello world/ü"}}}),
			req:    pluginRequest{path: "/t?flag&sp=a+b"},
			query:  "flag&q=hello%20world%2F%C3%BC&sp=a%20b",
		},
		{
			name:   "appending to a flag replaces it",
			config: transformConfig(map[string]map[string][]any{"append": {"querystring": {"flag:v"}}}),
			req:    pluginRequest{path: "/t?flag"},
			query:  "flag=v",
		},
		{
			name: "JSON body in order",
			config: transformConfig(map[string]map[string][]any{
				"remove":  {"body": {"rm"}},
				"rename":  {"body": {"old:new", "off:renamed"}},
				"replace": {"body": {"rep:y", "absent:z", "off:no"}},
				"add":     {"body": {"keep:no", "added:a/b", "off:yes"}},
				"append":  {"body": {"list:b", "str:s", "one:2"}},
			}),
			req: pluginRequest{method: http.MethodPost, path: "/t", header: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
				body: `{"rm":1,"old":"v","rep":"x","keep":true,"list":["a"],"one":"1","n":1.50,"off":false}`},
			body: `{"added":"a\/b","keep":true,"list":["a","b"],"n":1.5,"new":"v","off":"yes","one":["1","2"],"rep":"y","str":["s"]}`,
		},
		{
			name:   "a body that is not JSON is left alone",
			config: transformConfig(map[string]map[string][]any{"add": {"body": {"a:b"}}}),
			req:    pluginRequest{method: http.MethodPost, path: "/t", header: http.Header{"Content-Type": {"application/json"}}, body: `{bad`},
			body:   `{bad`,
		},
		{
			name:   "an empty JSON body only gets added fields",
			config: transformConfig(map[string]map[string][]any{"add": {"body": {"a:b"}}, "replace": {"body": {"a:c"}}}),
			req:    pluginRequest{method: http.MethodPost, path: "/t", header: http.Header{"Content-Type": {"application/json"}}},
			body:   `{"a":"b"}`,
		},
		{
			name: "form body in order",
			config: transformConfig(map[string]map[string][]any{
				"remove":  {"body": {"a"}},
				"rename":  {"body": {"old:new"}},
				"replace": {"body": {"b:20"}},
				"add":     {"body": {"c:3", "b:no"}},
				"append":  {"body": {"b:21"}},
			}),
			req: pluginRequest{method: http.MethodPost, path: "/t", header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
				body: "a=1&b=2&old=3"},
			body: "b=20&b=21&c=3&new=3",
		},
		{
			name: "multipart body: rename, remove, replace, add",
			config: transformConfig(map[string]map[string][]any{
				"rename":  {"body": {"old:new"}},
				"remove":  {"body": {"a"}},
				"replace": {"body": {"b:two"}},
				"add":     {"body": {"c:3", "b:no"}},
			}),
			req:       pluginRequest{method: http.MethodPost, path: "/t", header: http.Header{"Content-Type": {mpType}}, body: mp},
			multipart: map[string][]string{"b": {"two"}, "new": {"3"}, "c": {"3"}},
		},
		{
			name:   "other bodies are left alone",
			config: transformConfig(map[string]map[string][]any{"add": {"body": {"a:b"}}}),
			req:    pluginRequest{method: http.MethodPost, path: "/t", header: http.Header{"Content-Type": {"text/plain"}}, body: "hello"},
			body:   "hello",
		},
		{
			name:   "body values from templates",
			config: transformConfig(map[string]map[string][]any{"add": {"body": {"from:$(query_params.q)"}}}),
			req:    pluginRequest{method: http.MethodPost, path: "/t?q=x", header: http.Header{"Content-Type": {"application/json"}}, body: `{}`},
			body:   `{"from":"x"}`,
		},
		{
			name:   "http_method GET moves a form body into the query string",
			config: map[string]any{"http_method": "GET"},
			req: pluginRequest{method: http.MethodPost, path: "/t?y=2&x=0", header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
				body: "x=1&z"},
			method: http.MethodGet, query: "x=0&x=1&y=2&z", body: "x=1&z",
		},
		{
			name:   "http_method changes the method",
			config: map[string]any{"http_method": "PUT"},
			req:    pluginRequest{path: "/t"},
			method: http.MethodPut,
		},
		{
			name:   "a method Kong cannot send is a 500",
			config: map[string]any{"http_method": "FOO"},
			req:    pluginRequest{path: "/t"},
			status: http.StatusInternalServerError,
		},
		{
			name:   "replace.uri sets the upstream path and keeps the query",
			paths:  []string{`~/users/(?<id>\d+)$`},
			config: map[string]any{"replace": map[string]any{"uri": "/profiles/$(uri_captures.id)"}},
			req:    pluginRequest{path: "/users/42?a=1"},
			path:   "/profiles/42", query: "a=1",
		},
		{
			name:   "replace.uri must start with a slash",
			config: map[string]any{"replace": map[string]any{"uri": "nope"}},
			req:    pluginRequest{path: "/t"},
			status: http.StatusInternalServerError,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := pluginGateway(t, tt.paths, pluginEntity("request-transformer", tt.config))
			resp, body := g.send(tt.req)
			want := tt.status
			if want == 0 {
				want = http.StatusOK
			}
			if resp.StatusCode != want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, want, body)
			}
			if want != http.StatusOK {
				if msg := kongErrorMessage(t, body); msg != "An unexpected error occurred" {
					t.Errorf("message %q", msg)
				}
				return
			}
			e := g.echo(body)
			if tt.method != "" && e.Method != tt.method {
				t.Errorf("method %s, want %s", e.Method, tt.method)
			}
			if tt.path != "" && e.Path != tt.path {
				t.Errorf("path %s, want %s", e.Path, tt.path)
			}
			if tt.query != "" && e.Query != tt.query {
				t.Errorf("query %q, want %q", e.Query, tt.query)
			}
			if tt.body != "" && e.Body != tt.body {
				t.Errorf("body %s, want %s", e.Body, tt.body)
			}
			if tt.multipart != nil {
				if got := multipartFields(t, http.Header(e.Headers).Get("Content-Type"), e.Body); !reflect.DeepEqual(got, tt.multipart) {
					t.Errorf("multipart fields %v, want %v", got, tt.multipart)
				}
			}
			checkHeaders(t, "upstream", e.Headers, tt.headers)
		})
	}
}

// TestRequestTransformerHost checks the upstream Host header, which the echo upstream cannot
// report: this upstream answers with the Host it received.
func TestRequestTransformerHost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		config  map[string]any
		header  http.Header
		wantSet string // "" for the service's own host
	}{
		{"replace sets the Host even when absent", transformConfig(map[string]map[string][]any{"replace": {"headers": {"Host:example.test"}}}), nil, "example.test"},
		{"rename onto Host sets it", transformConfig(map[string]map[string][]any{"rename": {"headers": {"X-Host:host"}}}), http.Header{"X-Host": {"from.header"}}, "from.header"},
		{"append sets it", transformConfig(map[string]map[string][]any{"append": {"headers": {"host:appended.test"}}}), nil, "appended.test"},
		{"add never sets it", transformConfig(map[string]map[string][]any{"add": {"headers": {"Host:added.test"}}}), nil, ""},
		{"remove leaves it", transformConfig(map[string]map[string][]any{"remove": {"headers": {"Host"}}}), nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Received-Host", r.Host)
			}))
			t.Cleanup(upstream.Close)
			g := newTestGateway(t)
			host, port, _ := net.SplitHostPort(strings.TrimPrefix(upstream.URL, "http://"))
			p, _ := strconv.Atoi(port)
			svc := g.add("services", Entity{"name": "host-echo", "host": host, "port": p, "protocol": "http"})
			r := g.add("routes", Entity{"paths": []any{"/h"}, "service": map[string]any{"id": svc}, "protocols": []any{"http"}})
			g.add("plugins", Entity{"name": "request-transformer", "config": tt.config, "route": map[string]any{"id": r}})
			resp, body := g.send(pluginRequest{path: "/h", header: tt.header})
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			want := tt.wantSet
			if want == "" {
				want = net.JoinHostPort(host, port)
			}
			if got := resp.Header.Get("X-Received-Host"); got != want {
				t.Errorf("upstream Host %q, want %q", got, want)
			}
		})
	}
}

func TestTemplates(t *testing.T) {
	t.Parallel()
	req := httptest.NewRequest(http.MethodGet, "/x?a=1&a=2&flag&n=5", nil)
	req.Header.Set("X-Id", "abc")
	ctx := &Context{Request: req, Match: &Match{Captures: map[string]string{"0": "/x", "1": "x", "name": "x"}},
		Shared: map[string]any{"user": "bob", "n": 3, "m": map[string]any{"k": "v"}}}
	tests := []struct{ src, want string }{
		{"plain", "plain"},
		{"$(headers.x_id)", "abc"},
		{"$(headers['X-ID'])", "abc"},
		{"$(headers.host)", "example.com"},
		{"$(query_params.a[2])", "2"},
		{"$(query_params.flag)", "true"},
		{"$(type(query_params.a))", "table"},
		{"$(uri_captures[1])-$(uri_captures.name)-$(uri_captures['1'])", "x-x-"},
		{"$(shared.user)/$(shared.n)/$(shared.m.k)", "bob/3/v"},
		{"$(shared.none)", ""},
		{"$(false)$(nil)", ""},
		{"$(1 == 1.0)", "true"},
		{"$(0x10 .. '')", "16"},
		{"$(tonumber(query_params.n) .. 'x')", "5x"},
		{`$("a\tb\65")`, "a\tbA"},
		{"$( (headers.nope) or 'dflt' )", "dflt"},
		{"$(headers.nope and 'x')", ""},
		{"$(not not headers.x_id)", "true"},
		{"a$(b)c$(", "ac$("},
		{"$(f(x)", "$(f(x)"},
	}
	render := func(src string) (string, error) {
		env := newTemplateEnv(ctx)
		defer env.close()
		return kongtemplate.Compile(src).Render(env.session)
	}
	for _, tt := range tests {
		got, err := render(tt.src)
		if err != nil || got != tt.want {
			t.Errorf("%s: %q, %v; want %q", tt.src, got, err, tt.want)
		}
	}
	// gopher-lua reads an unknown escape such as '\q' as Lua 5.1 does (the character
	// itself), where Kong's LuaJIT refuses it: that case is no longer an error.
	for _, bad := range []string{"$(headers.)", "$(1 +)", "$(a.b.c)", "$('x' .. nil)", "$(headers())", "$(#x)", `$("unfinished)`,
		"$(headers[)", "$(f(x))", "$(query_params.a .. 'x')"} {
		if _, err := render(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestArgsAndEntries(t *testing.T) {
	t.Parallel()
	args := decodeArgs("a=1&a=2&b&c=&=x&d=%41%zz+&&e=%2")
	want := map[string]any{"a": []any{"1", "2"}, "b": true, "c": "", "d": "A%zz ", "e": "%2"}
	if !reflect.DeepEqual(args, want) {
		t.Errorf("decodeArgs = %#v", args)
	}
	if got := encodeArgs(map[string]any{"foo": "hello world", "bar": []any{"baz", "bla", true}, "zzz": true, "blo": ""}); got != "bar=baz&bar=bla&bar&blo=&foo=hello%20world&zzz" {
		t.Errorf("encodeArgs = %s", got)
	}
	for _, tt := range []struct {
		in, name, value string
		ok              bool
	}{{"a:b", "a", "b", true}, {"a::b:c", "a", "b:c", true}, {"a", "a", "", true}, {":a", "", "", false}, {"a:", "a", "", true}} {
		name, value, ok := splitEntry(tt.in)
		if name != tt.name || value != tt.value || ok != tt.ok {
			t.Errorf("splitEntry(%q) = %q %q %v", tt.in, name, value, ok)
		}
	}
	if got := string(encodeCJSON(map[string]any{"s": "a/\"\n\x01", "n": 1e20, "i": json.Number("12345678901234567"), "f": 0.1, "e": []any{}, "o": map[string]any{}, "z": nil})); got != `{"e":[],"f":0.1,"i":1.2345678901235e+16,"n":1e+20,"o":{},"s":"a\/\"\n\u0001","z":null}` {
		t.Errorf("encodeCJSON = %s", got)
	}
}

// TestRequestTransformerURI checks that replace.uri is the whole upstream path: the service's
// base path and the route's stripping do not apply to it.
func TestRequestTransformerURI(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(g.upstream.URL, "http://"))
	p, _ := strconv.Atoi(port)
	svc := g.add("services", Entity{"name": "base", "host": host, "port": p, "protocol": "http", "path": "/base"})
	replaced := g.add("routes", Entity{"paths": []any{"/api"}, "service": map[string]any{"id": svc}, "protocols": []any{"http"}})
	g.add("routes", Entity{"paths": []any{"/plain"}, "service": map[string]any{"id": svc}, "protocols": []any{"http"}})
	g.add("plugins", Entity{"name": "request-transformer", "route": map[string]any{"id": replaced},
		"config": map[string]any{"replace": map[string]any{"uri": "/new$(query_params.suffix)"}}})
	for _, tt := range []struct{ path, want, prefix string }{
		{"/api/x?suffix=/s", "/new/s", "/api"},
		{"/plain/x", "/base/x", "/plain"},
	} {
		resp, body := g.send(pluginRequest{path: tt.path})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", tt.path, resp.StatusCode, body)
		}
		e := g.echo(body)
		if e.Path != tt.want || http.Header(e.Headers).Get("X-Forwarded-Prefix") != tt.prefix {
			t.Errorf("%s: upstream path %s, prefix %q; want %s, %q", tt.path, e.Path, http.Header(e.Headers).Get("X-Forwarded-Prefix"), tt.want, tt.prefix)
		}
	}
}
