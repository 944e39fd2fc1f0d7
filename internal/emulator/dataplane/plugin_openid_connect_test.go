package dataplane

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
)

// testIssuer is a minimal OpenID provider for the plugin's tests: discovery, JWKS (RSA, one
// kid), a token endpoint (password, client_credentials, authorization_code,
// refresh_token), introspection, and an authorize endpoint that logs the user in at once.
type testIssuer struct {
	t   testing.TB
	srv *httptest.Server
	kid string

	mu          sync.Mutex
	clients     map[string]string // id → secret
	users       map[string]string // name → password
	codes       map[string]map[string]any
	inactive    map[string]bool // tokens introspection calls inactive
	jwksFetches int
	// discoveryHeader is what the last discovery request carried.
	discoveryHeader http.Header
	// claims are added to every token the issuer makes (groups, scope...).
	claims map[string]any
}

func newTestIssuer(t testing.TB) *testIssuer {
	t.Helper()
	is := &testIssuer{t: t, kid: "key-1", clients: map[string]string{"kong": "kong-secret", "svc": "svc-secret"},
		users: map[string]string{"alice": "alice-pw"}, codes: map[string]map[string]any{}, inactive: map[string]bool{},
		claims: map[string]any{}}
	mux := http.NewServeMux()
	is.srv = httptest.NewServer(mux)
	t.Cleanup(is.srv.Close)
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		is.mu.Lock()
		is.discoveryHeader = r.Header.Clone()
		is.mu.Unlock()
		writeJSON(w, map[string]any{"issuer": is.srv.URL, "authorization_endpoint": is.srv.URL + "/authorize",
			"token_endpoint": is.srv.URL + "/token", "introspection_endpoint": is.srv.URL + "/introspect",
			"jwks_uri": is.srv.URL + "/jwks", "code_challenge_methods_supported": []string{"S256"}})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, _ *http.Request) {
		is.mu.Lock()
		is.jwksFetches++
		kid := is.kid
		is.mu.Unlock()
		writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &signingKeys(t).rsa.PublicKey, KeyID: kid, Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		code := randomToken()
		is.mu.Lock()
		is.codes[code] = map[string]any{"nonce": q.Get("nonce"), "redirect_uri": q.Get("redirect_uri"), "challenge": q.Get("code_challenge")}
		is.mu.Unlock()
		http.Redirect(w, r, q.Get("redirect_uri")+"?code="+code+"&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
	})
	mux.HandleFunc("/token", is.token)
	mux.HandleFunc("/introspect", func(w http.ResponseWriter, r *http.Request) {
		id, secret, _ := r.BasicAuth()
		if is.clients[id] == "" || is.clients[id] != secret {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		token := r.PostFormValue("token")
		is.mu.Lock()
		inactive := is.inactive[token]
		is.mu.Unlock()
		if inactive || token == "" {
			writeJSON(w, map[string]any{"active": false})
			return
		}
		out := map[string]any{"active": true, "scope": "read", "sub": "opaque-user", "exp": float64(time.Now().Add(time.Hour).Unix())}
		if claims := jwtPayload(token); claims != nil {
			for k, v := range claims {
				out[k] = v
			}
		}
		writeJSON(w, out)
	})
	return is
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// sign makes a token signed with the issuer's key, with its iss and a one-hour exp unless
// claims set them.
func (is *testIssuer) sign(claims map[string]any) string {
	full := map[string]any{"iss": is.srv.URL, "exp": float64(time.Now().Add(time.Hour).Unix()), "iat": float64(time.Now().Unix())}
	is.mu.Lock()
	for k, v := range is.claims {
		full[k] = v
	}
	kid := is.kid
	is.mu.Unlock()
	for k, v := range claims {
		if v == nil {
			delete(full, k)
			continue
		}
		full[k] = v
	}
	return signJWT(is.t, "RS256", signingKeys(is.t).rsa, full, map[string]any{"kid": kid})
}

func (is *testIssuer) token(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	fail := func(code string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": code})
	}
	if is.clients[id] == "" || is.clients[id] != secret {
		fail("invalid_client")
		return
	}
	var sub, nonce string
	switch r.PostForm.Get("grant_type") {
	case "password":
		user := r.PostForm.Get("username")
		if is.users[user] == "" || is.users[user] != r.PostForm.Get("password") {
			fail("invalid_grant")
			return
		}
		sub = user
	case "client_credentials":
		sub = id
	case "authorization_code":
		is.mu.Lock()
		grant := is.codes[r.PostForm.Get("code")]
		delete(is.codes, r.PostForm.Get("code"))
		is.mu.Unlock()
		if grant == nil || grant["redirect_uri"] != r.PostForm.Get("redirect_uri") {
			fail("invalid_grant")
			return
		}
		verifier := sha256Base64URL(r.PostForm.Get("code_verifier"))
		if grant["challenge"] != "" && grant["challenge"] != verifier {
			fail("invalid_grant")
			return
		}
		sub, nonce = "alice", grant["nonce"].(string)
	case "refresh_token":
		sub = strings.TrimPrefix(r.PostForm.Get("refresh_token"), "refresh-")
	default:
		fail("unsupported_grant_type")
		return
	}
	out := map[string]any{"access_token": is.sign(map[string]any{"sub": sub, "scope": "openid read", "aud": "api"}),
		"token_type": "Bearer", "expires_in": 3600, "refresh_token": "refresh-" + sub}
	idClaims := map[string]any{"sub": sub, "aud": id, "preferred_username": sub}
	if nonce != "" {
		idClaims["nonce"] = nonce
	}
	out["id_token"] = is.sign(idClaims)
	writeJSON(w, out)
}

func sha256Base64URL(s string) string {
	if s == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// oidcRoute is a route guarded by openid-connect with the config given (issuer added).
func oidcRoute(t *testing.T, g *testGateway, is *testIssuer, path string, config map[string]any) string {
	t.Helper()
	config["issuer"] = is.srv.URL
	route, _ := g.route(path)
	g.add("plugins", Entity{"name": "openid-connect", "route": map[string]any{"id": route}, "config": config})
	return route
}

func TestOpenIDConnectBearer(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	is := newTestIssuer(t)
	oidcRoute(t, g, is, "/api", map[string]any{"auth_methods": []any{"bearer"}, "scopes_required": []any{"read"},
		"audience_required": []any{"api"}, "upstream_headers_claims": []any{"sub"}, "upstream_headers_names": []any{"X-User"}})
	realm := strings.Split(strings.TrimPrefix(is.srv.URL, "http://"), ":")[0]

	good := is.sign(map[string]any{"sub": "alice", "scope": "openid read", "aud": "api"})
	resp, body := g.get("/api", map[string]string{"Authorization": "Bearer " + good})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("good token: %d %s", resp.StatusCode, body)
	}
	up := http.Header(g.echo(body).Headers)
	if up.Get("Authorization") != "Bearer "+good || up.Get("X-User") != "alice" || up.Get("X-Credential-Identifier") != "alice" {
		t.Fatalf("upstream headers %v", up)
	}

	for _, c := range []struct {
		name, token string
		status      int
		challenge   string
	}{
		{"no token", "", 401, `Bearer realm="` + realm + `", error="invalid_token"`},
		{"expired", is.sign(map[string]any{"exp": float64(time.Now().Add(-time.Minute).Unix()), "scope": "read", "aud": "api"}), 401, `Bearer realm="` + realm + `", error="invalid_token"`},
		{"wrong signature", signJWT(t, "RS256", signingKeys(t).otherRSA, map[string]any{"iss": is.srv.URL, "scope": "read", "aud": "api"}, map[string]any{"kid": "key-1"}), 401, `Bearer realm="` + realm + `", error="invalid_token"`},
		{"other issuer", is.sign(map[string]any{"iss": "http://elsewhere.example", "scope": "read", "aud": "api"}), 401, `Bearer realm="` + realm + `", error="invalid_token"`},
		{"missing scope", is.sign(map[string]any{"scope": "write", "aud": "api"}), 403, `Bearer realm="` + realm + `", error="insufficient_scope"`},
		{"wrong audience", is.sign(map[string]any{"scope": "read", "aud": "other"}), 403, `Bearer realm="` + realm + `", error="insufficient_scope"`},
		{"not a JWT", "opaque-token", 401, `Bearer realm="` + realm + `", error="invalid_token"`},
	} {
		h := map[string]string{}
		if c.token != "" {
			h["Authorization"] = "Bearer " + c.token
		}
		resp, body := g.get("/api", h)
		want := `{"message":"Unauthorized"}`
		if c.status == 403 {
			want = `{"message":"Forbidden"}`
		}
		if resp.StatusCode != c.status || string(body) != want || resp.Header.Get("WWW-Authenticate") != c.challenge {
			t.Errorf("%s: %d %s %q", c.name, resp.StatusCode, body, resp.Header.Get("WWW-Authenticate"))
		}
	}
}

func TestOpenIDConnectRefetchesKeysForUnknownKid(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	is := newTestIssuer(t)
	oidcRoute(t, g, is, "/api", map[string]any{"auth_methods": []any{"bearer"}})
	if resp, body := g.get("/api", map[string]string{"Authorization": "Bearer " + is.sign(nil)}); resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	// The provider rotates to a new kid (same key here): the cached JWKS does not know it.
	is.mu.Lock()
	is.kid = "key-2"
	before := is.jwksFetches
	is.mu.Unlock()
	if resp, body := g.get("/api", map[string]string{"Authorization": "Bearer " + is.sign(nil)}); resp.StatusCode != http.StatusOK {
		t.Fatalf("after rotation: %d %s", resp.StatusCode, body)
	}
	is.mu.Lock()
	defer is.mu.Unlock()
	if is.jwksFetches != before+1 {
		t.Fatalf("JWKS fetched %d times after the rotation, want once", is.jwksFetches-before)
	}
}

func TestOpenIDConnectIntrospection(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	is := newTestIssuer(t)
	oidcRoute(t, g, is, "/i", map[string]any{"auth_methods": []any{"introspection"}, "client_id": []any{"kong"},
		"client_secret": []any{"kong-secret"}, "scopes_required": []any{"read"}})
	is.inactive["revoked"] = true
	if resp, body := g.get("/i", map[string]string{"Authorization": "Bearer opaque-1"}); resp.StatusCode != http.StatusOK ||
		http.Header(g.echo(body).Headers).Get("X-Credential-Identifier") != "opaque-user" {
		t.Fatalf("active: %d %s", resp.StatusCode, body)
	}
	if resp, body := g.get("/i", map[string]string{"Authorization": "Bearer revoked"}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("inactive: %d %s", resp.StatusCode, body)
	}
	// Introspection with a wrong client secret fails: 401.
	oidcRoute(t, g, is, "/bad", map[string]any{"auth_methods": []any{"introspection"}, "client_id": []any{"kong"}, "client_secret": []any{"nope"}})
	if resp, body := g.get("/bad", map[string]string{"Authorization": "Bearer opaque-1"}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("bad client: %d %s", resp.StatusCode, body)
	}
	// introspect_jwt_tokens: a valid JWT that the provider says is revoked is refused.
	oidcRoute(t, g, is, "/j", map[string]any{"auth_methods": []any{"bearer"}, "introspect_jwt_tokens": true,
		"client_id": []any{"kong"}, "client_secret": []any{"kong-secret"}})
	jwt := is.sign(map[string]any{"sub": "bob"})
	if resp, body := g.get("/j", map[string]string{"Authorization": "Bearer " + jwt}); resp.StatusCode != http.StatusOK {
		t.Fatalf("active JWT: %d %s", resp.StatusCode, body)
	}
	is.mu.Lock()
	is.inactive[jwt] = true
	is.mu.Unlock()
	if resp, body := g.get("/j", map[string]string{"Authorization": "Bearer " + jwt}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("revoked JWT: %d %s", resp.StatusCode, body)
	}
}

func TestOpenIDConnectGrants(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	is := newTestIssuer(t)
	oidcRoute(t, g, is, "/g", map[string]any{"auth_methods": []any{"password", "client_credentials"},
		"client_id": []any{"kong"}, "client_secret": []any{"kong-secret"}})
	basic := func(u, p string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(u+":"+p)) }

	// Basic credentials: the password grant is tried first.
	resp, body := g.get("/g", map[string]string{"Authorization": basic("alice", "alice-pw")})
	up := http.Header(g.echo(body).Headers)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(up.Get("Authorization"), "Bearer ey") || up.Get("X-Credential-Identifier") != "alice" {
		t.Fatalf("password: %d %s", resp.StatusCode, body)
	}
	// The same header with a client's id and secret: the password grant fails, client credentials pass.
	resp, body = g.get("/g", map[string]string{"Authorization": basic("svc", "svc-secret")})
	if resp.StatusCode != http.StatusOK || http.Header(g.echo(body).Headers).Get("X-Credential-Identifier") != "svc" {
		t.Fatalf("client credentials: %d %s", resp.StatusCode, body)
	}
	// Base64 without its padding, which nginx's decoder (and so Kong) accepts.
	unpadded := "Basic " + base64.RawStdEncoding.EncodeToString([]byte("svc:svc-secret"))
	resp, body = g.get("/g", map[string]string{"Authorization": unpadded})
	if resp.StatusCode != http.StatusOK || http.Header(g.echo(body).Headers).Get("X-Credential-Identifier") != "svc" {
		t.Fatalf("unpadded basic credentials: %d %s", resp.StatusCode, body)
	}
	// Query arguments, hidden from the upstream.
	resp, body = g.get("/g?client_id=svc&client_secret=svc-secret&x=1", nil)
	if resp.StatusCode != http.StatusOK || g.echo(body).Query != "x=1" {
		t.Fatalf("query credentials: %d %s", resp.StatusCode, body)
	}
	// A form body.
	req, _ := http.NewRequest(http.MethodPost, "/g", strings.NewReader("username=alice&password=alice-pw&keep=yes"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, body = g.do(req)
	if resp.StatusCode != http.StatusOK || g.echo(body).Body != "keep=yes" {
		t.Fatalf("form credentials: %d %s", resp.StatusCode, body)
	}
	resp, body = g.get("/g", map[string]string{"Authorization": basic("alice", "wrong")})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d %s", resp.StatusCode, body)
	}
}

func TestOpenIDConnectConsumerAndGroups(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	is := newTestIssuer(t)
	alice := g.consumer("alice")
	oidcRoute(t, g, is, "/c", map[string]any{"auth_methods": []any{"bearer"}, "consumer_claims": []any{[]any{"preferred_username"}},
		"consumer_by": []any{"username"}})
	route := oidcRoute(t, g, is, "/acl", map[string]any{"auth_methods": []any{"bearer"}, "authenticated_groups_claim": []any{"realm", "groups"}})
	g.add("plugins", Entity{"name": "acl", "route": map[string]any{"id": route}, "config": map[string]any{"allow": []any{"admins"}}})

	resp, body := g.get("/c", map[string]string{"Authorization": "Bearer " + is.sign(map[string]any{"preferred_username": "alice"})})
	if resp.StatusCode != http.StatusOK || http.Header(g.echo(body).Headers).Get("X-Consumer-Id") != alice {
		t.Fatalf("mapped consumer: %d %s", resp.StatusCode, body)
	}
	resp, body = g.get("/c", map[string]string{"Authorization": "Bearer " + is.sign(map[string]any{"preferred_username": "mallory"})})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("unknown consumer: %d %s", resp.StatusCode, body)
	}
	resp, body = g.get("/acl", map[string]string{"Authorization": "Bearer " + is.sign(map[string]any{"realm": map[string]any{"groups": []any{"users", "admins"}}})})
	if resp.StatusCode != http.StatusOK || http.Header(g.echo(body).Headers).Get("X-Authenticated-Groups") != "users, admins" {
		t.Fatalf("admins: %d %s", resp.StatusCode, body)
	}
	resp, body = g.get("/acl", map[string]string{"Authorization": "Bearer " + is.sign(map[string]any{"realm": map[string]any{"groups": []any{"users"}}})})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("users only: %d %s", resp.StatusCode, body)
	}
}

func TestOpenIDConnectAuthorizationCodeFlow(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	is := newTestIssuer(t)
	oidcRoute(t, g, is, "/app", map[string]any{"auth_methods": []any{"authorization_code", "session"},
		"client_id": []any{"kong"}, "client_secret": []any{"kong-secret"}})
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Get(g.proxyURL + "/app/page?x=1")
	if err != nil {
		t.Fatal(err)
	}
	var e echoReply
	_ = json.NewDecoder(resp.Body).Decode(&e)
	_ = resp.Body.Close()
	// Kong's login_action upstream: the callback itself goes upstream, code and state removed.
	if resp.StatusCode != http.StatusOK || e.Path != "/app/page" || strings.Contains(e.Query, "code=") ||
		!strings.HasPrefix(http.Header(e.Headers).Get("Authorization"), "Bearer ") || strings.Contains(strings.Join(e.Headers["Cookie"], ";"), "session=") {
		t.Fatalf("after login: %d %+v", resp.StatusCode, e)
	}
	u, _ := url.Parse(g.proxyURL)
	var names []string
	for _, c := range jar.Cookies(u) {
		names = append(names, c.Name)
	}
	if strings.Join(names, ",") != "session" {
		t.Fatalf("cookies after login: %v", names)
	}
	// The next request passes with the cookie alone, without going to the provider.
	noFollow := &http.Client{Jar: jar, CheckRedirect: noRedirects.CheckRedirect}
	resp, err = noFollow.Get(g.proxyURL + "/app/other")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("with the session: %d %v", resp.StatusCode, resp.Header)
	}
	// Without cookies: a redirect to the provider.
	r2, _ := g.get("/app/page", nil)
	if r2.StatusCode != http.StatusFound || !strings.HasPrefix(r2.Header.Get("Location"), is.srv.URL+"/authorize?") {
		t.Fatalf("no session: %d %v", r2.StatusCode, r2.Header)
	}
}

func TestOpenIDConnectSettings(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	is := newTestIssuer(t)
	guest := g.consumer("guest")
	oidcRoute(t, g, is, "/anon", map[string]any{"auth_methods": []any{"bearer"}, "anonymous": guest})
	oidcRoute(t, g, is, "/keep", map[string]any{"auth_methods": []any{"bearer"}, "hide_credentials": false,
		"upstream_access_token_header": "x-token", "expose_error_code": false, "unauthorized_error_message": "Go away"})
	oidcRoute(t, g, is, "/and", map[string]any{"auth_methods": []any{"bearer"}, "scopes_required": []any{"read write", "admin"}})
	token := is.sign(map[string]any{"sub": "alice", "scope": "read"})

	resp, body := g.get("/anon", nil)
	up := http.Header(g.echo(body).Headers)
	if resp.StatusCode != http.StatusOK || up.Get("X-Consumer-Id") != guest || up.Get("X-Anonymous-Consumer") != "true" {
		t.Fatalf("anonymous: %d %s", resp.StatusCode, body)
	}
	resp, body = g.get("/keep", map[string]string{"Authorization": "Bearer " + token})
	up = http.Header(g.echo(body).Headers)
	if resp.StatusCode != http.StatusOK || up.Get("Authorization") != "Bearer "+token || up.Get("X-Token") != token {
		t.Fatalf("hide_credentials off: %d %s", resp.StatusCode, body)
	}
	resp, body = g.get("/keep", nil)
	if resp.StatusCode != http.StatusUnauthorized || string(body) != `{"message":"Go away"}` || resp.Header.Get("WWW-Authenticate") != `Bearer realm="127.0.0.1"` {
		t.Fatalf("messages: %d %s %q", resp.StatusCode, body, resp.Header.Get("WWW-Authenticate"))
	}
	// "read write" needs both words; "admin" alone is the other way in.
	for scope, want := range map[string]int{"read": 403, "read write": 200, "admin": 200, "write": 403} {
		resp, body = g.get("/and", map[string]string{"Authorization": "Bearer " + is.sign(map[string]any{"scope": scope})})
		if resp.StatusCode != want {
			t.Errorf("scope %q: %d %s", scope, resp.StatusCode, body)
		}
	}
}

func TestOpenIDConnectProviderDown(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	is := newTestIssuer(t)
	oidcRoute(t, g, is, "/down", map[string]any{"auth_methods": []any{"bearer"}})
	is.srv.Close()
	resp, body := g.get("/down", map[string]string{"Authorization": "Bearer x.y.z"})
	if resp.StatusCode != http.StatusInternalServerError || string(body) != `{"message":"An unexpected error occurred"}` {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}

func TestOpenIDConnectLoginActionRedirect(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	is := newTestIssuer(t)
	oidcRoute(t, g, is, "/app", map[string]any{"auth_methods": []any{"authorization_code", "session"}, "login_action": "redirect",
		"client_id": []any{"kong"}, "client_secret": []any{"kong-secret"}})
	jar, _ := cookiejar.New(nil)
	var visited []string
	browser := &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		visited = append(visited, r.URL.Path+"?"+r.URL.RawQuery)
		return nil
	}}
	resp, err := browser.Get(g.proxyURL + "/app/page?x=1")
	if err != nil {
		t.Fatal(err)
	}
	var e echoReply
	_ = json.NewDecoder(resp.Body).Decode(&e)
	_ = resp.Body.Close()
	// authorize, callback, then back to the page first asked for, with its query.
	if resp.StatusCode != http.StatusOK || len(visited) != 3 || visited[2] != "/app/page?x=1" || e.Query != "x=1" {
		t.Fatalf("%d, visited %v, upstream %+v", resp.StatusCode, visited, e)
	}
}

func TestOpenIDConnectRefusalDestroysSession(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	is := newTestIssuer(t)
	oidcRoute(t, g, is, "/s", map[string]any{"auth_methods": []any{"bearer", "session"}, "scopes_required": []any{"read"}})
	resp, body := g.get("/s", map[string]string{"Authorization": "Bearer " + is.sign(map[string]any{"scope": "read"})})
	cookie := resp.Header.Get("Set-Cookie")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(cookie, "session=") {
		t.Fatalf("bearer with the session method on: %d %s, Set-Cookie %q", resp.StatusCode, body, cookie)
	}
	// The session alone passes.
	session := strings.Split(cookie, ";")[0]
	if resp, body = g.get("/s", map[string]string{"Cookie": session}); resp.StatusCode != http.StatusOK {
		t.Fatalf("session: %d %s", resp.StatusCode, body)
	}
	// A refused token with the session cookie: 403, and the session is destroyed.
	resp, _ = g.get("/s", map[string]string{"Cookie": "other=1; nope=2", "Authorization": "Bearer " + is.sign(map[string]any{"scope": "write"})})
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Set-Cookie") != "" {
		t.Fatalf("no session to destroy: %d %v", resp.StatusCode, resp.Header)
	}
	oidcRoute(t, g, is, "/t", map[string]any{"auth_methods": []any{"bearer", "session"}, "scopes_required": []any{"admin"}})
	resp, _ = g.get("/t", map[string]string{"Cookie": session})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(resp.Header.Get("Set-Cookie"), "session=; Path=/; Max-Age=0") {
		t.Fatalf("refused session: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestOpenIDConnectDownstreamHeadersAndErrors(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	is := newTestIssuer(t)
	oidcRoute(t, g, is, "/d", map[string]any{"auth_methods": []any{"bearer"}, "display_errors": true,
		"downstream_headers_claims": []any{"sub"}, "downstream_headers_names": []any{"X-Subject"},
		"discovery_headers_names": []any{"X-Tenant"}, "discovery_headers_values": []any{"acme"}})
	resp, body := g.get("/d", map[string]string{"Authorization": "Bearer " + is.sign(map[string]any{"sub": "carol"})})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Subject") != "carol" {
		t.Fatalf("downstream header: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	is.mu.Lock()
	tenant := is.discoveryHeader.Get("X-Tenant")
	is.mu.Unlock()
	if tenant != "acme" {
		t.Fatalf("discovery headers: %v", is.discoveryHeader)
	}
	resp, body = g.get("/d", nil)
	if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(string(body), `{"message":"Unauthorized (no suitable authorization credentials were provided`) {
		t.Fatalf("display_errors: %d %s", resp.StatusCode, body)
	}
}

func TestOpenIDConnectSessionRefresh(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	is := newTestIssuer(t)
	oidcRoute(t, g, is, "/r", map[string]any{"auth_methods": []any{"session"}, "session_secret": "a shared secret",
		"client_id": []any{"kong"}, "client_secret": []any{"kong-secret"}})
	cookies := newOIDCCookies([]byte("a shared secret"))
	expired := is.sign(map[string]any{"sub": "alice", "exp": float64(time.Now().Add(-time.Minute).Unix())})
	session := func(s oidcSession) string {
		h := http.Header{}
		if err := cookies.setCookie(h, "session", s, cookieAttrs{path: "/"}); err != nil {
			t.Fatal(err)
		}
		return strings.Split(h.Get("Set-Cookie"), ";")[0]
	}
	// An expired access token with a refresh token: refreshed at the token endpoint, then proxied.
	resp, body := g.get("/r", map[string]string{"Cookie": session(oidcSession{AccessToken: expired, RefreshToken: "refresh-alice", Expires: time.Now().Add(-time.Minute).Unix()})})
	up := http.Header(g.echo(body).Headers)
	if resp.StatusCode != http.StatusOK || up.Get("Authorization") == "Bearer "+expired || !strings.HasPrefix(resp.Header.Get("Set-Cookie"), "session=") || up.Get("Cookie") != "" {
		t.Fatalf("refresh: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	// Without a refresh token: 401.
	resp, body = g.get("/r", map[string]string{"Cookie": session(oidcSession{AccessToken: expired, Expires: time.Now().Add(-time.Minute).Unix()})})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no refresh token: %d %s", resp.StatusCode, body)
	}
}

func TestOpenIDConnectNotBefore(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	is := newTestIssuer(t)
	oidcRoute(t, g, is, "/strict", map[string]any{"auth_methods": []any{"bearer"}, "display_errors": true})
	oidcRoute(t, g, is, "/lenient", map[string]any{"auth_methods": []any{"bearer"}, "leeway": 300})
	realm := strings.Split(strings.TrimPrefix(is.srv.URL, "http://"), ":")[0]

	nbf := time.Now().Add(time.Minute).Unix()
	early := is.sign(map[string]any{"sub": "alice", "nbf": float64(nbf)})
	resp, body := g.get("/strict", map[string]string{"Authorization": "Bearer " + early})
	words := "token not valid before " + time.Unix(nbf, 0).UTC().Format(time.RFC3339)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), words) ||
		resp.Header.Get("WWW-Authenticate") != `Bearer realm="`+realm+`", error="invalid_token"` {
		t.Fatalf("token used before its nbf: %d %s %q", resp.StatusCode, body, resp.Header.Get("WWW-Authenticate"))
	}
	// Within the leeway, and with an nbf already past, the token is good.
	if resp, body := g.get("/lenient", map[string]string{"Authorization": "Bearer " + early}); resp.StatusCode != http.StatusOK {
		t.Fatalf("nbf within the leeway: %d %s", resp.StatusCode, body)
	}
	past := is.sign(map[string]any{"sub": "alice", "nbf": float64(time.Now().Add(-time.Minute).Unix())})
	if resp, body := g.get("/strict", map[string]string{"Authorization": "Bearer " + past}); resp.StatusCode != http.StatusOK {
		t.Fatalf("nbf past: %d %s", resp.StatusCode, body)
	}
	// An issuer that rounds its clock to the second (zitadel's op does) stamps nbf with the
	// next second: such a fresh token is good at once, without leeway.
	rounded := is.sign(map[string]any{"sub": "alice", "nbf": float64(time.Now().Add(time.Second - time.Nanosecond).Unix())})
	if resp, body := g.get("/strict", map[string]string{"Authorization": "Bearer " + rounded}); resp.StatusCode != http.StatusOK {
		t.Fatalf("nbf in the current second, rounded up: %d %s", resp.StatusCode, body)
	}
}

// A slow provider: requests arriving during discovery share its one fetch, and a request
// whose own time runs out gives up at once instead of queueing behind the fetch.
func TestOpenIDConnectDiscoveryIsSharedAndCancellable(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var mu sync.Mutex
	fetches := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		fetches++
		mu.Unlock()
		select {
		case <-release:
		case <-r.Context().Done():
		}
		writeJSON(w, map[string]any{"issuer": "http://" + r.Host, "token_endpoint": "http://" + r.Host + "/token"})
	}))
	t.Cleanup(srv.Close)
	iss, err := newOIDCIssuer(srv.URL, 5*time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	type outcome struct {
		d   *oidcDiscovery
		err error
	}
	first := make(chan outcome, 1)
	go func() {
		d, err := iss.discover(context.Background())
		first <- outcome{d, err}
	}()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		mu.Lock()
		started := fetches == 1
		mu.Unlock()
		if started {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the discovery fetch did not start")
		}
	}

	impatient, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	began := time.Now()
	_, err = iss.discover(impatient)
	if waited := time.Since(began); !errors.Is(err, context.DeadlineExceeded) || waited > time.Second {
		t.Fatalf("a request whose context ended during discovery: %v after %v", err, waited)
	}

	second := make(chan outcome, 1)
	go func() {
		d, err := iss.discover(context.Background())
		second <- outcome{d, err}
	}()
	time.Sleep(50 * time.Millisecond)
	close(release)
	a, b := <-first, <-second
	if a.err != nil || b.err != nil || a.d == nil || a.d != b.d || a.d.TokenEndpoint != srv.URL+"/token" {
		t.Fatalf("discoveries: %+v %+v", a, b)
	}
	mu.Lock()
	defer mu.Unlock()
	if fetches != 1 {
		t.Fatalf("the discovery document was fetched %d times, want once", fetches)
	}
}

// The provider's failures keep their cause under the trace's words: go-oidc's error when the
// JWKS cannot be fetched, the token endpoint's answer when a refresh is refused.
func TestOpenIDConnectErrorsKeepTheirCause(t *testing.T) {
	t.Parallel()
	is := newTestIssuer(t)
	// A provider whose keys are at a port nothing listens on.
	dead := httptest.NewServer(http.NotFoundHandler())
	deadJWKS := dead.URL + "/jwks"
	dead.Close()
	discovery := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"issuer": is.srv.URL, "token_endpoint": is.srv.URL + "/token", "jwks_uri": deadJWKS})
	}))
	t.Cleanup(discovery.Close)
	request := func(issuerURL string, c openIDConnectConfig) *oidcRequest {
		iss, err := newOIDCIssuer(issuerURL, 5*time.Second, nil)
		if err != nil {
			t.Fatal(err)
		}
		d, err := iss.discover(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return &oidcRequest{p: &openIDConnect{c: c, issuer: iss}, ctx: &Context{Now: time.Now()}, d: d,
			hc: iss.httpContext(context.Background())}
	}

	r := request(discovery.URL, openIDConnectConfig{})
	_, err := r.verifyJWT(is.sign(map[string]any{"sub": "alice"}))
	// go-oidc formats the network error into its own (%v), so its error is the cause to keep.
	cause := errors.Unwrap(err)
	if err == nil || cause == nil || !strings.Contains(cause.Error(), err.Error()) || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("JWKS unreachable: %v (%T), want go-oidc's error as the cause", err, err)
	}

	r = request(is.srv.URL, openIDConnectConfig{ClientID: []string{"kong"}, ClientSecret: []string{"wrong"}, RedirectURI: []string{"http://app/cb"}})
	r.tokens = oidcSession{RefreshToken: "refresh-alice"}
	err = r.refresh()
	var refused *oauth2.RetrieveError
	if !errors.As(err, &refused) || refused.ErrorCode != "invalid_client" || err.Error() != "400 invalid_client" {
		t.Fatalf("refused refresh: %v (%T), want the token endpoint's answer", err, err)
	}
}
