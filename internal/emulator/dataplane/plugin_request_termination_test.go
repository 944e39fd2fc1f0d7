package dataplane

import (
	"encoding/json"
	"net/http"
	"os"
	"testing"
)

func TestRequestTermination(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		config      map[string]any
		req         pluginRequest
		status      int
		proxied     bool
		body        string
		contentType string
	}{
		{
			name: "defaults", config: map[string]any{}, req: pluginRequest{path: "/t"},
			status: 503, body: `{"message":"Service unavailable"}`, contentType: "application/json; charset=utf-8",
		},
		{
			name: "the plugin's own default message", config: map[string]any{"status_code": 502}, req: pluginRequest{path: "/t"},
			status: 502, body: `{"message":"Bad Gateway"}`, contentType: "application/json; charset=utf-8",
		},
		{
			name: "no default message, no body", config: map[string]any{"status_code": 403}, req: pluginRequest{path: "/t"},
			status: 403, body: "",
		},
		{
			name: "a success status", config: map[string]any{"status_code": 200, "message": "ok"}, req: pluginRequest{path: "/t"},
			status: 200, body: `{"message":"ok"}`, contentType: "application/json; charset=utf-8",
		},
		{
			name:   "message, as JSON whatever Accept says",
			config: map[string]any{"status_code": 418, "message": `So long/"thanks"`},
			req:    pluginRequest{path: "/t", header: http.Header{"Accept": {"text/html"}}},
			status: 418, body: `{"message":"So long\/\"thanks\""}`, contentType: "application/json; charset=utf-8",
		},
		{
			name:   "raw body with its content type",
			config: map[string]any{"status_code": 200, "body": "<h1>down</h1>", "content_type": "text/html"},
			req:    pluginRequest{path: "/t"},
			status: 200, body: "<h1>down</h1>", contentType: "text/html",
		},
		{
			name:   "raw body without a content type",
			config: map[string]any{"body": "down"},
			req:    pluginRequest{path: "/t"},
			status: 503, body: "down", contentType: "text/plain",
		},
		{
			name:    "trigger absent: proxied",
			config:  map[string]any{"trigger": "X-Stop"},
			req:     pluginRequest{path: "/t"},
			status:  200,
			proxied: true,
		},
		{
			name:   "trigger header",
			config: map[string]any{"trigger": "X-Stop"},
			req:    pluginRequest{path: "/t", header: http.Header{"X-Stop": {""}}},
			status: 503, body: `{"message":"Service unavailable"}`,
		},
		{
			name:   "trigger query argument",
			config: map[string]any{"trigger": "X-Stop"},
			req:    pluginRequest{path: "/t?X-Stop"},
			status: 503, body: `{"message":"Service unavailable"}`,
		},
		{
			name:    "the query argument's name is exact",
			config:  map[string]any{"trigger": "X-Stop"},
			req:     pluginRequest{path: "/t?x-stop=1"},
			status:  200,
			proxied: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := pluginGateway(t, nil, pluginEntity("request-termination", tt.config))
			resp, body := g.send(tt.req)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if proxied := resp.Header.Get("X-Upstream") == "yes"; proxied != tt.proxied {
				t.Fatalf("proxied %v, want %v", proxied, tt.proxied)
			}
			if tt.proxied {
				return
			}
			if string(body) != tt.body {
				t.Errorf("body %q, want %q", body, tt.body)
			}
			if ct := resp.Header.Get("Content-Type"); tt.contentType != "" && ct != tt.contentType {
				t.Errorf("Content-Type %q, want %q", ct, tt.contentType)
			}
			if resp.Header.Get("X-Kong-Response-Latency") == "" || resp.Header.Get("Server") == "" {
				t.Errorf("not a Kong response: %v", resp.Header)
			}
		})
	}
}

func TestRequestTerminationEcho(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	r, svc := g.route(`~/echo/(?<id>\d+)$`)
	g.add("plugins", Entity{"name": "request-termination", "config": map[string]any{"echo": true, "status_code": 404}, "route": map[string]any{"id": r}})
	g.add("plugins", Entity{"name": "request-transformer", "route": map[string]any{"id": r},
		"config": map[string]any{"add": map[string]any{"headers": []any{"X-Added:1"}}}})
	resp, body := g.send(pluginRequest{method: http.MethodPost, path: "/echo/7?a=1&a=2&f",
		header: http.Header{"Content-Type": {"application/json"}, "X-Multi": {"1", "2"}}, body: `{"k":[1,"v"]}`})
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("%d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	var got struct {
		Message string `json:"message"`
		Kong    struct {
			NodeID    string  `json:"node_id"`
			WorkerPID float64 `json:"worker_pid"`
		} `json:"kong"`
		Request struct {
			Scheme      string         `json:"scheme"`
			Host        string         `json:"host"`
			Port        float64        `json:"port"`
			Method      string         `json:"method"`
			Path        string         `json:"path"`
			Headers     map[string]any `json:"headers"`
			Query       map[string]any `json:"query"`
			Body        map[string]any `json:"body"`
			RawBody     string         `json:"raw_body"`
			URICaptures struct {
				Named   map[string]string `json:"named"`
				Unnamed []string          `json:"unnamed"`
			} `json:"uri_captures"`
		} `json:"request"`
		Route   Entity `json:"matched_route"`
		Service Entity `json:"matched_service"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	req := got.Request
	if got.Message != "Not found" || got.Kong.NodeID == "" || int(got.Kong.WorkerPID) != os.Getpid() {
		t.Errorf("message and kong: %s", body)
	}
	if req.Scheme != "http" || req.Host != "127.0.0.1" || req.Port == 0 || req.Method != http.MethodPost || req.Path != "/echo/7" {
		t.Errorf("request line: %+v", req)
	}
	if req.Headers["x-added"] != "1" || len(req.Headers["x-multi"].([]any)) != 2 || req.Headers["content-type"] != "application/json" {
		t.Errorf("headers: %v", req.Headers)
	}
	if len(req.Query["a"].([]any)) != 2 || req.Query["f"] != true {
		t.Errorf("query: %v", req.Query)
	}
	if req.RawBody != `{"k":[1,"v"]}` || len(req.Body["k"].([]any)) != 2 {
		t.Errorf("body: %v %q", req.Body, req.RawBody)
	}
	if req.URICaptures.Named["id"] != "7" || len(req.URICaptures.Unnamed) != 1 || req.URICaptures.Unnamed[0] != "7" {
		t.Errorf("captures: %+v", req.URICaptures)
	}
	if Str(got.Route, "id") != r || Str(got.Service, "id") != svc {
		t.Errorf("route %v service %v", got.Route["id"], got.Service["id"])
	}
}
