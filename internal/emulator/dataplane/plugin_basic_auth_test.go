package dataplane

import (
	"crypto/sha1" //nolint:gosec // the stored form of basic-auth passwords, as Kong keeps them
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// authCase is one request through the test gateway and what must come of it. It serves the
// tests of every auth plugin.
type authCase struct {
	name   string
	method string // GET when empty
	path   string
	host   string // the Host to send; the proxy's address when empty
	header http.Header
	body   string

	status    int
	message   string            // the error's "message" when status is not 200
	challenge string            // expected WWW-Authenticate; "" means none
	upstream  map[string]string // headers the upstream must see; "" means absent
	exactBody string            // when set, the whole response body
}

// authHeaders builds request headers from name, value pairs.
func authHeaders(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

// withPath is the case sent to another path.
func (c authCase) withPath(path string) authCase {
	c.path = path
	return c
}

// run sends the case's request and checks the answer.
func (c authCase) run(t *testing.T, g *testGateway) {
	t.Helper()
	method := c.method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequest(method, c.path, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	if c.header != nil {
		req.Header = c.header.Clone()
	}
	req.Host = c.host
	resp, body := g.do(req)
	if resp.StatusCode != c.status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, body)
	}
	if got := resp.Header.Get("WWW-Authenticate"); got != c.challenge {
		t.Errorf("WWW-Authenticate %q, want %q", got, c.challenge)
	}
	if c.exactBody != "" && string(body) != c.exactBody {
		t.Errorf("body %s, want %s", body, c.exactBody)
	}
	if c.status == http.StatusOK {
		up := http.Header(g.echo(body).Headers)
		for name, want := range c.upstream {
			values, present := up[http.CanonicalHeaderKey(name)]
			switch {
			case want == "" && present:
				t.Errorf("upstream got %s: %q, want none", name, values)
			case want != "" && (len(values) != 1 || values[0] != want):
				t.Errorf("upstream %s = %q, want %q", name, values, want)
			}
		}
		return
	}
	if c.message != "" {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("error body is not JSON: %s", body)
		}
		if m["message"] != c.message {
			t.Errorf("message %q, want %q (body %s)", m["message"], c.message, body)
		}
	}
}

// addBasicCredential stores a basic-auth credential with the password hashed as the API
// stores it.
func addBasicCredential(g *testGateway, consumerID, username, password string) {
	g.add("basic-auth", Entity{"username": username, "password": basicPasswordHash(password, consumerID),
		"consumer": map[string]any{"id": consumerID}})
}

// basicHeader is the Authorization value a client sends.
func basicHeader(user, pass string) string { return formatBasicAuthorization(user, pass) }

func TestBasicAuth(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	bob := g.add("consumers", Entity{"username": "bob", "custom_id": "bob-7"})
	addBasicCredential(g, bob, "bob-user", "s3cret")
	addBasicCredential(g, bob, "colon-user", "pa:ss:word")
	anon := g.consumer("anon")

	r, _ := g.route("/basic")
	g.add("plugins", Entity{"name": "basic-auth", "route": map[string]any{"id": r}, "config": map[string]any{"hide_credentials": true}})
	// hide_credentials is left at Konnect's default, false: the credentials go upstream.
	r, _ = g.route("/keep")
	g.add("plugins", Entity{"name": "basic-auth", "route": map[string]any{"id": r}, "config": map[string]any{"realm": "kong"}})
	r, _ = g.route("/anon")
	g.add("plugins", Entity{"name": "basic-auth", "route": map[string]any{"id": r}, "config": map[string]any{"anonymous": "anon", "hide_credentials": true}})
	r, _ = g.route("/anon-by-id")
	g.add("plugins", Entity{"name": "basic-auth", "route": map[string]any{"id": r}, "config": map[string]any{"anonymous": anon, "hide_credentials": true}})
	r, _ = g.route("/anon-missing")
	g.add("plugins", Entity{"name": "basic-auth", "route": map[string]any{"id": r}, "config": map[string]any{"anonymous": "nobody"}})
	// key-auth (priority 1250) runs before basic-auth: with anonymous set on both, either
	// credential will do.
	r, _ = g.route("/either")
	g.add("plugins", Entity{"name": "key-auth", "route": map[string]any{"id": r}, "config": map[string]any{"anonymous": "anon"}})
	g.add("plugins", Entity{"name": "basic-auth", "route": map[string]any{"id": r}, "config": map[string]any{"anonymous": "anon", "hide_credentials": true}})
	keyOwner := g.consumer("key-owner")
	g.add("key-auth", Entity{"key": "k-1", "consumer": map[string]any{"id": keyOwner}})

	const challenge = `Basic realm="service"`
	good := basicHeader("bob-user", "s3cret")
	bobHeaders := map[string]string{"X-Consumer-Id": bob, "X-Consumer-Username": "bob", "X-Consumer-Custom-Id": "bob-7",
		"X-Credential-Identifier": "bob-user", "X-Anonymous-Consumer": "", "Authorization": ""}
	unauthorized := func(name string, h http.Header) authCase {
		return authCase{name: name, path: "/basic", header: h, status: 401, message: "Unauthorized", challenge: challenge}
	}
	cases := []authCase{
		unauthorized("no credentials", nil),
		unauthorized("wrong password", authHeaders("Authorization", basicHeader("bob-user", "nope"))),
		unauthorized("unknown user", authHeaders("Authorization", basicHeader("carol", "s3cret"))),
		unauthorized("empty password", authHeaders("Authorization", basicHeader("bob-user", ""))),
		unauthorized("empty header", authHeaders("Authorization", "")),
		unauthorized("scheme only", authHeaders("Authorization", "Basic")),
		unauthorized("not base64", authHeaders("Authorization", "Basic !!!not-base64!!!")),
		unauthorized("impossible base64 length", authHeaders("Authorization", "Basic abcde")),
		unauthorized("no colon", authHeaders("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("bob-user")))),
		unauthorized("empty user name", authHeaders("Authorization", basicHeader("", "s3cret"))),
		unauthorized("other scheme", authHeaders("Authorization", "Bearer abc.def.ghi")),
		unauthorized("huge header", authHeaders("Authorization", "Basic "+strings.Repeat("QUFB", 2000))),
		unauthorized("password is the stored hash", authHeaders("Authorization", basicHeader("bob-user", basicPasswordHash("s3cret", bob)))),
		unauthorized("right password in Authorization, wrong one in Proxy-Authorization",
			authHeaders("Proxy-Authorization", basicHeader("bob-user", "nope"), "Authorization", good)),
		{name: "valid", path: "/basic", header: authHeaders("Authorization", good), status: 200, upstream: bobHeaders},
		{name: "lower-case scheme and no space", path: "/basic", header: authHeaders("Authorization", "basic"+strings.TrimPrefix(good, "Basic ")),
			status: 200, upstream: bobHeaders},
		{name: "password with colons", path: "/basic", header: authHeaders("Authorization", basicHeader("colon-user", "pa:ss:word")),
			status: 200, upstream: map[string]string{"X-Credential-Identifier": "colon-user"}},
		{name: "proxy-authorization", path: "/basic", header: authHeaders("Proxy-Authorization", good),
			status: 200, upstream: map[string]string{"X-Consumer-Username": "bob", "Proxy-Authorization": ""}},
		{name: "unknown user in proxy-authorization falls back to authorization", path: "/basic",
			header: authHeaders("Proxy-Authorization", basicHeader("carol", "x"), "Authorization", good),
			status: 200, upstream: map[string]string{"X-Consumer-Username": "bob", "Proxy-Authorization": "", "Authorization": ""}},
		{name: "spoofed identity headers are replaced", path: "/basic",
			header: authHeaders("Authorization", good, "X-Consumer-Username", "mallory", "X-Anonymous-Consumer", "true", "X-Credential-Identifier", "x"),
			status: 200, upstream: bobHeaders},
		{name: "hide_credentials off by default keeps the header", path: "/keep", header: authHeaders("Authorization", good),
			status: 200, upstream: map[string]string{"Authorization": good, "X-Consumer-Username": "bob"}},
		{name: "hide_credentials off keeps proxy-authorization", path: "/keep", header: authHeaders("Proxy-Authorization", good),
			status: 200, upstream: map[string]string{"Proxy-Authorization": good, "X-Consumer-Username": "bob"}},
		{name: "realm from config", path: "/keep", status: 401, message: "Unauthorized", challenge: `Basic realm="kong"`},
		{name: "anonymous by username", path: "/anon", status: 200, upstream: map[string]string{"X-Consumer-Username": "anon",
			"X-Consumer-Id": anon, "X-Anonymous-Consumer": "true", "X-Credential-Identifier": ""}},
		{name: "anonymous by id after a bad password", path: "/anon-by-id", header: authHeaders("Authorization", basicHeader("bob-user", "x")),
			status: 200, upstream: map[string]string{"X-Consumer-Username": "anon", "X-Anonymous-Consumer": "true", "Authorization": ""}},
		{name: "anonymous with valid credentials", path: "/anon", header: authHeaders("Authorization", good), status: 200, upstream: bobHeaders},
		{name: "missing anonymous consumer", path: "/anon-missing", status: 500,
			message: "anonymous consumer nobody is configured but doesn't exist"},
		{name: "logical OR: key-auth identified the client", path: "/either", header: authHeaders("apikey", "k-1"),
			status: 200, upstream: map[string]string{"X-Consumer-Username": "key-owner", "X-Anonymous-Consumer": ""}},
		{name: "logical OR: basic-auth identified the client", path: "/either", header: authHeaders("Authorization", good),
			status: 200, upstream: bobHeaders},
		{name: "logical OR: neither", path: "/either", status: 200,
			upstream: map[string]string{"X-Consumer-Username": "anon", "X-Anonymous-Consumer": "true"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, g)
		})
	}
}

func TestBasicAuthPlainTextError(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	g.route("/basic")
	g.add("plugins", Entity{"name": "basic-auth"})
	resp, body := g.get("/basic", map[string]string{"Accept": "text/plain"})
	if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(string(body), "Unauthorized\nrequest_id: ") {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
}

// basicPasswordHash is the stored form of a password: sha1_hex(password .. consumer id).
func basicPasswordHash(password, consumerID string) string {
	sum := sha1.Sum([]byte(password + consumerID)) //nolint:gosec // see the import
	return hex.EncodeToString(sum[:])
}

func TestParseBasicAuthorization(t *testing.T) {
	t.Parallel()
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	cases := []struct {
		in         string
		user, pass string
		ok         bool
	}{
		{"Basic " + b64("u:p"), "u", "p", true},
		{"basic " + b64("u:p"), "u", "p", true},
		{"  Basic" + b64("u:p"), "u", "p", true},
		{"Basic " + strings.TrimRight(b64("user:pw"), "="), "user", "pw", true}, // padding is optional
		{"Basic " + b64("u:"), "u", "", true},
		{"Basic " + b64("u:a:b"), "u", "a:b", true},
		{"Basic " + b64(":u:p"), "u", "p", true}, // the user name is the first run without ':'
		{"Basic " + b64("u:line1\nline2"), "u", "line1", true},
		{"Basic " + b64("u:p") + "=garbage", "u", "p", true}, // nginx stops at '='
		{"Token Basic " + b64("u:p"), "u", "p", true},        // Kong's pattern is not anchored
		{"Basic " + b64(":p"), "", "", false},
		{"Basic " + b64("nocolon"), "", "", false},
		{"Basic a", "", "", false},
		{"Basic ****", "", "", false},
		{"Basic", "", "", false},
		{"", "", "", false},
		{"Bearer " + b64("u:p"), "", "", false},
	}
	for _, c := range cases {
		user, pass, ok := parseBasicAuthorization(c.in)
		if user != c.user || pass != c.pass || ok != c.ok {
			t.Errorf("parseBasicAuthorization(%q) = %q, %q, %v; want %q, %q, %v", c.in, user, pass, ok, c.user, c.pass, c.ok)
		}
	}
}

func TestNgxDecodeBase64(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, out string
		ok      bool
	}{
		{"", "", true}, {"YQ==", "a", true}, {"YQ", "a", true}, {"YWI", "ab", true}, {"YWJj", "abc", true},
		{"YR", "a", true}, // leftover bits are ignored
		{"Y", "", false}, {"YWJjZ", "", false}, {"YW J", "", false}, {"YQ\n", "", false}, {"-_", "", false},
		{"YQ=!", "a", true}, {"=", "", true},
	}
	for _, c := range cases {
		got, ok := ngxDecodeBase64(c.in)
		if ok != c.ok || ok && string(got) != c.out {
			t.Errorf("ngxDecodeBase64(%q) = %q, %v; want %q, %v", c.in, got, ok, c.out, c.ok)
		}
	}
}

func FuzzBasicAuthHeader(f *testing.F) {
	for _, s := range []string{"Basic dXNlcjpwYXNz", "basic dTpw", "Basic Og==", "Basic", "Basic =", "Basic \x00\xff",
		"Basic dXNlcjpwYXNz\nZm9v", "xBasic  YTpi=zz", "Basic YTpiOmM6ZA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		user, pass, ok := parseBasicAuthorization(header)
		if !ok {
			if user != "" || pass != "" {
				t.Fatalf("failed parse returned %q, %q", user, pass)
			}
			return
		}
		if user == "" || strings.Contains(user, ":") || strings.Contains(pass, "\n") {
			t.Fatalf("parse of %q gave user %q, password %q", header, user, pass)
		}
		// What parses must survive a trip through the client's encoding.
		u2, p2, ok2 := parseBasicAuthorization(formatBasicAuthorization(user, pass))
		if !ok2 || u2 != user || p2 != pass {
			t.Fatalf("round trip of %q, %q gave %q, %q, %v", user, pass, u2, p2, ok2)
		}
	})
}
