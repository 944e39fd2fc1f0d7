package emulator_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The openid-connect plugin against the emulator's own OpenID provider, through the real
// proxy, with the trace of each refusal asserted.

// oidcRealm makes a realm of the local provider with a confidential client "kong" (allowed
// to redirect to redirectURIs) and a user alice with the given claims; it returns the issuer.
func oidcRealm(h *harness, realm string, redirectURIs []string, aliceClaims map[string]any) string {
	h.t.Helper()
	put := func(path string, body any) {
		h.t.Helper()
		b, _ := json.Marshal(body)
		if status, out := h.raw(http.MethodPut, "/_emulator/oidc/"+realm+path, string(b)); status/100 != 2 {
			h.t.Fatalf("PUT /_emulator/oidc/%s%s: %d %v", realm, path, status, out)
		}
	}
	put("", map[string]any{})
	put("/clients/kong", map[string]any{"client_secret": "kong-secret", "redirect_uris": redirectURIs})
	put("/users/alice", map[string]any{"password": "wonderland", "claims": aliceClaims})
	return h.emu.OIDCIssuer(realm)
}

// mint asks the provider for an access token with the given claims.
func mint(h *harness, realm string, req map[string]any) string {
	h.t.Helper()
	b, _ := json.Marshal(req)
	status, out := h.raw(http.MethodPost, "/_emulator/oidc/"+realm+"/tokens", string(b))
	if status/100 != 2 || out["access_token"] == nil {
		h.t.Fatalf("minting a token: %d %v", status, out)
	}
	return out["access_token"].(string)
}

// oidcService makes a service on an echo upstream and a route with the path, guarded by
// openid-connect with the config; it returns the route's id.
func oidcService(t *testing.T, h *harness, path string, config map[string]any) string {
	t.Helper()
	up := echoServer(t, "echo")
	host, port := hostPort(t, up.URL)
	svc := h.post("/services", fmt.Sprintf(`{"host":%q,"port":%d}`, host, port))
	route := h.post("/services/"+svc["id"].(string)+"/routes", fmt.Sprintf(`{"paths":[%q]}`, path))
	plugin, _ := json.Marshal(map[string]any{"name": "openid-connect", "config": config})
	h.post("/routes/"+route["id"].(string)+"/plugins", string(plugin))
	return route["id"].(string)
}

// oidcDecision is the openid-connect plugin's decision in a request's trace.
func oidcDecision(t *testing.T, h *harness, resp reply) (string, int) {
	t.Helper()
	d := decisionOf(t, h.trace(resp.Header.Get("X-Kong-Request-Id")), "openid-connect")
	return d.Decision, d.Status
}

func TestOpenIDConnectBearerAgainstLocalProvider(t *testing.T) {
	t.Parallel()
	h := start(t)
	issuer := oidcRealm(h, "bearer", nil, nil)
	oidcService(t, h, "/api", map[string]any{"issuer": issuer, "auth_methods": []string{"bearer"},
		"scopes_required": []string{"read"}, "audience_required": []string{"api"},
		"upstream_headers_claims": []string{"sub"}, "upstream_headers_names": []string{"X-User"}})
	proxy := h.proxy()
	u, _ := url.Parse(h.emu.URL)

	good := mint(h, "bearer", map[string]any{"sub": "alice", "scope": "openid read", "aud": "api"})
	resp, body := send(t, proxy, "GET", "/api/orders", map[string]string{"Authorization": "Bearer " + good})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("good token: %d %s", resp.StatusCode, body)
	}
	saw := upstreamSaw(t, body)
	if got := http.Header(saw.Headers).Get("Authorization"); got != "Bearer "+good || http.Header(saw.Headers).Get("X-User") != "alice" {
		t.Fatalf("upstream saw %v", saw.Headers)
	}
	if d, _ := oidcDecision(t, h, resp); !strings.HasPrefix(d, "bearer token verified with the issuer's JWKS") {
		t.Fatalf("decision %q", d)
	}

	challenge := `Bearer realm="` + u.Hostname() + `", error="invalid_token"`
	forbidden := `Bearer realm="` + u.Hostname() + `", error="insufficient_scope"`
	for _, c := range []struct {
		name, token, challenge, decision string
		status                           int
	}{
		{"no token", "", challenge, "no suitable authorization credentials were provided (auth_methods bearer)", 401},
		{"expired", mint(h, "bearer", map[string]any{"sub": "alice", "scope": "read", "aud": "api", "expires_in": -60}), challenge, "token expired at ", 401},
		{"wrong signature", mint(h, "bearer", map[string]any{"sub": "alice", "scope": "read", "aud": "api", "wrong_signature": true}), challenge, "bearer token rejected: failed to verify signature", 401},
		{"wrong audience", mint(h, "bearer", map[string]any{"sub": "alice", "scope": "read", "aud": "other"}), forbidden, "audience `api` required, token has `other`", 403},
		{"missing scope", mint(h, "bearer", map[string]any{"sub": "alice", "scope": "write", "aud": "api"}), forbidden, "scope `read` required, token has `write`", 403},
	} {
		hdr := map[string]string{}
		if c.token != "" {
			hdr["Authorization"] = "Bearer " + c.token
		}
		resp, body := send(t, proxy, "GET", "/api/orders", hdr)
		want := `{"message":"Unauthorized"}`
		if c.status == 403 {
			want = `{"message":"Forbidden"}`
		}
		if resp.StatusCode != c.status || string(body) != want || resp.Header.Get("WWW-Authenticate") != c.challenge {
			t.Errorf("%s: %d %s %q", c.name, resp.StatusCode, body, resp.Header.Get("WWW-Authenticate"))
			continue
		}
		decision, status := oidcDecision(t, h, resp)
		if !strings.HasPrefix(decision, c.decision) || status != c.status {
			t.Errorf("%s: decision %q (%d), want %q", c.name, decision, status, c.decision)
		}
		if tr := h.trace(resp.Header.Get("X-Kong-Request-Id")); !strings.Contains(tr.Summary, "openid-connect: "+c.decision) {
			t.Errorf("%s: summary %q", c.name, tr.Summary)
		}
	}
}

func TestOpenIDConnectIntrospectionAndGrantsAgainstLocalProvider(t *testing.T) {
	t.Parallel()
	h := start(t)
	issuer := oidcRealm(h, "grants", nil, nil)
	client := map[string]any{"issuer": issuer, "client_id": []string{"kong"}, "client_secret": []string{"kong-secret"}}
	with := func(extra map[string]any) map[string]any {
		m := map[string]any{}
		for k, v := range client {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	oidcService(t, h, "/introspected", with(map[string]any{"auth_methods": []string{"introspection"}}))
	oidcService(t, h, "/grants", with(map[string]any{"auth_methods": []string{"password", "client_credentials"}}))
	proxy := h.proxy()

	active := mint(h, "grants", map[string]any{"sub": "alice", "client_id": "kong", "scope": "read"})
	resp, body := send(t, proxy, "GET", "/introspected", map[string]string{"Authorization": "Bearer " + active})
	if d, _ := oidcDecision(t, h, resp); resp.StatusCode != http.StatusOK || !strings.HasPrefix(d, "bearer token introspected at "+issuer) {
		t.Fatalf("active token: %d %s, decision %q", resp.StatusCode, body, d)
	}
	expired := mint(h, "grants", map[string]any{"sub": "alice", "client_id": "kong", "expires_in": -60})
	for _, token := range []string{expired, "not-a-token"} {
		resp, body = send(t, proxy, "GET", "/introspected", map[string]string{"Authorization": "Bearer " + token})
		if d, _ := oidcDecision(t, h, resp); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(d, "says the token is not active") {
			t.Fatalf("inactive token %.20s: %d %s, decision %q", token, resp.StatusCode, body, d)
		}
	}

	basic := func(u, p string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(u+":"+p)) }
	resp, body = send(t, proxy, "GET", "/grants", map[string]string{"Authorization": basic("alice", "wonderland")})
	if d, _ := oidcDecision(t, h, resp); resp.StatusCode != http.StatusOK || !strings.HasPrefix(d, `password grant for "alice"`) ||
		!strings.HasPrefix(http.Header(upstreamSaw(t, body).Headers).Get("Authorization"), "Bearer ey") {
		t.Fatalf("password: %d %s, decision %q", resp.StatusCode, body, d)
	}
	resp, body = send(t, proxy, "GET", "/grants", map[string]string{"Authorization": basic("kong", "kong-secret")})
	if d, _ := oidcDecision(t, h, resp); resp.StatusCode != http.StatusOK || !strings.HasPrefix(d, `client_credentials grant for "kong"`) {
		t.Fatalf("client credentials: %d %s, decision %q", resp.StatusCode, body, d)
	}
	resp, body = send(t, proxy, "GET", "/grants", map[string]string{"Authorization": basic("alice", "wrong")})
	if d, _ := oidcDecision(t, h, resp); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(d, `the token endpoint refused the password grant for "alice"`) {
		t.Fatalf("wrong password: %d %s, decision %q", resp.StatusCode, body, d)
	}
}

func TestOpenIDConnectConsumerAndACLAgainstLocalProvider(t *testing.T) {
	t.Parallel()
	h := start(t)
	issuer := oidcRealm(h, "acl", nil, nil)
	alice := h.post("/consumers", `{"username":"alice"}`)
	oidcService(t, h, "/mapped", map[string]any{"issuer": issuer, "auth_methods": []string{"bearer"},
		"consumer_claims": [][]string{{"sub"}}, "consumer_by": []string{"username"}})
	route := oidcService(t, h, "/admin", map[string]any{"issuer": issuer, "auth_methods": []string{"bearer"},
		"authenticated_groups_claim": []string{"groups"}})
	h.post("/routes/"+route+"/plugins", `{"name":"acl","config":{"allow":["admins"]}}`)
	proxy := h.proxy()

	resp, body := send(t, proxy, "GET", "/mapped", map[string]string{"Authorization": "Bearer " + mint(h, "acl", map[string]any{"sub": "alice"})})
	if resp.StatusCode != http.StatusOK || http.Header(upstreamSaw(t, body).Headers).Get("X-Consumer-Id") != alice["id"] {
		t.Fatalf("mapped: %d %s", resp.StatusCode, body)
	}
	if tr := h.trace(resp.Header.Get("X-Kong-Request-Id")); tr.Consumer == nil || tr.Consumer.ID != alice["id"] {
		t.Fatalf("trace consumer %+v", tr.Consumer)
	}
	resp, _ = send(t, proxy, "GET", "/mapped", map[string]string{"Authorization": "Bearer " + mint(h, "acl", map[string]any{"sub": "mallory"})})
	if d, _ := oidcDecision(t, h, resp); resp.StatusCode != http.StatusForbidden || !strings.Contains(d, `no consumer has username "mallory"`) {
		t.Fatalf("unmapped: %d, decision %q", resp.StatusCode, d)
	}

	admin := mint(h, "acl", map[string]any{"sub": "root", "claims": map[string]any{"groups": []string{"staff", "admins"}}})
	resp, body = send(t, proxy, "GET", "/admin", map[string]string{"Authorization": "Bearer " + admin})
	if resp.StatusCode != http.StatusOK || http.Header(upstreamSaw(t, body).Headers).Get("X-Authenticated-Groups") != "staff, admins" {
		t.Fatalf("admins: %d %s", resp.StatusCode, body)
	}
	staff := mint(h, "acl", map[string]any{"sub": "bob", "claims": map[string]any{"groups": []string{"staff"}}})
	resp, body = send(t, proxy, "GET", "/admin", map[string]string{"Authorization": "Bearer " + staff})
	tr := h.trace(resp.Header.Get("X-Kong-Request-Id"))
	if resp.StatusCode != http.StatusForbidden || len(tr.Plugins) != 2 || tr.Plugins[1].Name != "acl" || tr.Plugins[1].Status != http.StatusForbidden {
		t.Fatalf("staff only: %d %s, trace %+v", resp.StatusCode, body, tr.Plugins)
	}
}

var (
	formAction = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	formID     = regexp.MustCompile(`name="id" value="([^"]+)"`)
)

func TestOpenIDConnectAuthorizationCodeFlowAgainstLocalProvider(t *testing.T) {
	t.Parallel()
	h := start(t)
	proxy := h.proxy()
	issuer := oidcRealm(h, "browser", []string{proxy + "/app"}, map[string]any{"groups": []string{"users"}})
	oidcService(t, h, "/app", map[string]any{"issuer": issuer, "auth_methods": []string{"authorization_code", "session"},
		"client_id": []string{"kong"}, "client_secret": []string{"kong-secret"}, "authenticated_groups_claim": []string{"groups"}})

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	// The proxy redirects to the provider, which shows its login form.
	resp, err := browser.Get(proxy + "/app")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	action, id := formAction.FindSubmatch(page), formID.FindSubmatch(page)
	if resp.StatusCode != http.StatusOK || action == nil || id == nil || !strings.HasPrefix(resp.Request.URL.String(), issuer) {
		t.Fatalf("login form: %d at %s: %s", resp.StatusCode, resp.Request.URL, page)
	}
	login, err := resp.Request.URL.Parse(html.UnescapeString(string(action[1])))
	if err != nil {
		t.Fatal(err)
	}
	// Signing in sends the browser back to the route with the code; the plugin exchanges it
	// and the request goes upstream.
	resp, err = browser.PostForm(login.String(), url.Values{"id": {html.UnescapeString(string(id[1]))}, "username": {"alice"}, "password": {"wonderland"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("after signing in: %d at %s: %s", resp.StatusCode, resp.Request.URL, body)
	}
	saw := upstreamSaw(t, body)
	if strings.Contains(saw.Query, "code=") || !strings.HasPrefix(http.Header(saw.Headers).Get("Authorization"), "Bearer ") ||
		http.Header(saw.Headers).Get("X-Authenticated-Groups") != "users" {
		t.Fatalf("upstream saw %+v", saw)
	}
	if d, _ := oidcDecision(t, h, reply{resp.StatusCode, resp.Header}); !strings.HasPrefix(d, "authorization code flow completed") {
		t.Fatalf("callback decision %q", d)
	}

	// Then the session cookie alone lets the browser in, with no redirect.
	noFollow := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noFollow.Get(proxy + "/app/next")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if d, _ := oidcDecision(t, h, reply{resp.StatusCode, resp.Header}); resp.StatusCode != http.StatusOK || !strings.HasPrefix(d, "authenticated by the session cookie session") {
		t.Fatalf("with the session cookie: %d, decision %q", resp.StatusCode, d)
	}
	// Without it: the redirect to the provider, with its reason in the trace.
	resp, err = (&http.Client{CheckRedirect: noFollow.CheckRedirect}).Get(proxy + "/app")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if d, _ := oidcDecision(t, h, reply{resp.StatusCode, resp.Header}); resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), issuer+"/") ||
		!strings.HasPrefix(d, "no credentials: starting the authorization code flow") {
		t.Fatalf("no cookie: %d %v, decision %q", resp.StatusCode, resp.Header, d)
	}
}
