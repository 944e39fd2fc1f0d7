package datakit

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// thirdPartyAuth is the flow: static inputs, headers built by jq from the client's
// api_key, a form POST to a token service, and the token as the upstream's Authorization.
func thirdPartyAuth(tokenURL string, debug bool) string {
	return mustJSON(map[string]any{
		"debug": debug,
		"nodes": []any{
			map[string]any{"name": "STATIC_INPUTS", "type": "static", "values": map[string]any{
				"headers": map[string]any{"Content-Type": "application/x-www-form-urlencoded"},
				"body":    "grant_type=client_credentials"}},
			map[string]any{"name": "BUILD_HEADERS", "type": "jq",
				"inputs": map[string]any{"headers": "STATIC_INPUTS.headers", "query": "request.query"},
				"jq":     `.headers * { "X-Api-Key": (.query.api_key // "none") }`},
			map[string]any{"name": "AUTH_REQUEST", "type": "call",
				"inputs": map[string]any{"headers": "BUILD_HEADERS", "body": "STATIC_INPUTS.body"},
				"url":    tokenURL, "method": "POST"},
			map[string]any{"name": "UPSTREAM_AUTH_HEADER", "type": "jq", "input": "AUTH_REQUEST.body",
				"output": "service_request.headers", "jq": `{ Authorization: (.token_type + " " + .access_token) }`},
		},
	})
}

// tokenService answers a token for the X-Api-Key it receives, only for the expected form
// body; seen gets each key.
func tokenService(t testing.TB, seen chan<- string) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := readAll(t, r.Body)
		if r.Method != http.MethodPost || body != "grant_type=client_credentials" ||
			r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			http.Error(w, "bad token request", http.StatusBadRequest)
			return
		}
		key := r.Header.Get("X-Api-Key")
		if seen != nil {
			seen <- key
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"access_token": "token-for-" + key, "token_type": "Bearer"})
	}))
	t.Cleanup(s.Close)
	return s
}

func TestThirdPartyAuthFlow(t *testing.T) {
	for _, tc := range []struct{ query, key string }{
		{"?api_key=k-123", "k-123"},
		{"", "none"}, // a missing api_key falls back to "none"
	} {
		t.Run(tc.key, func(t *testing.T) {
			seen := make(chan string, 1)
			ts := tokenService(t, seen)
			f := compile(t, thirdPartyAuth(ts.URL+"/auth-token", false))
			h := newHarness("GET", "/anything"+tc.query, "", nil)
			exit, err := h.access(t, f)
			if exit != nil || err != nil {
				t.Fatalf("access: exit %+v, err %v", exit, err)
			}
			if got := <-seen; got != tc.key {
				t.Errorf("token service got X-Api-Key %q, want %q", got, tc.key)
			}
			if got, want := h.upstream.header.Get("Authorization"), "Bearer token-for-"+tc.key; got != want {
				t.Errorf("upstream Authorization = %q, want %q", got, want)
			}
			if f.UsesServiceResponse() {
				t.Error("the flow does not use the upstream's answer")
			}
		})
	}
}

func TestCallFailureGives500(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close() // nothing listens there any more
	forbidden := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusForbidden)
	}))
	defer forbidden.Close()
	for _, tc := range []struct {
		name, url string
		debug     bool
		errPart   string
	}{
		{"down", downURL, false, "connection refused"},
		{"down debug", downURL, true, "connection refused"},
		{"403 debug", forbidden.URL, true, "non-2XX response code: 403"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := compile(t, thirdPartyAuth(tc.url, tc.debug))
			h := newHarness("GET", "/?api_key=x", "", nil)
			exit, err := h.access(t, f)
			var ne *NodeError
			if !errors.As(err, &ne) || ne.Name != "AUTH_REQUEST" || !strings.Contains(err.Error(), tc.errPart) {
				t.Fatalf("err = %v, want AUTH_REQUEST's failure with %q", err, tc.errPart)
			}
			if !strings.HasPrefix(err.Error(), `node #3 (AUTH_REQUEST) failed with error: "`) {
				t.Errorf("log line %q", err.Error())
			}
			if exit == nil || exit.Status != http.StatusInternalServerError {
				t.Fatalf("exit = %+v, want a 500", exit)
			}
			body := jsonBody(t, exit.Body)
			if body["request_id"] != "rid-1" {
				t.Errorf("request_id = %v", body["request_id"])
			}
			if !tc.debug {
				if body["message"] != "An unexpected error occurred" || len(body) != 2 {
					t.Errorf("body = %s", exit.Body)
				}
				return
			}
			node, _ := body["node"].(map[string]any)
			if body["message"] != "node execution error" || !strings.Contains(body["error"].(string), tc.errPart) ||
				node["name"] != "AUTH_REQUEST" || node["type"] != "call" || node["index"] != float64(3) {
				t.Errorf("debug body = %s", exit.Body)
			}
			if h.upstream.header.Get("Authorization") != "" {
				t.Error("the upstream request was changed by a failed flow")
			}
		})
	}
}

// Two call nodes with no dependency between them run at the same time: each server waits
// (bounded) for the other to have been called before it answers.
func TestIndependentCallsRunConcurrently(t *testing.T) {
	aCalled, bCalled := make(chan struct{}), make(chan struct{})
	waitFor := func(mine, other chan struct{}) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			close(mine)
			select {
			case <-other:
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"from":"` + r.URL.Path + `"}`))
			case <-time.After(10 * time.Second): // only stops a broken test
				w.WriteHeader(http.StatusGatewayTimeout)
			}
		}
	}
	a := httptest.NewServer(waitFor(aCalled, bCalled))
	defer a.Close()
	b := httptest.NewServer(waitFor(bCalled, aCalled))
	defer b.Close()
	f := compile(t, mustJSON(map[string]any{"nodes": []any{
		map[string]any{"name": "CALL_A", "type": "call", "url": a.URL + "/a"},
		map[string]any{"name": "CALL_B", "type": "call", "url": b.URL + "/b"},
		map[string]any{"name": "JOIN", "type": "jq", "inputs": map[string]any{"a": "CALL_A.body", "b": "CALL_B.body"},
			"jq": `{"X-A": .a.from, "X-B": .b.from}`, "output": "service_request.headers"},
	}}))
	h := newHarness("GET", "/", "", nil)
	if exit, err := h.access(t, f); exit != nil || err != nil {
		t.Fatalf("exit %+v, err %v", exit, err)
	}
	if h.upstream.header.Get("X-A") != "/a" || h.upstream.header.Get("X-B") != "/b" {
		t.Errorf("upstream headers %v", h.upstream.header)
	}
}

// Nodes that read service_response run in the response phase and may rewrite the answer.
func TestResponsePhase(t *testing.T) {
	f := compile(t, `{"nodes":[
		{"name":"STAMP","type":"static","values":{"tag":"dk"}},
		{"name":"ENRICH","type":"jq","inputs":{"body":"service_response.body","status":"service_response.status","tag":"STAMP.tag"},
		 "jq":".body + {status: .status, tag: .tag}","output":"response.body"},
		{"name":"STATUS","type":"jq","input":"service_response.status","jq":". + 1","output":"response.status"}
	]}`)
	if !f.UsesServiceResponse() {
		t.Fatal("UsesServiceResponse = false")
	}
	h := newHarness("GET", "/", "", nil)
	run := f.Start(h.env)
	if exit, err := run.Access(context.Background()); exit != nil || err != nil {
		t.Fatalf("access: %+v %v", exit, err)
	}
	resp := &clientResponse{header: http.Header{}}
	upstream := upstreamAnswer{status: 200, header: http.Header{"Content-Type": {"application/json"}}, body: []byte(`{"a":1}`)}
	if exit, err := run.Response(context.Background(), upstream, resp); exit != nil || err != nil {
		t.Fatalf("response: %+v %v", exit, err)
	}
	if got := jsonBody(t, resp.body); got["a"] != float64(1) || got["status"] != float64(200) || got["tag"] != "dk" {
		t.Errorf("response body %s", resp.body)
	}
	if resp.status != 201 || resp.header.Get("Content-Type") != "application/json" {
		t.Errorf("status %d, header %v", resp.status, resp.header)
	}
}

// From 3.13 a call node may run on the upstream's answer; an exit there replaces it.
func TestCallAndExitAfterTheUpstream(t *testing.T) {
	s := echo(t)
	f := compile(t, mustJSON(map[string]any{"nodes": []any{
		map[string]any{"name": "FORWARD", "type": "call", "url": s.URL + "/audit", "method": "POST",
			"inputs": map[string]any{"body": "service_response.body"}},
		map[string]any{"name": "DONE", "type": "exit", "status": 299, "inputs": map[string]any{"body": "FORWARD.body"}},
	}}))
	h := newHarness("GET", "/", "", nil)
	run := f.Start(h.env)
	if exit, err := run.Access(context.Background()); exit != nil || err != nil {
		t.Fatalf("access ran the late nodes: %+v %v", exit, err)
	}
	upstream := upstreamAnswer{status: 200, header: http.Header{"Content-Type": {"application/json"}}, body: []byte(`{"n":1}`)}
	exit, err := run.Response(context.Background(), upstream, &clientResponse{header: http.Header{}})
	if err != nil || exit == nil || exit.Status != 299 {
		t.Fatalf("exit %+v err %v", exit, err)
	}
	got := jsonBody(t, exit.Body)
	if got["path"] != "/audit" || got["body"] != `{"n":1}` || got["ctype"] != "application/json" {
		t.Errorf("the audit call saw %s", exit.Body)
	}
}

// The adapters the data plane can use as they are: HTTPRequest and HTTPServiceRequest over
// *http.Request, Answer for the upstream's answer.
func TestHTTPAdapters(t *testing.T) {
	ts := tokenService(t, nil)
	f := compile(t, thirdPartyAuth(ts.URL, false))
	client := httptest.NewRequest(http.MethodGet, "/x?api_key=abc", nil)
	upstream := client.Clone(context.Background())
	env := &Env{Request: HTTPRequest(client, "http", 8000), ServiceRequest: HTTPServiceRequest(upstream)}
	run := f.Start(env)
	if exit, err := run.Access(context.Background()); exit != nil || err != nil {
		t.Fatalf("%+v %v", exit, err)
	}
	if upstream.Header.Get("Authorization") != "Bearer token-for-abc" || client.Header.Get("Authorization") != "" {
		t.Errorf("upstream %v, client %v", upstream.Header, client.Header)
	}

	f = compile(t, `{"nodes":[
		{"name":"WRAP","type":"jq","input":"service_response","jq":"{wrapped: .body, was: .status}","output":"response.body"},
		{"name":"Q","type":"static","values":{"query":{"a":"1"},"body":"new body"},"output":"service_request"}]}`)
	run = f.Start(&Env{Request: HTTPRequest(client, "http", 8000), ServiceRequest: HTTPServiceRequest(upstream)})
	if exit, err := run.Access(context.Background()); exit != nil || err != nil {
		t.Fatalf("%+v %v", exit, err)
	}
	if upstream.URL.RawQuery != "a=1" || upstream.ContentLength != int64(len("new body")) || readAll(t, upstream.Body) != "new body" {
		t.Errorf("upstream request %q %d", upstream.URL.RawQuery, upstream.ContentLength)
	}
	answer := NewAnswer(200, http.Header{"Content-Type": {"application/json"}, "Content-Length": {"7"}}, []byte(`{"a":1}`))
	if exit, err := run.Response(context.Background(), answer, answer); exit != nil || err != nil {
		t.Fatalf("%+v %v", exit, err)
	}
	if string(answer.Bytes()) != `{"was":200,"wrapped":{"a":1}}` || answer.Header().Get("Content-Length") != "29" {
		t.Errorf("answer %s %v", answer.Bytes(), answer.Header())
	}
}
