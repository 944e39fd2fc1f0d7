package emulator_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// datakitAuthFlow is the third-party-auth flow, in the documented (flat) form.
func datakitAuthFlow(tokenURL string) string {
	return `{"nodes":[
		{"name":"STATIC_INPUTS","type":"static",
		 "values":{"headers":{"Content-Type":"application/x-www-form-urlencoded"},"body":"grant_type=client_credentials"}},
		{"name":"BUILD_HEADERS","type":"jq","inputs":{"headers":"STATIC_INPUTS.headers","query":"request.query"},
		 "jq":".headers * { \"X-Api-Key\": (.query.api_key // \"none\") }"},
		{"name":"AUTH_REQUEST","type":"call","inputs":{"headers":"BUILD_HEADERS","body":"STATIC_INPUTS.body"},
		 "url":"` + tokenURL + `","method":"POST"},
		{"name":"UPSTREAM_AUTH_HEADER","type":"jq","input":"AUTH_REQUEST.body","output":"service_request.headers",
		 "jq":"{ Authorization: (.token_type + \" \" + .access_token) }"}]}`
}

// tokenEndpoint answers a token only for the client-credentials form with an X-Api-Key.
func tokenEndpoint(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		key := r.Header.Get("X-Api-Key")
		if string(body) != "grant_type=client_credentials" || key == "" {
			http.Error(w, "bad token request", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"token_type": "Bearer", "access_token": "tok-" + key})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Through the API and the control plane's proxy, to the emulator's echo upstream.
func TestDatakitThroughTheAPI(t *testing.T) {
	t.Parallel()
	h := start(t)
	tokens := tokenEndpoint(t)
	host, port := hostPort(t, h.emu.URL)
	svc := h.post("/services", fmt.Sprintf(`{"name":"echo","host":%q,"port":%d,"path":"/_emulator/echo"}`, host, port))
	route := h.post("/routes", `{"name":"dk","paths":["/dk"],"service":{"id":"`+svc["id"].(string)+`"}}`)
	plugin := h.post("/routes/"+route["id"].(string)+"/plugins", `{"name":"datakit","config":`+datakitAuthFlow(tokens.URL+"/auth-token")+`}`)

	// Stored with the engine's defaults.
	config := plugin["config"].(map[string]any)
	call := config["nodes"].([]any)[2].(map[string]any)
	if config["debug"] != false || call["ssl_verify"] != true {
		t.Errorf("stored config %v", config)
	}

	proxy := h.proxy()
	for query, want := range map[string]string{"?api_key=abc": "Bearer tok-abc", "": "Bearer tok-none"} {
		resp, body := send(t, proxy, http.MethodGet, "/dk"+query, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%q: %d %s", query, resp.StatusCode, body)
		}
		if got := http.Header(upstreamSaw(t, body).Headers).Get("Authorization"); got != want {
			t.Errorf("%q: upstream Authorization %q, want %q", query, got, want)
		}
	}

	// The token service down: Kong's 500, the upstream never reached.
	tokens.Close()
	resp, body := send(t, proxy, http.MethodGet, "/dk?api_key=abc", nil)
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(string(body), "An unexpected error occurred") {
		t.Errorf("token service down: %d %s", resp.StatusCode, body)
	}
}

// A config the engine refuses is a 400 when written, naming the node.
func TestDatakitRefusedAtWriteTime(t *testing.T) {
	t.Parallel()
	h := start(t)
	for _, tc := range []struct {
		name, nodes, field, message string
	}{
		{"cycle", `[{"name":"A","type":"jq","jq":".","input":"B"},{"name":"B","type":"jq","jq":".","input":"A"}]`,
			"config.nodes[0]", "node #1 (A)"},
		{"dangling reference", `[{"name":"S","type":"static","values":{"a":1}},{"name":"FILTER","type":"jq","jq":".","input":"MISSING.body"}]`,
			"config.nodes[1].input", `unknown node "MISSING"`},
		{"wrong field", `[{"name":"C","type":"call","url":"http://example.test","jq":"."}]`,
			"config.nodes[0].jq", "node #1 (C)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := h.raw(http.MethodPost, h.core("/plugins"), `{"name":"datakit","config":{"nodes":`+tc.nodes+`}}`)
			if status != http.StatusBadRequest {
				t.Fatalf("%d %v", status, body)
			}
			details, _ := body["details"].([]any)
			if len(details) != 1 {
				t.Fatalf("details %v", body)
			}
			d := details[0].(map[string]any)
			msgs := fmt.Sprint(d["messages"])
			if d["field"] != tc.field || !strings.Contains(msgs, tc.message) {
				t.Errorf("detail %v, want field %s and a message containing %q", d, tc.field, tc.message)
			}
		})
	}
}

// GET /_emulator/plugins says Datakit runs, and lists the engine's fields it does not enforce.
func TestDatakitPluginSupport(t *testing.T) {
	t.Parallel()
	h := start(t)
	status, out := h.raw(http.MethodGet, "/_emulator/plugins", "")
	if status != http.StatusOK {
		t.Fatalf("%d %v", status, out)
	}
	for _, p := range out["data"].([]any) {
		p := p.(map[string]any)
		if p["name"] != "datakit" {
			continue
		}
		notEnforced := p["not_enforced"].([]any)
		if p["runs"] != true || !slices.Contains(notEnforced, any("resources.cache.redis.cluster_nodes")) ||
			!slices.Contains(notEnforced, any("nodes[].warn_headers_sent")) || slices.Contains(notEnforced, any("nodes")) {
			t.Errorf("datakit: %v", p)
		}
		return
	}
	t.Error("datakit is not listed")
}

// The trace tells, node by node, what a Datakit flow did with a request: the call it made
// (method, URL without its query, status, time), the branch it took, the exit it answered
// with, the node that failed and why, and the nodes that ran on the upstream's answer.
func TestDatakitTraceSaysWhatTheFlowDid(t *testing.T) {
	t.Parallel()
	h := start(t)
	checker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Query().Get("user") {
		case "alice":
			_, _ = io.WriteString(w, `{"allowed":true}`)
		case "bob":
			_, _ = io.WriteString(w, `{"allowed":false}`)
		default:
			http.Error(w, `{"message":"unknown user"}`, http.StatusForbidden)
		}
	}))
	t.Cleanup(checker.Close)
	host, port := hostPort(t, h.emu.URL)
	svc := h.post("/services", fmt.Sprintf(`{"name":"echo","host":%q,"port":%d,"path":"/_emulator/echo"}`, host, port))
	route := h.post("/routes", `{"name":"checked","paths":["/checked"],"service":{"id":"`+svc["id"].(string)+`"}}`)
	h.post("/routes/"+route["id"].(string)+"/plugins", `{"name":"datakit","config":{"nodes":[
		{"name":"AUTH","type":"call","url":"`+checker.URL+`/check","method":"GET","inputs":{"query":"request.query"}},
		{"name":"ALLOWED","type":"jq","input":"AUTH.body","jq":".allowed"},
		{"name":"CHECK","type":"branch","input":"ALLOWED","then":["MARK"],"else":["DENY"]},
		{"name":"MARK","type":"static","values":{"X-Checked":"yes"},"output":"service_request.headers"},
		{"name":"DENY","type":"exit","status":401},
		{"name":"TAG","type":"jq","input":"service_response.status","jq":"{\"X-Upstream-Status\": tostring}","output":"response.headers"}]}}`)
	proxy := h.proxy()
	call := "call `AUTH`: GET " + checker.URL + "/check → "
	for _, c := range []struct {
		user   string
		status int
		want   []string // in this order in the decision
	}{
		{"alice", http.StatusOK, []string{call + "200 in ", "jq `ALLOWED`: ok", "branch `CHECK`: true (then)", "exit `DENY`: skipped",
			"static `MARK`: ok", "on the upstream's answer: jq `TAG`: ok"}},
		{"bob", http.StatusUnauthorized, []string{call + "200 in ", "branch `CHECK`: false (else)", "static `MARK`: skipped",
			"exit `DENY`: 401", "the flow answered the client itself with 401"}},
		{"eve", http.StatusInternalServerError, []string{call + "403 in ", ", failed: non-2XX response code: 403",
			"the flow failed, so the client gets a 500"}},
	} {
		resp, body := send(t, proxy, http.MethodGet, "/checked?user="+c.user, nil)
		tr := h.trace(resp.Header.Get("X-Kong-Request-Id"))
		if resp.StatusCode != c.status {
			t.Fatalf("%s: %d %s; trace %+v", c.user, resp.StatusCode, body, tr.Plugins)
		}
		if len(tr.Plugins) != 1 || tr.Plugins[0].Name != "datakit" {
			t.Fatalf("%s: plugins %+v", c.user, tr.Plugins)
		}
		decision, at := tr.Plugins[0].Decision, 0
		for _, w := range c.want {
			i := strings.Index(decision[at:], w)
			if i < 0 {
				t.Fatalf("%s: the decision lacks %q after position %d:\n%s", c.user, w, at, decision)
			}
			at += i + len(w)
		}
		if strings.Contains(decision, "user=") {
			t.Errorf("%s: the call's query (it may carry secrets) is in the trace: %s", c.user, decision)
		}
		if c.status != http.StatusOK && (tr.Plugins[0].Status != c.status || tr.Upstream != nil) {
			t.Errorf("%s: trace %+v", c.user, tr)
		}
		if c.status == http.StatusOK && resp.Header.Get("X-Upstream-Status") != "200" {
			t.Errorf("%s: the response-phase node did not run: %v", c.user, resp.Header)
		}
	}

	// A flow that replaces the upstream's answer: the trace gives the status it answered.
	late := h.post("/routes", `{"name":"late","paths":["/late"],"service":{"id":"`+svc["id"].(string)+`"}}`)
	h.post("/routes/"+late["id"].(string)+"/plugins", `{"name":"datakit","config":{"nodes":[
		{"name":"REPLACE","type":"exit","status":203,"inputs":{"body":"service_response.body"}}]}}`)
	resp, body := send(t, proxy, http.MethodGet, "/late", nil)
	tr := h.trace(resp.Header.Get("X-Kong-Request-Id"))
	if resp.StatusCode != http.StatusNonAuthoritativeInfo || len(tr.Plugins) != 1 || tr.Plugins[0].Status != 203 ||
		tr.Plugins[0].Decision != "on the upstream's answer: exit `REPLACE`: 203; the flow answered the client itself with 203" {
		t.Fatalf("%d %s; trace %+v", resp.StatusCode, body, tr.Plugins)
	}
}
