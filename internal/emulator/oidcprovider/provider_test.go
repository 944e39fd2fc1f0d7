package oidcprovider_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/oidcprovider"
)

// testProvider serves a provider on a loopback test server, as the emulator mounts it.
func testProvider(t *testing.T) (*oidcprovider.Provider, string) {
	t.Helper()
	var handler http.Handler = http.NotFoundHandler()
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
	defer resp.Body.Close()
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
		GrantTypes []string `json:"grant_types_supported"`
	}
	if err := provider.Claims(&discovery); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(discovery.GrantTypes, "password") || !slices.Contains(discovery.GrantTypes, "client_credentials") {
		t.Fatalf("grant_types_supported: %v", discovery.GrantTypes)
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
	defer resp.Body.Close()
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
