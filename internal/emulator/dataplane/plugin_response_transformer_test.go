package dataplane

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func TestResponseTransformer(t *testing.T) {
	t.Parallel()
	headerOps := func(op string, entries ...any) map[string]any {
		return map[string]any{op: map[string]any{"headers": entries}}
	}
	jsonOps := func(parts map[string]map[string][]any) map[string]any { return transformConfig(parts) }
	tests := []struct {
		name   string
		config map[string]any
		before []Entity // plugins next to it on the route
		status int      // 200 when 0

		headers     map[string][]string
		body        string // the whole body when set
		contains    []string
		notContains []string
	}{
		{name: "remove a header", config: headerOps("remove", "x-upstream"), headers: map[string][]string{"X-Upstream": nil}},
		{
			name: "rename a header", config: headerOps("rename", "X-Upstream:X-Renamed"),
			headers: map[string][]string{"X-Upstream": nil, "X-Renamed": headerValues("yes")},
		},
		{
			// Kong sets the new name, then clears the old one: the header is gone.
			name: "rename that only changes case removes the header", config: headerOps("rename", "X-Upstream:x-upstream"),
			headers: map[string][]string{"X-Upstream": nil},
		},
		{
			name: "replace only existing headers", config: headerOps("replace", "X-Upstream:changed", "X-Absent:no"),
			headers: map[string][]string{"X-Upstream": headerValues("changed"), "X-Absent": nil},
		},
		{
			name: "add only missing headers", config: headerOps("add", "X-Upstream:no", "X-New:new"),
			headers: map[string][]string{"X-Upstream": headerValues("yes"), "X-New": headerValues("new")},
		},
		{name: "append a value", config: headerOps("append", "X-Upstream:again"), headers: map[string][]string{"X-Upstream": headerValues("yes", "again")}},
		{
			name: "JSON body in order, with types",
			config: jsonOps(map[string]map[string][]any{
				"remove":  {"json": {"headers", "query"}},
				"replace": {"json": {"method:PATCHED", "nope:x"}},
				"add":     {"json": {"added:1", "n:2", "method:no"}, "json_types": {"string", "number"}},
				"append":  {"json": {"path:/extra"}},
			}),
			body: `{"added":"1","body":"","method":"PATCHED","n":2,"path":["\/t","\/extra"]}`,
		},
		{
			name: "boolean values",
			config: jsonOps(map[string]map[string][]any{
				"remove": {"json": {"headers"}},
				"add":    {"json": {"flag:true", "off:yes"}, "json_types": {"boolean", "boolean"}},
			}),
			contains: []string{`"flag":true`, `"off":false`},
		},
		{
			name:        "a number that does not parse is skipped",
			config:      jsonOps(map[string]map[string][]any{"add": {"json": {"n:abc", "h:0x10"}, "json_types": {"number", "number"}}}),
			contains:    []string{`"h":16`},
			notContains: []string{`"n":`},
		},
		{
			name:     "quotes and slashes in values",
			config:   jsonOps(map[string]map[string][]any{"add": {"json": {`q:say "hi"/x`}}}),
			contains: []string{`"q":"say \"hi\"\/x"`},
		},
		{
			name:     "rename alone does not touch the body",
			config:   jsonOps(map[string]map[string][]any{"rename": {"json": {"method:verb"}}}),
			contains: []string{`"method":"GET"`}, notContains: []string{`"verb"`},
		},
		{
			name:     "rename with another body operation",
			config:   jsonOps(map[string]map[string][]any{"rename": {"json": {"method:verb"}}, "remove": {"json": {"query"}}}),
			contains: []string{`"verb":"GET"`}, notContains: []string{`"method"`, `"query"`},
		},
		{
			name: "a body that is not JSON is left alone",
			config: map[string]any{"replace": map[string]any{"headers": []any{"Content-Type:text/plain"}},
				"remove": map[string]any{"json": []any{"method"}}},
			contains: []string{`"method":"GET"`}, headers: map[string][]string{"Content-Type": headerValues("text/plain")},
		},
		{
			name: "+json media types are JSON",
			config: map[string]any{"replace": map[string]any{"headers": []any{"Content-Type:application/problem+json; charset=utf-8"}},
				"remove": map[string]any{"json": []any{"method"}}},
			notContains: []string{`"method"`},
		},
		{
			name:   "headers of Kong's own responses",
			config: headerOps("add", "X-Added:1"),
			before: []Entity{pluginEntity("request-termination", map[string]any{"status_code": 403, "message": "no"})},
			status: http.StatusForbidden, headers: map[string][]string{"X-Added": headerValues("1")},
			body: `{"message":"no"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			plugins := append([]Entity{pluginEntity("response-transformer", tt.config)}, tt.before...)
			g := pluginGateway(t, nil, plugins...)
			resp, body := g.send(pluginRequest{path: "/t"})
			want := tt.status
			if want == 0 {
				want = http.StatusOK
			}
			if resp.StatusCode != want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, want, body)
			}
			checkHeaders(t, "response", resp.Header, tt.headers)
			got := strings.TrimSuffix(string(body), "\n")
			if tt.body != "" && got != tt.body {
				t.Errorf("body %s\nwant %s", got, tt.body)
			}
			for _, s := range tt.contains {
				if !strings.Contains(got, s) {
					t.Errorf("body %s lacks %s", got, s)
				}
			}
			for _, s := range tt.notContains {
				if strings.Contains(got, s) {
					t.Errorf("body %s has %s", got, s)
				}
			}
			if cl := resp.Header.Get("Content-Length"); cl != strconv.Itoa(len(body)) {
				t.Errorf("Content-Length %s for %d bytes", cl, len(body))
			}
		})
	}
}

func TestIsJSONContentType(t *testing.T) {
	t.Parallel()
	for ct, want := range map[string]bool{
		"application/json": true, "Application/JSON; charset=utf-8": true, "application/vnd.api+json": true,
		"text/html, application/json": true, "text/json": false, "application/jsonx": false, "": false, "garbage": false,
	} {
		if got := isJSONContentType(ct); got != want {
			t.Errorf("%q: %v", ct, got)
		}
	}
}

// A plugin that runs after the one that ended the request still filters Kong's answer: the
// 401 of key-auth gets response-transformer's header and JSON field, as in Kong.
func TestResponseTransformerOnKongGeneratedAnswer(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	g.route("/private")
	g.add("plugins", Entity{"name": "key-auth"})
	g.add("plugins", Entity{"name": "response-transformer", "config": map[string]any{
		"add": map[string]any{"headers": []any{"X-Support:help@example.com"}, "json": []any{"docs:https://example.com/keys"}},
	}})
	resp, body := g.get("/private", nil)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401: %s", resp.StatusCode, body)
	}
	if got := resp.Header.Get("X-Support"); got != "help@example.com" {
		t.Errorf("X-Support = %q on the 401", got)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil || m["docs"] != "https://example.com/keys" || m["message"] != "No API key found in request" {
		t.Errorf("401 body %s", body)
	}
	if resp.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
		t.Errorf("Content-Length %s for %d bytes", resp.Header.Get("Content-Length"), len(body))
	}
}
