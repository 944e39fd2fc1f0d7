package oidcprovider_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/oidcprovider"
)

// testProvider serves a provider on a loopback test server, as the emulator mounts it.
func testProvider(t *testing.T) (*oidcprovider.Provider, string) {
	t.Helper()
	var handler = http.NotFoundHandler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	p, err := oidcprovider.New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	handler = p
	return p, srv.URL
}

// call sends a JSON request and decodes a JSON answer into out (when not nil).
func call(t *testing.T, method, url string, body any, out any) int {
	t.Helper()
	var reader io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		reader = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, reader)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, url, resp.StatusCode, raw, err)
		}
	}
	return resp.StatusCode
}

// mustPut configures something and fails the test on any answer but 200 or 201.
func mustPut(t *testing.T, url string, body any) {
	t.Helper()
	var answer map[string]any
	if status := call(t, http.MethodPut, url, body, &answer); status != http.StatusOK && status != http.StatusCreated {
		t.Fatalf("PUT %s: %d %v", url, status, answer)
	}
}

// setupRealm makes realm "shop" with a confidential client "web" (audience "orders-api",
// scopes orders:read and orders:write, a custom claim) and a user "alice".
func setupRealm(t *testing.T, base string, settings map[string]any) string {
	t.Helper()
	realm := base + "/_emulator/oidc/shop"
	mustPut(t, realm, settings)
	mustPut(t, realm+"/clients/web", map[string]any{
		"client_secret": "web-secret",
		"redirect_uris": []string{"http://127.0.0.1:9999/callback"},
		"scopes":        []string{"orders:read", "orders:write"},
		"audience":      []string{"orders-api"},
		"claims":        map[string]any{"tenant": "acme"},
	})
	mustPut(t, realm+"/users/alice", map[string]any{
		"password": "wonderland",
		"claims":   map[string]any{"email": "alice@example.com", "groups": []string{"admins", "staff"}},
	})
	return realm
}

func claimsOf(t *testing.T, token *oidc.IDToken) map[string]any {
	t.Helper()
	var claims map[string]any
	if err := token.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

func TestClientCredentialsTokenVerifiesByDiscoveryAndJWKS(t *testing.T) {
	for _, alg := range []string{"RS256", "ES256"} {
		t.Run(alg, func(t *testing.T) {
			_, base := testProvider(t)
			realm := setupRealm(t, base, map[string]any{"signing_algorithm": alg})
			ctx := context.Background()
			provider, err := oidc.NewProvider(ctx, realm)
			if err != nil {
				t.Fatalf("discovery: %v", err)
			}
			cc := clientcredentials.Config{ClientID: "web", ClientSecret: "web-secret", TokenURL: provider.Endpoint().TokenURL, Scopes: []string{"orders:read"}}
			token, err := cc.Token(ctx)
			if err != nil {
				t.Fatalf("client credentials: %v", err)
			}
			verifier := provider.Verifier(&oidc.Config{ClientID: "orders-api", SupportedSigningAlgs: []string{alg}})
			verified, err := verifier.Verify(ctx, token.AccessToken)
			if err != nil {
				t.Fatalf("the access token does not verify: %v", err)
			}
			claims := claimsOf(t, verified)
			if claims["iss"] != realm || claims["sub"] != "web" || claims["client_id"] != "web" || claims["scope"] != "orders:read" || claims["tenant"] != "acme" {
				t.Fatalf("claims: %v", claims)
			}
			if _, err := provider.Verifier(&oidc.Config{ClientID: "other-api", SupportedSigningAlgs: []string{alg}}).Verify(ctx, token.AccessToken); err == nil {
				t.Fatal("a token for orders-api verified for other-api")
			}
		})
	}
}

func TestPasswordGrantGivesUserClaimsAndIDToken(t *testing.T) {
	_, base := testProvider(t)
	realm := setupRealm(t, base, nil)
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, realm)
	if err != nil {
		t.Fatal(err)
	}
	var discovery struct {
		GrantTypes          []string `json:"grant_types_supported"`
		IntrospectionAuth   []string `json:"introspection_endpoint_auth_methods_supported"`
		DeviceAuthorization string   `json:"device_authorization_endpoint"`
	}
	if err := provider.Claims(&discovery); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(discovery.GrantTypes, []string{"client_credentials", "password", "authorization_code", "refresh_token"}) ||
		!slices.Contains(discovery.IntrospectionAuth, "client_secret_post") || discovery.DeviceAuthorization != "" {
		t.Fatalf("discovery: %+v", discovery)
	}
	conf := oauth2.Config{ClientID: "web", ClientSecret: "web-secret", Endpoint: provider.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "orders:write"}}
	token, err := conf.PasswordCredentialsToken(ctx, "alice", "wonderland")
	if err != nil {
		t.Fatalf("password grant: %v", err)
	}
	access, err := provider.Verifier(&oidc.Config{ClientID: "orders-api"}).Verify(ctx, token.AccessToken)
	if err != nil {
		t.Fatalf("access token: %v", err)
	}
	claims := claimsOf(t, access)
	groups, _ := claims["groups"].([]any)
	if claims["sub"] != "alice" || claims["preferred_username"] != "alice" || claims["email"] != "alice@example.com" ||
		len(groups) != 2 || groups[0] != "admins" || claims["scope"] != "openid orders:write" || claims["client_id"] != "web" {
		t.Fatalf("access token claims: %v", claims)
	}
	rawID, _ := token.Extra("id_token").(string)
	idToken, err := provider.Verifier(&oidc.Config{ClientID: "web"}).Verify(ctx, rawID)
	if err != nil {
		t.Fatalf("ID token: %v", err)
	}
	if idClaims := claimsOf(t, idToken); idClaims["email"] != "alice@example.com" || idClaims["sub"] != "alice" {
		t.Fatalf("ID token claims: %v", idClaims)
	}
	if token.RefreshToken == "" {
		t.Fatal("no refresh token")
	}

	if _, err := conf.PasswordCredentialsToken(ctx, "alice", "wrong"); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("a wrong password: %v", err)
	}
}

// tokenRequest posts a form to the token endpoint and returns the status and JSON answer.
func tokenRequest(t *testing.T, endpoint string, form url.Values, basicUser, basicPass string) (int, map[string]any, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicUser != "" {
		req.SetBasicAuth(basicUser, basicPass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var body map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("not JSON (%d): %s", resp.StatusCode, raw)
	}
	return resp.StatusCode, body, resp.Header
}

func TestWrongClientSecretIsInvalidClient(t *testing.T) {
	_, base := testProvider(t)
	realm := setupRealm(t, base, nil)
	endpoint := realm + "/oauth/token"
	for _, grant := range []string{"client_credentials", "password"} {
		form := url.Values{"grant_type": {grant}, "username": {"alice"}, "password": {"wonderland"}}
		status, body, header := tokenRequest(t, endpoint, form, "web", "wrong")
		if status != http.StatusUnauthorized || body["error"] != "invalid_client" {
			t.Fatalf("%s, basic: %d %v", grant, status, body)
		}
		if grant == "password" && header.Get("WWW-Authenticate") == "" {
			t.Fatalf("%s, basic: no WWW-Authenticate", grant)
		}
		form.Set("client_id", "web")
		form.Set("client_secret", "wrong")
		if status, body, _ := tokenRequest(t, endpoint, form, "", ""); status != http.StatusUnauthorized || body["error"] != "invalid_client" {
			t.Fatalf("%s, form: %d %v", grant, status, body)
		}
		form.Set("client_secret", "web-secret")
		if status, body, _ := tokenRequest(t, endpoint, form, "", ""); status != http.StatusOK || body["access_token"] == nil {
			t.Fatalf("%s, right secret in the form: %d %v", grant, status, body)
		}
	}
}

func TestUnknownRealmIs404(t *testing.T) {
	_, base := testProvider(t)
	var body map[string]any
	if status := call(t, http.MethodGet, base+"/_emulator/oidc/nowhere/.well-known/openid-configuration", nil, &body); status != http.StatusNotFound || body["error"] != "not_found" {
		t.Fatalf("%d %v", status, body)
	}
	if status := call(t, http.MethodPut, base+"/_emulator/oidc/nowhere/clients/web", map[string]any{"client_secret": "s"}, &body); status != http.StatusNotFound {
		t.Fatalf("a client of an unknown realm: %d %v", status, body)
	}
	if status := call(t, http.MethodGet, base+"/_emulator/oidc/default/.well-known/openid-configuration", nil, &body); status != http.StatusOK || body["issuer"] != base+"/_emulator/oidc/default" {
		t.Fatalf("the default realm: %d %v", status, body)
	}
}

func TestBadConfigurationIs400(t *testing.T) {
	_, base := testProvider(t)
	realm := base + "/_emulator/oidc/shop"
	cases := []struct {
		name, path string
		body       any
		want       string
	}{
		{"algorithm", realm, map[string]any{"signing_algorithm": "HS256"}, "signing_algorithm"},
		{"unknown field", realm, map[string]any{"lifetime": 3}, "unknown field"},
		{"negative lifetime", realm, map[string]any{"access_token_lifetime": -1}, "access_token_lifetime"},
		{"realm name", base + "/_emulator/oidc/-bad", nil, "realm"},
		{"grant type", base + "/_emulator/oidc/default/clients/c", map[string]any{"client_secret": "s", "grant_types": []string{"implicit"}}, "grant_types"},
		{"redirect uri", base + "/_emulator/oidc/default/clients/c", map[string]any{"client_secret": "s", "redirect_uris": []string{"/relative"}}, "redirect_uris"},
		{"public client credentials", base + "/_emulator/oidc/default/clients/c", map[string]any{"grant_types": []string{"client_credentials"}}, "client_secret"},
		{"registered claim", base + "/_emulator/oidc/default/users/u", map[string]any{"claims": map[string]any{"sub": "x"}}, "sub"},
		{"mint without subject", base + "/_emulator/oidc/default/tokens", map[string]any{}, "sub"},
	}
	for _, c := range cases {
		method := http.MethodPut
		if strings.HasSuffix(c.path, "/tokens") {
			method = http.MethodPost
		}
		var body map[string]any
		status := call(t, method, c.path, c.body, &body)
		msg, _ := body["message"].(string)
		if status != http.StatusBadRequest || !strings.Contains(msg, c.want) {
			t.Errorf("%s: %d %v", c.name, status, body)
		}
	}
}

func TestMintedTokens(t *testing.T) {
	_, base := testProvider(t)
	realm := setupRealm(t, base, nil)
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, realm)
	if err != nil {
		t.Fatal(err)
	}
	verifier := provider.Verifier(&oidc.Config{ClientID: "orders-api"})
	mint := func(req map[string]any) oidcprovider.MintedToken {
		t.Helper()
		var minted oidcprovider.MintedToken
		if status := call(t, http.MethodPost, realm+"/tokens", req, &minted); status != http.StatusCreated {
			t.Fatalf("mint %v: %d", req, status)
		}
		return minted
	}
	good := mint(map[string]any{"username": "alice", "client_id": "web", "scope": "orders:read", "claims": map[string]any{"level": 3}})
	verified, err := verifier.Verify(ctx, good.AccessToken)
	if err != nil {
		t.Fatalf("a minted token does not verify: %v", err)
	}
	if claims := claimsOf(t, verified); claims["sub"] != "alice" || claims["email"] != "alice@example.com" || claims["level"] != float64(3) || claims["scope"] != "orders:read" {
		t.Fatalf("claims: %v", claims)
	}
	expired := mint(map[string]any{"sub": "bob", "aud": "orders-api", "expires_in": -60})
	if expired.ExpiresIn >= 0 {
		t.Fatalf("expires_in: %d", expired.ExpiresIn)
	}
	if _, err := verifier.Verify(ctx, expired.AccessToken); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("an expired token: %v", err)
	}
	wrongAudience := mint(map[string]any{"sub": "bob", "aud": []string{"billing-api"}})
	if _, err := verifier.Verify(ctx, wrongAudience.AccessToken); err == nil || !strings.Contains(err.Error(), "audience") {
		t.Fatalf("a token for another audience: %v", err)
	}
	forged := mint(map[string]any{"sub": "bob", "aud": "orders-api", "wrong_signature": true})
	if _, err := verifier.Verify(ctx, forged.AccessToken); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Fatalf("a token with a wrong signature: %v", err)
	}
}

var hiddenID = regexp.MustCompile(`name="id" value="([^"]+)"`)

// browser is a user agent with a cookie jar that stops at the client's redirect_uri, as the
// client application would take over there.
func browser(t *testing.T, redirectURI string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), redirectURI) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

// login posts the login form of the page at resp and returns the answer.
func login(t *testing.T, b *http.Client, page *http.Response, username, password string) *http.Response {
	t.Helper()
	html, _ := io.ReadAll(page.Body)
	_ = page.Body.Close()
	m := hiddenID.FindSubmatch(html)
	if (page.StatusCode != http.StatusOK && page.StatusCode != http.StatusUnauthorized) || m == nil {
		t.Fatalf("not the login form (%d): %s", page.StatusCode, html)
	}
	resp, err := b.PostForm(page.Request.URL.String(), url.Values{"id": {string(m[1])}, "username": {username}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestAuthorizationCodeFlowThroughTheLoginForm(t *testing.T) {
	for _, pkce := range []bool{true, false} {
		t.Run(fmt.Sprintf("pkce=%v", pkce), func(t *testing.T) {
			_, base := testProvider(t)
			realm := setupRealm(t, base, nil)
			ctx := context.Background()
			provider, err := oidc.NewProvider(ctx, realm)
			if err != nil {
				t.Fatal(err)
			}
			redirectURI := "http://127.0.0.1:9999/callback"
			conf := oauth2.Config{ClientID: "web", ClientSecret: "web-secret", Endpoint: provider.Endpoint(), RedirectURL: redirectURI,
				Scopes: []string{oidc.ScopeOpenID, oidc.ScopeOfflineAccess, "orders:read"}}
			verifier := oauth2.GenerateVerifier()
			var authOpts, exchangeOpts []oauth2.AuthCodeOption
			if pkce {
				authOpts = append(authOpts, oauth2.S256ChallengeOption(verifier))
				exchangeOpts = append(exchangeOpts, oauth2.VerifierOption(verifier))
			}
			b := browser(t, redirectURI)
			page, err := b.Get(conf.AuthCodeURL("st4te", authOpts...))
			if err != nil {
				t.Fatal(err)
			}
			// A wrong password shows the form again.
			again := login(t, b, page, "alice", "wrong")
			if again.StatusCode != http.StatusUnauthorized {
				t.Fatalf("a wrong password: %d", again.StatusCode)
			}
			done := login(t, b, again, "alice", "wonderland")
			_ = done.Body.Close()
			if done.StatusCode != http.StatusFound {
				t.Fatalf("after the login: %d, want a redirect to the client", done.StatusCode)
			}
			back, err := url.Parse(done.Header.Get("Location"))
			if err != nil || !strings.HasPrefix(back.String(), redirectURI) || back.Query().Get("state") != "st4te" || back.Query().Get("code") == "" {
				t.Fatalf("redirect to the client: %v %v", back, err)
			}
			code := back.Query().Get("code")
			token, err := conf.Exchange(ctx, code, exchangeOpts...)
			if err != nil {
				t.Fatalf("code exchange: %v", err)
			}
			rawID, _ := token.Extra("id_token").(string)
			idToken, err := provider.Verifier(&oidc.Config{ClientID: "web"}).Verify(ctx, rawID)
			if err != nil || idToken.Subject != "alice" {
				t.Fatalf("ID token: %v %v", idToken, err)
			}
			access, err := provider.Verifier(&oidc.Config{ClientID: "orders-api"}).Verify(ctx, token.AccessToken)
			if err != nil {
				t.Fatalf("access token: %v", err)
			}
			if claims := claimsOf(t, access); claims["preferred_username"] != "alice" || claims["scope"] != "openid offline_access orders:read" {
				t.Fatalf("access token claims: %v", claims)
			}
			if _, err := conf.Exchange(ctx, code, exchangeOpts...); err == nil {
				t.Fatal("a code was exchanged twice")
			}

			// The refresh token gives a new access token, once.
			if token.RefreshToken == "" {
				t.Fatal("no refresh token for offline_access")
			}
			refreshed, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: token.RefreshToken}).Token()
			if err != nil {
				t.Fatalf("refresh: %v", err)
			}
			if refreshed.AccessToken == token.AccessToken || refreshed.RefreshToken == token.RefreshToken {
				t.Fatal("the refresh gave the same tokens")
			}
			if _, err := provider.Verifier(&oidc.Config{ClientID: "orders-api"}).Verify(ctx, refreshed.AccessToken); err != nil {
				t.Fatalf("refreshed access token: %v", err)
			}
			if _, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: token.RefreshToken}).Token(); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
				t.Fatalf("a spent refresh token: %v", err)
			}
		})
	}
}

func TestPKCEIsCheckedWhenUsed(t *testing.T) {
	_, base := testProvider(t)
	realm := setupRealm(t, base, nil)
	mustPut(t, realm+"/clients/spa", map[string]any{"redirect_uris": []string{"http://127.0.0.1:9999/spa"}})
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, realm)
	if err != nil {
		t.Fatal(err)
	}
	conf := oauth2.Config{ClientID: "spa", Endpoint: provider.Endpoint(), RedirectURL: "http://127.0.0.1:9999/spa", Scopes: []string{oidc.ScopeOpenID}}
	verifier := oauth2.GenerateVerifier()
	b := browser(t, conf.RedirectURL)
	page, err := b.Get(conf.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)))
	if err != nil {
		t.Fatal(err)
	}
	done := login(t, b, page, "alice", "wonderland")
	_ = done.Body.Close()
	back, _ := url.Parse(done.Header.Get("Location"))
	code := back.Query().Get("code")
	if _, err := conf.Exchange(ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("a wrong code_verifier: %v", err)
	}
	if _, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier)); err != nil {
		t.Fatalf("the public client with its verifier: %v", err)
	}
}

// introspect posts to the introspection endpoint with the client's credentials in the form
// or (basic) in HTTP Basic.
func introspect(t *testing.T, realm, token, secret string, basic bool) (int, map[string]any) {
	t.Helper()
	form := url.Values{"token": {token}}
	user, pass := "", ""
	if basic {
		user, pass = "web", secret
	} else {
		form.Set("client_id", "web")
		form.Set("client_secret", secret)
	}
	status, body, _ := tokenRequest(t, realm+"/oauth/introspect", form, user, pass)
	return status, body
}

func TestIntrospectionAndUserinfo(t *testing.T) {
	_, base := testProvider(t)
	realm := setupRealm(t, base, nil)
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, realm)
	if err != nil {
		t.Fatal(err)
	}
	conf := oauth2.Config{ClientID: "web", ClientSecret: "web-secret", Endpoint: provider.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "orders:read"}}
	token, err := conf.PasswordCredentialsToken(ctx, "alice", "wonderland")
	if err != nil {
		t.Fatal(err)
	}
	for _, basic := range []bool{true, false} {
		status, body := introspect(t, realm, token.AccessToken, "web-secret", basic)
		groups, _ := body["groups"].([]any)
		if status != http.StatusOK || body["active"] != true || body["sub"] != "alice" || body["scope"] != "openid orders:read" ||
			body["client_id"] != "web" || body["username"] != "alice" || body["iss"] != realm || body["exp"] == nil || len(groups) != 2 {
			t.Fatalf("introspection (basic %v): %d %v", basic, status, body)
		}
		if status, body := introspect(t, realm, token.AccessToken, "wrong", basic); status != http.StatusUnauthorized || body["error"] != "invalid_client" {
			t.Fatalf("introspection with a wrong secret (basic %v): %d %v", basic, status, body)
		}
	}
	var expired oidcprovider.MintedToken
	call(t, http.MethodPost, realm+"/tokens", map[string]any{"username": "alice", "client_id": "web", "expires_in": -5}, &expired)
	var fresh oidcprovider.MintedToken
	call(t, http.MethodPost, realm+"/tokens", map[string]any{"username": "alice", "client_id": "web", "scope": "orders:read"}, &fresh)
	for name, tok := range map[string]string{"expired": expired.AccessToken, "unknown": "not-a-token", "forged": fresh.AccessToken + "x"} {
		if status, body := introspect(t, realm, tok, "web-secret", true); status != http.StatusOK || body["active"] != false {
			t.Fatalf("introspection of an %s token: %d %v", name, status, body)
		}
	}
	if status, body := introspect(t, realm, fresh.AccessToken, "web-secret", true); status != http.StatusOK || body["active"] != true || body["scope"] != "orders:read" {
		t.Fatalf("introspection of a minted token: %d %v", status, body)
	}

	info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(token))
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	var claims map[string]any
	if err := info.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if info.Subject != "alice" || info.Email != "alice@example.com" || claims["preferred_username"] != "alice" || claims["groups"] == nil {
		t.Fatalf("userinfo: %v", claims)
	}
	if _, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: expired.AccessToken})); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("userinfo with an expired token: %v", err)
	}
	req, _ := http.NewRequest(http.MethodGet, realm+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+expired.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "invalid_token") {
		t.Fatalf("userinfo with an expired token: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
}

func TestRealmReplaceKeepsClientsAndANewAlgorithmANewKey(t *testing.T) {
	_, base := testProvider(t)
	realm := setupRealm(t, base, map[string]any{"signing_algorithm": "RS256"})
	ctx := context.Background()
	var before oidcprovider.MintedToken
	call(t, http.MethodPost, realm+"/tokens", map[string]any{"sub": "x", "aud": "orders-api"}, &before)

	// The same algorithm: the key stays, so an earlier token still verifies.
	var info map[string]any
	if status := call(t, http.MethodPut, realm, map[string]any{"access_token_lifetime": 120}, &info); status != http.StatusOK || info["clients"] != float64(1) || info["users"] != float64(1) || info["access_token_lifetime"] != float64(120) {
		t.Fatalf("replace: %d %v", status, info)
	}
	provider, err := oidc.NewProvider(ctx, realm)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.Verifier(&oidc.Config{ClientID: "orders-api"}).Verify(ctx, before.AccessToken); err != nil {
		t.Fatalf("a token from before the same-algorithm replace: %v", err)
	}
	cc := clientcredentials.Config{ClientID: "web", ClientSecret: "web-secret", TokenURL: provider.Endpoint().TokenURL}
	token, err := cc.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if left := time.Until(token.Expiry); left > 121*time.Second || left < 100*time.Second {
		t.Fatalf("access_token_lifetime 120 gave a token for %v", left)
	}

	// A new algorithm: a new key, the old tokens no longer verify.
	mustPut(t, realm, map[string]any{"signing_algorithm": "ES256"})
	provider, err = oidc.NewProvider(ctx, realm)
	if err != nil {
		t.Fatal(err)
	}
	verifier := provider.Verifier(&oidc.Config{ClientID: "orders-api", SupportedSigningAlgs: []string{"ES256", "RS256"}})
	if _, err := verifier.Verify(ctx, before.AccessToken); err == nil {
		t.Fatal("a token signed with the replaced key still verifies")
	}
	token, err = cc.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verifier.Verify(ctx, token.AccessToken); err != nil {
		t.Fatalf("a token from the new key: %v", err)
	}
}

func TestListGetDelete(t *testing.T) {
	_, base := testProvider(t)
	realm := setupRealm(t, base, nil)
	var list struct {
		Data []map[string]any `json:"data"`
	}
	if status := call(t, http.MethodGet, base+"/_emulator/oidc", nil, &list); status != http.StatusOK || len(list.Data) != 2 || list.Data[0]["name"] != "default" || list.Data[1]["name"] != "shop" {
		t.Fatalf("realms: %d %v", status, list)
	}
	if status := call(t, http.MethodGet, realm+"/clients", nil, &list); status != http.StatusOK || len(list.Data) != 1 || list.Data[0]["client_id"] != "web" {
		t.Fatalf("clients: %d %v", status, list)
	}
	var user map[string]any
	if status := call(t, http.MethodGet, realm+"/users/alice", nil, &user); status != http.StatusOK || user["username"] != "alice" || user["claims"] == nil {
		t.Fatalf("user: %d %v", status, user)
	}
	var client map[string]any
	if status := call(t, http.MethodGet, realm+"/clients/web", nil, &client); status != http.StatusOK || len(client["grant_types"].([]any)) != 4 {
		t.Fatalf("client: %d %v", status, client)
	}

	// A deleted user's tokens are no longer active, and a deleted client cannot get tokens.
	var minted oidcprovider.MintedToken
	form := url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {"wonderland"}}
	status, tok, _ := tokenRequest(t, realm+"/oauth/token", form, "web", "web-secret")
	if status != http.StatusOK {
		t.Fatalf("password grant: %d %v", status, tok)
	}
	if status := call(t, http.MethodDelete, realm+"/users/alice", nil, nil); status != http.StatusNoContent {
		t.Fatalf("delete user: %d", status)
	}
	if status := call(t, http.MethodGet, realm+"/users/alice", nil, nil); status != http.StatusNotFound {
		t.Fatalf("a deleted user: %d", status)
	}
	if _, body := introspect(t, realm, tok["access_token"].(string), "web-secret", true); body["active"] != false {
		t.Fatalf("a deleted user's token: %v", body)
	}
	if status := call(t, http.MethodDelete, realm+"/clients/web", nil, nil); status != http.StatusNoContent {
		t.Fatalf("delete client: %d", status)
	}
	if status, body, _ := tokenRequest(t, realm+"/oauth/token", url.Values{"grant_type": {"client_credentials"}}, "web", "web-secret"); status != http.StatusUnauthorized || body["error"] != "invalid_client" {
		t.Fatalf("a deleted client: %d %v", status, body)
	}
	if status := call(t, http.MethodDelete, realm, nil, nil); status != http.StatusNoContent {
		t.Fatalf("delete realm: %d", status)
	}
	if status := call(t, http.MethodPost, realm+"/tokens", map[string]any{"sub": "x"}, &minted); status != http.StatusNotFound {
		t.Fatalf("minting in a deleted realm: %d", status)
	}
}

func TestRevocationAndEndSession(t *testing.T) {
	_, base := testProvider(t)
	realm := setupRealm(t, base, nil)
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, realm)
	if err != nil {
		t.Fatal(err)
	}
	conf := oauth2.Config{ClientID: "web", ClientSecret: "web-secret", Endpoint: provider.Endpoint(), Scopes: []string{oidc.ScopeOpenID}}
	token, err := conf.PasswordCredentialsToken(ctx, "alice", "wonderland")
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"token": {token.RefreshToken}, "token_type_hint": {"refresh_token"}}
	req, _ := http.NewRequest(http.MethodPost, realm+"/revoke", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("web", "web-secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if _, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: token.RefreshToken}).Token(); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("a revoked refresh token: %v", err)
	}

	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noRedirect.Get(realm + "/end_session?id_token_hint=" + url.QueryEscape(token.Extra("id_token").(string)))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != realm+"/logged-out" {
		t.Fatalf("end_session: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// Bad input is an InvalidError (answered 400) that keeps its cause for the caller.
func TestInvalidInputKeepsItsCause(t *testing.T) {
	p, base := testProvider(t)
	setupRealm(t, base, nil)
	_, err := p.Mint("shop", oidcprovider.MintRequest{Subject: "alice", Claims: map[string]any{"score": math.Inf(1)}})
	var invalid *oidcprovider.InvalidError
	var unsupported *json.UnsupportedValueError
	if !errors.As(err, &invalid) || !errors.As(err, &unsupported) || !strings.HasPrefix(err.Error(), "claims: json: unsupported value") {
		t.Fatalf("a claim JSON cannot hold: %v (%T)", err, err)
	}
}
