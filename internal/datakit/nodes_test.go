package datakit

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestStaticToExit(t *testing.T) {
	f := compile(t, `{"nodes":[
		{"name":"V","type":"static","values":{"body":{"a":1},"headers":{"X-Tag":["one","two"]}}},
		{"name":"E","type":"exit","input":"V","status":418},
		{"name":"NEVER","type":"jq","jq":"\"x\"","output":"service_request.body"}]}`)
	h := newHarness("GET", "/", "", nil)
	exit, err := h.access(t, f)
	if err != nil || exit == nil {
		t.Fatalf("exit %+v err %v", exit, err)
	}
	if exit.Status != 418 || string(exit.Body) != `{"a":1}` || exit.Header.Get("Content-Type") != "application/json" ||
		strings.Join(exit.Header.Values("X-Tag"), ",") != "one,two" {
		t.Errorf("exit = %d %v %s", exit.Status, exit.Header, exit.Body)
	}
	if h.upstream.body != nil {
		t.Error("an exit still wrote the upstream request")
	}
}

func TestJQReadsTheRequest(t *testing.T) {
	f := compile(t, `{"nodes":[{"name":"J","type":"jq","input":"request",
		"jq":"{m: .method, b: .body.x, q: .query.a, p: .path, port: .port, scheme: .scheme, h: .headers[\"X-In\"]}",
		"output":"service_request.body"}]}`)
	h := newHarness("POST", "/p/q?a=1", `{"x":[1,2]}`, http.Header{"Content-Type": {"application/json"}, "X-In": {"v"}})
	if exit, err := h.access(t, f); exit != nil || err != nil {
		t.Fatalf("%+v %v", exit, err)
	}
	got := jsonBody(t, h.upstream.body)
	want := map[string]any{"m": "POST", "b": []any{1.0, 2.0}, "q": "1", "p": "/p/q", "port": 8000.0, "scheme": "http", "h": "v"}
	if mustJSON(got) != mustJSON(want) {
		t.Errorf("upstream body %s, want %s", h.upstream.body, mustJSON(want))
	}
	if h.upstream.header.Get("Content-Type") != "application/json" {
		t.Errorf("a table body sets Content-Type: %v", h.upstream.header)
	}
	if !f.UsesRequestBody() {
		t.Error("UsesRequestBody = false")
	}
}

// echo answers what it received as JSON.
func echo(t testing.TB) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo", "yes")
		_ = json.NewEncoder(w).Encode(map[string]any{"method": r.Method, "path": r.URL.Path, "query": r.URL.RawQuery,
			"ctype": r.Header.Get("Content-Type"), "x": r.Header.Get("X-Custom"), "body": readAll(t, r.Body)})
	}))
	t.Cleanup(s.Close)
	return s
}

func TestCallNode(t *testing.T) {
	s := echo(t)
	f := compile(t, mustJSON(map[string]any{"nodes": []any{
		map[string]any{"name": "ARGS", "type": "static", "values": map[string]any{
			"query":   map[string]any{"b": "2", "a": []any{"x", "y"}},
			"headers": map[string]any{"X-Custom": "c", "Content-Type": "application/x-www-form-urlencoded"},
			"body":    map[string]any{"k": "v w"}}},
		map[string]any{"name": "CALL", "type": "call", "url": s.URL + "/path?z=0", "method": "PUT", "input": "ARGS",
			"outputs": map[string]any{"body": "service_request.body", "status": "STATUS"}},
		map[string]any{"name": "STATUS", "type": "jq", "jq": `{"X-Status": (. | tostring)}`, "output": "service_request.headers"},
	}}))
	h := newHarness("GET", "/", "", nil)
	if exit, err := h.access(t, f); exit != nil || err != nil {
		t.Fatalf("%+v %v", exit, err)
	}
	got := jsonBody(t, h.upstream.body)
	want := map[string]any{"method": "PUT", "path": "/path", "query": "a=x&a=y&b=2&z=0",
		"ctype": "application/x-www-form-urlencoded", "x": "c", "body": "k=v+w"}
	if mustJSON(got) != mustJSON(want) {
		t.Errorf("echo saw %s, want %s", mustJSON(got), mustJSON(want))
	}
	if h.upstream.header.Get("X-Status") != "200" {
		t.Errorf("status output: %v", h.upstream.header)
	}
}

func TestCallURLInputAndTLS(t *testing.T) {
	tlsServer := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("plain text"))
	}))
	tlsServer.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	tlsServer.StartTLS()
	defer tlsServer.Close()
	for _, verify := range []bool{true, false} {
		f := compile(t, mustJSON(map[string]any{"nodes": []any{
			map[string]any{"name": "URL", "type": "jq", "input": "request.query", "jq": ".target"},
			map[string]any{"name": "CALL", "type": "call", "url": "http://127.0.0.1:1/unused", "ssl_verify": verify,
				"inputs": map[string]any{"url": "URL"}, "outputs": map[string]any{"body": "service_request.body"}},
		}}))
		h := newHarness("GET", "/?target="+tlsServer.URL+"/x", "", nil)
		exit, err := h.access(t, f)
		if verify {
			if err == nil || !strings.Contains(err.Error(), "certificate") {
				t.Errorf("ssl_verify=true against a self-signed server: err %v", err)
			}
			continue
		}
		if exit != nil || err != nil || string(h.upstream.body) != "plain text" {
			t.Errorf("ssl_verify=false: %+v %v %q", exit, err, h.upstream.body)
		}
	}
}

func TestCallTimeoutAndBadJSON(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	badJSON := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("{not json"))
	}))
	defer badJSON.Close()
	for _, tc := range []struct{ url, want string }{{slow.URL, "timeout"}, {badJSON.URL, "invalid JSON response body"}} {
		f := compile(t, mustJSON(map[string]any{"nodes": []any{
			map[string]any{"name": "CALL", "type": "call", "url": tc.url, "timeout": 50},
		}}))
		_, err := newHarness("GET", "/", "", nil).access(t, f)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.url, err, tc.want)
		}
	}
}

func TestPropertyNode(t *testing.T) {
	f := compile(t, `{"nodes":[
		{"name":"CONSUMER","type":"property","property":"kong.client.consumer"},
		{"name":"HDR","type":"jq","input":"CONSUMER","jq":"{\"X-Consumer\": .username}","output":"service_request.headers"},
		{"name":"VAL","type":"static","values":{"data":{"a":[1]}}},
		{"name":"SET_RAW","type":"property","property":"kong.ctx.shared.raw","input":"VAL.data"},
		{"name":"SET_JSON","type":"property","property":"kong.ctx.shared.encoded","content_type":"application/json","input":"VAL.data"}]}`)
	h := newHarness("GET", "/", "", nil)
	h.props.consumer = map[string]any{"username": "alice", "id": "c1"}
	if exit, err := h.access(t, f); exit != nil || err != nil {
		t.Fatalf("%+v %v", exit, err)
	}
	if h.upstream.header.Get("X-Consumer") != "alice" {
		t.Errorf("consumer header %v", h.upstream.header)
	}
	if mustJSON(h.props.shared["raw"]) != `{"a":[1]}` || h.props.shared["encoded"] != `{"a":[1]}` {
		t.Errorf("shared = %#v", h.props.shared)
	}

	// GET with content_type json decodes; non_nil refuses an unset property.
	f = compile(t, `{"nodes":[
		{"name":"GET","type":"property","property":"kong.ctx.shared.encoded","content_type":"application/json","output":"service_request.body"},
		{"name":"MUST","type":"property","property":"kong.ctx.shared.unset","non_nil":true}]}`)
	h2 := newHarness("GET", "/", "", nil)
	h2.props.shared["encoded"] = `{"b":2}`
	_, err := h2.access(t, f)
	var ne *NodeError
	if !errors.As(err, &ne) || ne.Name != "MUST" {
		t.Fatalf("non_nil: err %v", err)
	}
	h2.props.shared["unset"] = "now set"
	if exit, err := h2.access(t, f); exit != nil || err != nil || string(h2.upstream.body) != `{"b":2}` {
		t.Errorf("%+v %v %s", exit, err, h2.upstream.body)
	}
}

func TestBranchNode(t *testing.T) {
	f := compile(t, `{"nodes":[
		{"name":"COND","type":"jq","input":"request.query","jq":".flag == \"yes\""},
		{"name":"IF","type":"branch","input":"COND","then":["YES_BODY","EXIT_YES"],"else":["EXIT_NO"]},
		{"name":"YES_BODY","type":"static","values":{"body":"took then"}},
		{"name":"EXIT_YES","type":"exit","status":201,"inputs":{"body":"YES_BODY.body"}},
		{"name":"EXIT_NO","type":"exit","status":202}]}`)
	for flag, want := range map[string]int{"yes": 201, "no": 202} {
		exit, err := newHarness("GET", "/?flag="+flag, "", nil).access(t, f)
		if err != nil || exit == nil || exit.Status != want {
			t.Errorf("flag=%s: exit %+v err %v, want %d", flag, exit, err, want)
		}
		if flag == "yes" && string(exit.Body) != "took then" {
			t.Errorf("then body %q", exit.Body)
		}
	}
	// A condition that is not a boolean fails the branch node.
	f = compile(t, `{"nodes":[{"name":"IF","type":"branch","input":"request.body","then":["E"]},{"name":"E","type":"exit"}]}`)
	if _, err := newHarness("POST", "/", "text", nil).access(t, f); err == nil || !strings.Contains(err.Error(), "boolean") {
		t.Errorf("err %v", err)
	}
}

// cacheFlow is Kong's "conditionally fetch or store" example: GET the key; on a miss, build
// the data, SET it and answer "miss"; on a hit answer the cached data.
func cacheFlow(resources string) string {
	return `{"resources":` + resources + `,"nodes":[
		{"name":"KEY","type":"jq","input":"request.query","jq":".k"},
		{"name":"GET","type":"cache","inputs":{"key":"KEY"}},
		{"name":"IF_MISS","type":"branch","input":"GET.miss","then":["DATA","SET","EXIT_MISS"],"else":["EXIT_HIT"]},
		{"name":"DATA","type":"jq","input":"request.query","jq":"{value: .v}"},
		{"name":"SET","type":"cache","inputs":{"key":"KEY","data":"DATA"},"ttl":60},
		{"name":"EXIT_MISS","type":"exit","status":200,"inputs":{"body":"SET"}},
		{"name":"EXIT_HIT","type":"exit","status":203,"inputs":{"body":"GET"}}]}`
}

func runCacheFlow(t *testing.T, f *Flow, env func(*Env), query string) (int, map[string]any) {
	t.Helper()
	h := newHarness("GET", "/?"+query, "", nil)
	env(h.env)
	exit, err := h.access(t, f)
	if err != nil || exit == nil {
		t.Fatalf("exit %+v err %v", exit, err)
	}
	return exit.Status, jsonBody(t, exit.Body)
}

func TestMemoryCache(t *testing.T) {
	store := NewMemoryCache()
	now := time.Unix(1000, 0)
	store.now = func() time.Time { return now }
	f := compile(t, cacheFlow(`{"cache":{"strategy":"memory","memory":{"dictionary_name":"dk_test"}}}`))
	var dict string
	env := func(e *Env) { e.Memory = func(d string) Cache { dict = d; return store } }
	status, body := runCacheFlow(t, f, env, "k=one&v=first")
	if status != 200 || body["stored"] != true || body["miss"] != false || mustJSON(body["data"]) != `{"value":"first"}` {
		t.Fatalf("first request: %d %v", status, body)
	}
	if dict != "dk_test" {
		t.Errorf("dictionary %q", dict)
	}
	status, body = runCacheFlow(t, f, env, "k=one&v=second")
	if status != 203 || body["hit"] != true || mustJSON(body["data"]) != `{"value":"first"}` {
		t.Errorf("second request: %d %v", status, body)
	}
	now = now.Add(61 * time.Second) // past the node's ttl
	if status, body = runCacheFlow(t, f, env, "k=one&v=third"); status != 200 || mustJSON(body["data"]) != `{"value":"third"}` {
		t.Errorf("after the ttl: %d %v", status, body)
	}
}

func TestJSONAndXMLNodes(t *testing.T) {
	f := compile(t, `{"nodes":[
		{"name":"TO_XML","type":"json_to_xml","input":"request.body","root_element_name":"root","attributes_name_prefix":"@"},
		{"name":"BACK","type":"xml_to_json","input":"TO_XML","attributes_block_name":"#attr"},
		{"name":"OUT","type":"jq","inputs":{"xml":"TO_XML","json":"BACK"},"jq":".","output":"service_request.body"}]}`)
	in := `{"name":"Alice","age":30,"is_student":false,"courses":["Math","Science"],"address":{"@kind":"home","street":"123 Main St"},"empty":{}}`
	h := newHarness("POST", "/", in, http.Header{"Content-Type": {"application/json"}})
	if exit, err := h.access(t, f); exit != nil || err != nil {
		t.Fatalf("%+v %v", exit, err)
	}
	got := jsonBody(t, h.upstream.body)
	wantXML := `<root><address kind="home"><street>123 Main St</street></address><age>30</age><courses>Math</courses>` +
		`<courses>Science</courses><empty></empty><is_student>false</is_student><name>Alice</name></root>`
	if got["xml"] != wantXML {
		t.Errorf("xml = %v\nwant  %s", got["xml"], wantXML)
	}
	wantJSON := `{"root":{"address":{"#attr":{"kind":"home"},"street":"123 Main St"},"age":30,"courses":["Math","Science"],"empty":{},"is_student":false,"name":"Alice"}}`
	if mustJSON(got["json"]) != wantJSON {
		t.Errorf("json = %s\nwant   %s", mustJSON(got["json"]), wantJSON)
	}
	// xpath selects part of the document; recognize_type=false keeps strings.
	f = compile(t, `{"nodes":[{"name":"X","type":"xml_to_json","input":"request.body","xpath":"//age","recognize_type":false,"output":"service_request.body"}]}`)
	h = newHarness("POST", "/", "<p><age>30</age></p>", nil)
	if exit, err := h.access(t, f); exit != nil || err != nil || string(h.upstream.body) != `{"age":"30"}` {
		t.Errorf("%+v %v %s", exit, err, h.upstream.body)
	}
}

func TestJWTNodes(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	privPEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)}))
	pubDER, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	pubPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}))
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	otherDER, _ := x509.MarshalPKIXPublicKey(&otherKey.PublicKey)
	otherPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: otherDER}))
	for _, tc := range []struct{ alg, signKey, verifyKey, wrongKey string }{
		{"HS256", "s3cret", "s3cret", "other"},
		{"RS256", privPEM, pubPEM, otherPEM},
	} {
		t.Run(tc.alg, func(t *testing.T) {
			f := compile(t, mustJSON(map[string]any{
				"resources": map[string]any{"vault": map[string]any{"sign": "{vault://test/sign}", "verify": "{vault://test/verify}"}},
				"nodes": []any{
					map[string]any{"name": "CLAIMS", "type": "jq", "input": "request.query", "jq": "{sub: .user}"},
					map[string]any{"name": "SIGN", "type": "jwt_sign", "algorithm": tc.alg, "kid": "k1", "static_claims": map[string]any{"iss": "datakit"},
						"inputs": map[string]any{"claims": "CLAIMS", "key": "vault.sign"}},
					map[string]any{"name": "BEARER", "type": "jq", "input": "SIGN.token", "jq": `"Bearer " + .`},
					map[string]any{"name": "VERIFY", "type": "jwt_verify", "issuers": []any{"datakit"}, "required_claims": []any{"sub"},
						"inputs": map[string]any{"token": "BEARER", "key": "vault.verify"}},
					map[string]any{"name": "DECODE", "type": "jwt_decode", "input": "SIGN.token"},
					map[string]any{"name": "OUT", "type": "jq", "inputs": map[string]any{"v": "VERIFY.claims", "h": "DECODE.header", "p": "DECODE.payload"},
						"jq": "{sub: .v.sub, iss: .p.iss, kid: .h.kid, alg: .h.alg, ttl: (.p.exp - .p.iat)}", "output": "service_request.body"},
				}}))
			h := newHarness("GET", "/?user=bob", "", nil)
			h.env.Vault = mapVault{"{vault://test/sign}": tc.signKey, "{vault://test/verify}": tc.verifyKey}
			if exit, err := h.access(t, f); exit != nil || err != nil {
				t.Fatalf("%+v %v", exit, err)
			}
			want := mustJSON(map[string]any{"alg": tc.alg, "iss": "datakit", "kid": "k1", "sub": "bob", "ttl": 300})
			if string(h.upstream.body) != want {
				t.Errorf("got %s, want %s", h.upstream.body, want)
			}
			// The wrong key fails the verify node.
			h = newHarness("GET", "/?user=bob", "", nil)
			h.env.Vault = mapVault{"{vault://test/sign}": tc.signKey, "{vault://test/verify}": tc.wrongKey}
			if _, err := h.access(t, f); err == nil || !strings.Contains(err.Error(), "VERIFY") {
				t.Errorf("wrong key: err %v", err)
			}
		})
	}
	// An expired token is refused (exp from the claims input).
	f := compile(t, `{"nodes":[
		{"name":"C","type":"static","values":{"claims":{"exp":1000},"key":"k"}},
		{"name":"S","type":"jwt_sign","algorithm":"HS256","inputs":{"claims":"C.claims","key":"C.key"}},
		{"name":"V","type":"jwt_verify","inputs":{"token":"S.token","key":"C.key"}}]}`)
	if _, err := newHarness("GET", "/", "", nil).access(t, f); err == nil || !strings.Contains(err.Error(), "token expired") {
		t.Errorf("expired: err %v", err)
	}
}

func TestVaultNode(t *testing.T) {
	t.Setenv("DK_TEST_SECRET", "from-env")
	f := compile(t, `{"resources":{"vault":{"secret1":"{vault://env/dk-test-secret}"}},
		"nodes":[{"name":"JQ","type":"jq","inputs":{"s":"vault.secret1"},"jq":"{\"X-Secret\": .s}","output":"service_request.headers"}]}`)
	h := newHarness("GET", "/", "", nil)
	h.env.Vault = EnvVault{}
	if exit, err := h.access(t, f); exit != nil || err != nil || h.upstream.header.Get("X-Secret") != "from-env" {
		t.Errorf("%+v %v %v", exit, err, h.upstream.header)
	}
	h = newHarness("GET", "/", "", nil) // no vault supplied: the flow fails, naming vault
	exit, err := f.Start(h.env).Access(context.Background())
	if err == nil || exit == nil || exit.Status != 500 || !strings.Contains(err.Error(), "vault") {
		t.Errorf("no vault: %+v %v", exit, err)
	}
}

func TestJQSeesNoEnvironment(t *testing.T) {
	t.Setenv("DK_TEST_PRIVATE", "do-not-leak")
	f := compile(t, `{"nodes":[{"name":"J","type":"jq","jq":"{\"X-Env\": ($ENV.DK_TEST_PRIVATE // \"none\"), \"X-Env2\": (env.DK_TEST_PRIVATE // \"none\")}","output":"service_request.headers"}]}`)
	h := newHarness("GET", "/", "", nil)
	if exit, err := h.access(t, f); exit != nil || err != nil {
		t.Fatalf("%+v %v", exit, err)
	}
	if h.upstream.header.Get("X-Env") != "none" || h.upstream.header.Get("X-Env2") != "none" {
		t.Errorf("jq read the environment: %v", h.upstream.header)
	}
}

// A query map's null value is a name without a value; arrays repeat the name.
func TestServiceRequestQuery(t *testing.T) {
	f := compile(t, `{"nodes":[{"name":"Q","type":"static","values":{"query":{"flag":null,"a":["1","2"],"n":3,"s":"x y"}},"outputs":{"query":"service_request.query"}}]}`)
	h := newHarness("GET", "/?old=1", "", nil)
	if exit, err := h.access(t, f); exit != nil || err != nil {
		t.Fatalf("%+v %v", exit, err)
	}
	if h.upstream.query != "a=1&a=2&flag&n=3&s=x+y" {
		t.Errorf("upstream query %q", h.upstream.query)
	}
}

// An exit fed by a call answers the call's body with its own length: the call's framing
// headers (Content-Length of the original JSON) are not copied.
func TestExitFromCallKeepsItsOwnLength(t *testing.T) {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-From", "api")
		_, _ = w.Write([]byte(`{ "spaced" : true }`))
	}))
	defer s.Close()
	f := compile(t, `{"nodes":[{"name":"CALL","type":"call","url":"`+s.URL+`"},{"name":"EXIT","type":"exit","input":"CALL"}]}`)
	exit, err := newHarness("GET", "/", "", nil).access(t, f)
	if err != nil || exit == nil {
		t.Fatalf("%+v %v", exit, err)
	}
	if string(exit.Body) != `{"spaced":true}` || exit.Header.Get("X-From") != "api" || exit.Header.Get("Content-Length") != "" {
		t.Errorf("exit %v %s", exit.Header, exit.Body)
	}
}

func TestMemoryCachePurgesExpired(t *testing.T) {
	c := NewMemoryCache()
	now := time.Unix(0, 0)
	c.now = func() time.Time { return now }
	ctx := context.Background()
	for i := range memoryPurgeAt {
		_ = c.Set(ctx, "k"+strconv.Itoa(i), []byte("v"), time.Second)
	}
	_ = c.Set(ctx, "forever", []byte("v"), 0)
	now = now.Add(2 * time.Second)
	_ = c.Set(ctx, "new", []byte("v"), time.Second)
	if len(c.m) != 2 {
		t.Errorf("%d entries left, want forever and new", len(c.m))
	}
}

func TestPropertyTable(t *testing.T) {
	shared := map[string]any{"in": "x"}
	var target any
	props := PropertyTable{
		Getters:  map[string]func() (any, bool){"kong.client.consumer": func() (any, bool) { return map[string]any{"username": "bob"}, true }},
		Setters:  map[string]func(any) error{"kong.service.target": func(v any) error { target = v; return nil }},
		Prefixed: map[string]map[string]any{"kong.ctx.shared.": shared},
	}
	f := compile(t, `{"nodes":[
		{"name":"C","type":"property","property":"kong.client.consumer"},
		{"name":"IN","type":"property","property":"kong.ctx.shared.in"},
		{"name":"OUT","type":"property","property":"kong.ctx.shared.out","input":"C"},
		{"name":"T","type":"jq","input":"IN","jq":". + \":8080\"","output":"TARGET"},
		{"name":"TARGET","type":"property","property":"kong.service.target"}]}`)
	h := newHarness("GET", "/", "", nil)
	h.env.Properties = props
	if exit, err := h.access(t, f); exit != nil || err != nil {
		t.Fatalf("%+v %v", exit, err)
	}
	if mustJSON(shared["out"]) != `{"username":"bob"}` || target != "x:8080" {
		t.Errorf("shared %v target %v", shared, target)
	}
	for _, bad := range []string{`{"name":"S","type":"static","values":{"v":1},"outputs":{"v":"P"}},{"name":"P","type":"property","property":"kong.client.consumer"}`,
		`{"name":"P","type":"property","property":"kong.service.target"}`, `{"name":"P","type":"property","property":"kong.nope"}`} {
		f := compile(t, `{"nodes":[`+bad+`]}`)
		h.env.Properties = props
		if _, err := h.access(t, f); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// A static node's values connect whole to a headers input; a null value clears that header.
func TestStaticValuesAsHeaders(t *testing.T) {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"add": r.Header.Get("X-Add-Me"), "ignored": r.Header.Values("X-Ignored")})
	}))
	defer s.Close()
	f := compile(t, `{"nodes":[
		{"name":"HEADERS","type":"static","values":{"X-Ignored":null,"X-Add-Me":"added"}},
		{"name":"API","type":"call","url":"`+s.URL+`","inputs":{"headers":"HEADERS"}},
		{"name":"EXIT","type":"exit","inputs":{"headers":"HEADERS","body":"API.body"}}]}`)
	exit, err := newHarness("GET", "/", "", http.Header{"X-Ignored": {"from the client"}}).access(t, f)
	if err != nil || exit == nil {
		t.Fatalf("%+v %v", exit, err)
	}
	if string(exit.Body) != `{"add":"added","ignored":null}` || exit.Header.Get("X-Add-Me") != "added" || exit.Header.Values("X-Ignored") != nil {
		t.Errorf("exit %v %s", exit.Header, exit.Body)
	}
}

// A branch on another branch's list runs only when that side is taken; its own lists follow it.
func TestNestedBranches(t *testing.T) {
	f := compile(t, `{"nodes":[
		{"name":"HAS_A","type":"jq","input":"request.headers","jq":".[\"X-A\"] != null"},
		{"name":"IF_A","type":"branch","input":"HAS_A","then":["SET_A"],"else":["HAS_B","IF_B"]},
		{"name":"SET_A","type":"property","property":"kong.ctx.shared.who","input":"request.headers"},
		{"name":"HAS_B","type":"jq","input":"request.headers","jq":".[\"X-B\"] != null"},
		{"name":"IF_B","type":"branch","input":"HAS_B","then":["B_VALUE","SET_B"]},
		{"name":"B_VALUE","type":"static","values":{"who":"b"}},
		{"name":"SET_B","type":"property","property":"kong.ctx.shared.who","input":"B_VALUE.who"}]}`)
	for _, tc := range []struct {
		header http.Header
		want   string
	}{
		{http.Header{"X-A": {"1"}, "X-B": {"1"}}, "a"},
		{http.Header{"X-B": {"1"}}, "b"},
		{http.Header{}, "none"},
	} {
		h := newHarness("GET", "/", "", tc.header)
		if exit, err := h.access(t, f); exit != nil || err != nil {
			t.Fatalf("%+v %v", exit, err)
		}
		got := "none"
		switch v := h.props.shared["who"].(type) {
		case map[string]any:
			got = "a"
		case string:
			got = v
		}
		if got != tc.want {
			t.Errorf("headers %v: who = %v, want %s", tc.header, h.props.shared["who"], tc.want)
		}
	}
}
