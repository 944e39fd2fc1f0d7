package emulator_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

// echo is an upstream that answers what it received, as JSON.
type echoed struct {
	Method  string              `json:"method"`
	Path    string              `json:"path"`
	Query   string              `json:"query"`
	Host    string              `json:"host"`
	Headers map[string][]string `json:"headers"`
	Body    string              `json:"body"`
	Server  string              `json:"server"`
}

func echoServer(t *testing.T, name string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if d := r.URL.Query().Get("sleep"); d != "" {
			wait, _ := time.ParseDuration(d)
			time.Sleep(wait)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(echoed{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Host: r.Host,
			Headers: r.Header, Body: string(body), Server: name})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// send makes a request through the proxy.
// reply is what a test reads of a proxied response; the body is already read and closed.
type reply struct {
	StatusCode int
	Header     http.Header
}

func send(t *testing.T, proxy, method, path string, header map[string]string) (reply, []byte) {
	t.Helper()
	return sendVia(t, http.DefaultClient, proxy, method, path, header)
}

// sendVia is send through a given client (one dialing from another address, say).
func sendVia(t *testing.T, c *http.Client, proxy, method, path string, header map[string]string) (reply, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, proxy+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		if strings.EqualFold(k, "Host") {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header}, body
}

func upstreamSaw(t *testing.T, body []byte) echoed {
	t.Helper()
	var e echoed
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("not an echo: %s", body)
	}
	return e
}

// proxyFor returns the harness control plane's proxy.
func (h *harness) proxy() string {
	h.t.Helper()
	status, info := h.raw(http.MethodGet, "/_emulator/control-planes/"+h.cp.String(), "")
	if status != http.StatusOK || info["proxy_url"] == "" {
		h.t.Fatalf("control plane info: %d %v", status, info)
	}
	return info["proxy_url"].(string)
}

func (h *harness) post(path, body string) map[string]any {
	h.t.Helper()
	status, out := h.raw(http.MethodPost, h.core(path), body)
	if status != http.StatusCreated {
		h.t.Fatalf("POST %s: %d %v", path, status, out)
	}
	return out
}

func hostPort(t *testing.T, url string) (string, int) {
	t.Helper()
	host, port, err := net.SplitHostPort(strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	var p int
	_, _ = fmt.Sscan(port, &p)
	return host, p
}

var requestIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestProxyNoRouteAndContentNegotiation(t *testing.T) {
	t.Parallel()
	h := start(t)
	proxy := h.proxy()
	resp, body := send(t, proxy, "GET", "/nowhere", nil)
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("%d %s %s", resp.StatusCode, resp.Header, body)
	}
	var msg map[string]string
	if err := json.Unmarshal(body, &msg); err != nil || msg["message"] != "no Route matched with those values" || !requestIDPattern.MatchString(msg["request_id"]) {
		t.Fatalf("body %s", body)
	}
	if resp.Header.Get("X-Kong-Request-Id") != msg["request_id"] || resp.Header.Get("X-Kong-Response-Latency") == "" || !strings.HasPrefix(resp.Header.Get("Server"), "kong/") {
		t.Fatalf("headers %v", resp.Header)
	}
	for accept, want := range map[string]string{
		"text/html":                   "<p>no Route matched with those values.</p>",
		"text/plain":                  "no Route matched with those values\nrequest_id: ",
		"application/xml":             "<message>no Route matched with those values</message>",
		"text/plain;q=0.2, text/html": "<h1>Error</h1>",
		"*/*":                         `"message":"no Route matched with those values"`,
	} {
		_, body := send(t, proxy, "GET", "/nowhere", map[string]string{"Accept": accept})
		if !strings.Contains(string(body), want) {
			t.Errorf("Accept %s: %s", accept, body)
		}
	}
}

func TestProxyForwardsWithKongHeaders(t *testing.T) {
	t.Parallel()
	h := start(t)
	up := echoServer(t, "one")
	host, port := hostPort(t, up.URL)
	svc := h.post("/services", fmt.Sprintf(`{"name":"echo","host":%q,"port":%d,"path":"/api"}`, host, port))
	h.post("/services/"+svc["id"].(string)+"/routes", `{"name":"r","paths":["/foo"]}`)
	h.post("/routes", fmt.Sprintf(`{"name":"keep","paths":["/keep"],"strip_path":false,"preserve_host":true,"service":{"id":%q}}`, svc["id"]))
	proxy := h.proxy()

	resp, body := send(t, proxy, "POST", "/foo/bar?x=1&y=2", map[string]string{"X-Forwarded-For": "10.1.1.1", "Via": "1.0 edge"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	e := upstreamSaw(t, body)
	if e.Method != http.MethodPost || e.Path != "/api/bar" || e.Query != "x=1&y=2" || e.Host != net.JoinHostPort(host, fmt.Sprint(port)) {
		t.Fatalf("upstream saw %+v", e)
	}
	hd := http.Header(e.Headers)
	if hd.Get("X-Forwarded-For") != "10.1.1.1, 127.0.0.1" || hd.Get("X-Real-Ip") != "127.0.0.1" || hd.Get("X-Forwarded-Proto") != "http" ||
		hd.Get("X-Forwarded-Path") != "/foo/bar" || hd.Get("X-Forwarded-Prefix") != "/foo" || !requestIDPattern.MatchString(hd.Get("X-Kong-Request-Id")) ||
		!strings.HasPrefix(hd.Get("Via"), "1.0 edge, 1.1 kong/") {
		t.Fatalf("upstream headers %v", hd)
	}
	if resp.Header.Get("X-Kong-Upstream-Latency") == "" || resp.Header.Get("X-Kong-Proxy-Latency") == "" || !strings.Contains(resp.Header.Get("Via"), "kong/") ||
		resp.Header.Get("X-Kong-Request-Id") != hd.Get("X-Kong-Request-Id") {
		t.Fatalf("response headers %v", resp.Header)
	}
	_, body = send(t, proxy, "GET", "/keep/it", map[string]string{"Host": "client.example"})
	if e := upstreamSaw(t, body); e.Path != "/api/keep/it" || e.Host != "client.example" {
		t.Fatalf("strip_path=false, preserve_host: %+v", e)
	}
}

func TestProxyErrors(t *testing.T) {
	t.Parallel()
	h := start(t)
	up := echoServer(t, "slow")
	host, port := hostPort(t, up.URL)
	dead := httptest.NewServer(http.NotFoundHandler())
	deadHost, deadPort := hostPort(t, dead.URL)
	dead.Close()
	h.post("/routes", `{"name":"orphan","paths":["/orphan"]}`)
	slow := h.post("/services", fmt.Sprintf(`{"name":"slow","host":%q,"port":%d,"read_timeout":200}`, host, port))
	h.post("/routes", fmt.Sprintf(`{"paths":["/slow"],"service":{"id":%q}}`, slow["id"]))
	gone := h.post("/services", fmt.Sprintf(`{"name":"gone","host":%q,"port":%d,"retries":1}`, deadHost, deadPort))
	h.post("/routes", fmt.Sprintf(`{"paths":["/gone"],"service":{"id":%q}}`, gone["id"]))
	tls := h.post("/services", fmt.Sprintf(`{"name":"tlsonly","host":%q,"port":%d}`, host, port))
	h.post("/routes", fmt.Sprintf(`{"paths":["/secure"],"protocols":["https"],"service":{"id":%q}}`, tls["id"]))
	h.post("/routes", fmt.Sprintf(`{"paths":["/moved"],"protocols":["https"],"https_redirect_status_code":301,"service":{"id":%q}}`, tls["id"]))
	proxy := h.proxy()

	resp, body := send(t, proxy, "GET", "/orphan", nil)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "no Service found with those values") {
		t.Errorf("route without service: %d %s", resp.StatusCode, body)
	}
	resp, body = send(t, proxy, "GET", "/gone", nil)
	if resp.StatusCode != http.StatusBadGateway || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" ||
		!strings.HasPrefix(string(body), "An invalid response was received from the upstream server\nrequest_id: ") {
		t.Errorf("refused upstream: %d %v %q", resp.StatusCode, resp.Header, body)
	}
	resp, body = send(t, proxy, "GET", "/gone", map[string]string{"Accept": "application/json"})
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(string(body), `"message":"An invalid response was received from the upstream server"`) {
		t.Errorf("refused upstream, JSON: %d %s", resp.StatusCode, body)
	}
	resp, body = send(t, proxy, "GET", "/slow?sleep=1s", nil)
	if resp.StatusCode != http.StatusGatewayTimeout || !strings.HasPrefix(string(body), "The upstream server is timing out") {
		t.Errorf("slow upstream: %d %s", resp.StatusCode, body)
	}
	resp, body = send(t, proxy, "GET", "/secure", nil)
	if resp.StatusCode != http.StatusUpgradeRequired || !strings.Contains(string(body), "Please use HTTPS protocol") ||
		resp.Header.Get("Upgrade") != "TLS/1.2, HTTP/1.1" {
		t.Errorf("https-only route over http: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest(http.MethodGet, proxy+"/moved/x?a=1", nil)
	req.Host = "shop.example"
	r2, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = r2.Body.Close()
	if r2.StatusCode != http.StatusMovedPermanently || r2.Header.Get("Location") != "https://shop.example/moved/x?a=1" {
		t.Errorf("redirect: %d %v", r2.StatusCode, r2.Header)
	}
	resp, body = send(t, proxy, "GET", "/x", map[string]string{"X-Big": strings.Repeat("a", 9000)})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "Request header or cookie too large") {
		t.Errorf("huge header: %d %s", resp.StatusCode, body)
	}
}

func TestProxyBalancesOverTargetsByWeight(t *testing.T) {
	t.Parallel()
	h := start(t)
	a, b, c := echoServer(t, "a"), echoServer(t, "b"), echoServer(t, "c")
	up := h.post("/upstreams", `{"name":"pool.internal"}`)
	uid := up["id"].(string)
	for srv, weight := range map[*httptest.Server]int{a: 100, b: 300, c: 0} {
		host, port := hostPort(t, srv.URL)
		h.post("/upstreams/"+uid+"/targets", fmt.Sprintf(`{"target":"%s:%d","weight":%d}`, host, port, weight))
	}
	svc := h.post("/services", `{"name":"pooled","host":"pool.internal","port":80}`)
	h.post("/routes", fmt.Sprintf(`{"paths":["/pool"],"service":{"id":%q}}`, svc["id"]))
	empty := h.post("/upstreams", `{"name":"empty.internal"}`)
	_ = empty
	esvc := h.post("/services", `{"name":"emptysvc","host":"empty.internal"}`)
	h.post("/routes", fmt.Sprintf(`{"paths":["/empty"],"service":{"id":%q}}`, esvc["id"]))
	proxy := h.proxy()

	counts := map[string]int{}
	for range 400 {
		_, body := send(t, proxy, "GET", "/pool", nil)
		counts[upstreamSaw(t, body).Server]++
	}
	if counts["c"] != 0 || counts["a"] < 80 || counts["a"] > 120 || counts["b"] < 280 || counts["b"] > 320 {
		t.Fatalf("distribution %v, want about a=100 b=300 c=0", counts)
	}
	resp, body := send(t, proxy, "GET", "/empty", nil)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "failure to get a peer from the ring-balancer") {
		t.Fatalf("upstream without targets: %d %s", resp.StatusCode, body)
	}
}

func TestProxyKeyAuth(t *testing.T) {
	t.Parallel()
	h := start(t)
	up := echoServer(t, "echo")
	host, port := hostPort(t, up.URL)
	svc := h.post("/services", fmt.Sprintf(`{"name":"ka","host":%q,"port":%d}`, host, port))
	sid := svc["id"].(string)
	h.post("/services/"+sid+"/routes", `{"paths":["/ka"]}`)
	h.post("/services/"+sid+"/plugins", `{"name":"key-auth","config":{"key_names":["apikey","x-key"],"hide_credentials":true}}`)
	alice := h.post("/consumers", `{"username":"alice","custom_id":"a-1"}`)
	cred := h.post("/consumers/alice/key-auth", `{"key":"alice-secret"}`)
	proxy := h.proxy()

	for _, tc := range []struct {
		name    string
		path    string
		headers map[string]string
		status  int
		message string
	}{
		{"no key", "/ka", nil, 401, "No API key found in request"},
		{"empty key", "/ka", map[string]string{"apikey": ""}, 401, "No API key found in request"},
		{"wrong key", "/ka", map[string]string{"apikey": "nope"}, 401, "Unauthorized"},
		{"duplicate key in query", "/ka?apikey=a&apikey=b", nil, 401, "Duplicate API key found"},
	} {
		resp, body := send(t, proxy, "GET", tc.path, tc.headers)
		if resp.StatusCode != tc.status || !strings.Contains(string(body), `"message":"`+tc.message+`"`) || resp.Header.Get("WWW-Authenticate") != "Key" {
			t.Errorf("%s: %d %v %s", tc.name, resp.StatusCode, resp.Header, body)
		}
	}
	for _, tc := range []struct {
		path    string
		headers map[string]string
	}{{"/ka", map[string]string{"apikey": "alice-secret"}}, {"/ka", map[string]string{"X-Key": "alice-secret"}}, {"/ka?apikey=alice-secret&z=1", nil}} {
		resp, body := send(t, proxy, "GET", tc.path, tc.headers)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s %v: %d %s", tc.path, tc.headers, resp.StatusCode, body)
		}
		e := upstreamSaw(t, body)
		hd := http.Header(e.Headers)
		if hd.Get("X-Consumer-Username") != "alice" || hd.Get("X-Consumer-Id") != alice["id"] || hd.Get("X-Consumer-Custom-Id") != "a-1" ||
			hd.Get("X-Credential-Identifier") != cred["id"] {
			t.Fatalf("consumer headers: %v", hd)
		}
		// hide_credentials is on: the key does not reach the upstream.
		if hd.Get("apikey") != "" || hd.Get("X-Key") != "" || strings.Contains(e.Query, "apikey") {
			t.Fatalf("the key reached the upstream: %v %q", hd, e.Query)
		}
	}
}

// Daily and monthly limits: the requests must be counted in one window, and a minute's could
// end between them.
func TestProxyRateLimitingAndPrecedence(t *testing.T) {
	t.Parallel()
	h := start(t)
	up := echoServer(t, "echo")
	host, port := hostPort(t, up.URL)
	svc := h.post("/services", fmt.Sprintf(`{"name":"rl","host":%q,"port":%d}`, host, port))
	sid := svc["id"].(string)
	route := h.post("/services/"+sid+"/routes", `{"paths":["/rl"]}`)
	other := h.post("/services/"+sid+"/routes", `{"paths":["/other"]}`)
	h.post("/plugins", `{"name":"rate-limiting","config":{"day":100}}`)
	h.post("/routes/"+route["id"].(string)+"/plugins", `{"name":"rate-limiting","config":{"day":3,"month":10}}`)
	proxy := h.proxy()

	for i := 1; i <= 3; i++ {
		resp, body := send(t, proxy, "GET", "/rl", nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d: %d %s", i, resp.StatusCode, body)
		}
		if resp.Header.Get("X-RateLimit-Limit-Day") != "3" || resp.Header.Get("X-RateLimit-Remaining-Day") != fmt.Sprint(3-i) ||
			resp.Header.Get("X-RateLimit-Limit-Month") != "10" || resp.Header.Get("X-RateLimit-Remaining-Month") != fmt.Sprint(10-i) ||
			resp.Header.Get("RateLimit-Limit") != "3" || resp.Header.Get("RateLimit-Remaining") != fmt.Sprint(3-i) || resp.Header.Get("RateLimit-Reset") == "" {
			t.Fatalf("request %d headers: %v", i, resp.Header)
		}
	}
	resp, body := send(t, proxy, "GET", "/rl", nil)
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(body), `"message":"API rate limit exceeded"`) ||
		resp.Header.Get("Retry-After") == "" || resp.Header.Get("Retry-After") != resp.Header.Get("RateLimit-Reset") ||
		resp.Header.Get("X-RateLimit-Remaining-Day") != "0" || resp.Header.Get("X-RateLimit-Remaining-Month") != "7" {
		t.Fatalf("over the limit: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	// The other route falls back to the global instance.
	resp, _ = send(t, proxy, "GET", "/other", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-RateLimit-Limit-Day") != "100" {
		t.Fatalf("global instance: %d %v", resp.StatusCode, resp.Header)
	}
	// A change through the API applies to the next request.
	h.post("/routes/"+other["id"].(string)+"/plugins", `{"name":"rate-limiting","config":{"second":50,"hide_client_headers":true}}`)
	resp, _ = send(t, proxy, "GET", "/other", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-RateLimit-Limit-Day") != "" || resp.Header.Get("RateLimit-Limit") != "" {
		t.Fatalf("hidden headers: %v", resp.Header)
	}
}

func TestProxyConsumerScopedPluginAppliesAfterAuth(t *testing.T) {
	t.Parallel()
	h := start(t)
	up := echoServer(t, "echo")
	host, port := hostPort(t, up.URL)
	svc := h.post("/services", fmt.Sprintf(`{"name":"cs","host":%q,"port":%d}`, host, port))
	h.post("/services/"+svc["id"].(string)+"/routes", `{"paths":["/cs"]}`)
	h.post("/plugins", `{"name":"key-auth"}`)
	h.post("/plugins", `{"name":"rate-limiting","config":{"day":100}}`)
	h.post("/consumers", `{"username":"gold"}`)
	h.post("/consumers", `{"username":"free"}`)
	h.post("/consumers/gold/key-auth", `{"key":"gold-key"}`)
	h.post("/consumers/free/key-auth", `{"key":"free-key"}`)
	h.post("/consumers/free/plugins", `{"name":"rate-limiting","config":{"day":1}}`)
	disabled := h.post("/consumers/gold/plugins", `{"name":"rate-limiting","config":{"day":1},"enabled":false}`)
	_ = disabled
	proxy := h.proxy()

	for i := range 2 {
		resp, _ := send(t, proxy, "GET", "/cs", map[string]string{"apikey": "gold-key"})
		if resp.StatusCode != http.StatusOK || resp.Header.Get("X-RateLimit-Limit-Day") != "100" {
			t.Fatalf("gold %d: %d %v", i, resp.StatusCode, resp.Header)
		}
	}
	resp, _ := send(t, proxy, "GET", "/cs", map[string]string{"apikey": "free-key"})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-RateLimit-Limit-Day") != "1" {
		t.Fatalf("free first: %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = send(t, proxy, "GET", "/cs", map[string]string{"apikey": "free-key"})
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("free second: %d", resp.StatusCode)
	}
}

func TestProxyOddRequestsNeverFail(t *testing.T) {
	t.Parallel()
	h := start(t)
	up := echoServer(t, "echo")
	host, port := hostPort(t, up.URL)
	svc := h.post("/services", fmt.Sprintf(`{"name":"odd","host":%q,"port":%d}`, host, port))
	h.post("/services/"+svc["id"].(string)+"/routes", `{"paths":["/","~/r/(?<x>[^/]+)"]}`)
	h.post("/services/"+svc["id"].(string)+"/plugins", `{"name":"key-auth","config":{"key_in_body":true}}`)
	proxy := strings.TrimPrefix(h.proxy(), "http://")
	for _, raw := range []string{
		"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /%00%ff%zz HTTP/1.1\r\nHost: x\r\n\r\n",
		"BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET http://elsewhere.test/abs HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /r/%2F%2F HTTP/1.1\r\nHost: x\r\napikey: a\r\napikey: b\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{\"api",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 9\r\n\r\napikey=%%",
		"GET / HTTP/1.1\r\nHost: [::1\r\n\r\n",
		"GET /" + strings.Repeat("a", 20000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nAccept: ;;;q=abc, text/html;q=\r\n\r\n",
		"GET / HTTP/1.0\r\n\r\n",
		"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
	} {
		conn, err := net.Dial("tcp", proxy)
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		_, _ = conn.Write([]byte(raw))
		line := make([]byte, 12)
		n, _ := io.ReadFull(conn, line)
		_ = conn.Close()
		status := string(line[:n])
		if n < 12 || !strings.HasPrefix(status, "HTTP/1.") || status[9] == '5' {
			t.Errorf("%q: answered %q", firstLine(raw), status)
		}
	}
}

func firstLine(s string) string {
	if i := strings.Index(s, "\r\n"); i >= 0 && i < 80 {
		return s[:i]
	}
	if len(s) > 80 {
		return s[:80]
	}
	return s
}
