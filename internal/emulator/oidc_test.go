package emulator_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// The local OpenID provider on the emulator's API server: its configuration takes the API
// token, its protocol endpoints do not, and a standard client gets and verifies a token.
func TestOIDCProviderOnTheEmulator(t *testing.T) {
	h := start(t)
	realm := "/_emulator/oidc/gateway-tests"
	configure := []struct{ path, body string }{
		{realm, `{"signing_algorithm":"ES256","access_token_lifetime":600}`},
		{realm + "/clients/svc", `{"client_secret":"s3cret","scopes":["read"],"audience":["kong"]}`},
		{realm + "/users/alice", `{"password":"pw","claims":{"groups":["admins"]}}`},
	}
	for _, c := range configure {
		if status, body := h.raw(http.MethodPut, c.path, c.body, ""); status != http.StatusUnauthorized {
			t.Fatalf("PUT %s without the token: %d %v", c.path, status, body)
		}
		if status, body := h.raw(http.MethodPut, c.path, c.body); status != http.StatusCreated {
			t.Fatalf("PUT %s: %d %v", c.path, status, body)
		}
	}
	for _, path := range []string{"/_emulator/oidc", realm, realm + "/clients", realm + "/users/alice"} {
		if status, body := h.raw(http.MethodGet, path, "", ""); status != http.StatusUnauthorized {
			t.Fatalf("GET %s without the token: %d %v", path, status, body)
		}
	}
	if status, body := h.raw(http.MethodPost, realm+"/tokens", `{"sub":"x"}`, ""); status != http.StatusUnauthorized {
		t.Fatalf("minting without the token: %d %v", status, body)
	}
	status, info := h.raw(http.MethodGet, realm, "")
	if status != http.StatusOK || info["issuer"] != h.emu.OIDCIssuer("gateway-tests") || info["issuer"] != h.emu.URL+realm || info["signing_algorithm"] != "ES256" {
		t.Fatalf("GET %s: %d %v", realm, status, info)
	}

	// Discovery, JWKS and the token endpoint, without the emulator's token.
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, h.emu.OIDCIssuer("gateway-tests"))
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	cc := clientcredentials.Config{ClientID: "svc", ClientSecret: "s3cret", TokenURL: provider.Endpoint().TokenURL}
	token, err := cc.Token(ctx)
	if err != nil {
		t.Fatalf("client credentials: %v", err)
	}
	verified, err := provider.Verifier(&oidc.Config{ClientID: "kong", SupportedSigningAlgs: []string{"ES256"}}).Verify(ctx, token.AccessToken)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	var claims map[string]any
	if err := verified.Claims(&claims); err != nil || claims["scope"] != "read" {
		t.Fatalf("claims: %v %v", claims, err)
	}

	// The authorization code flow: authorize, the login form and the callback need no token.
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if status, body := h.raw(http.MethodPut, realm+"/clients/app", `{"client_secret":"app-secret","redirect_uris":["http://127.0.0.1:1/cb"]}`); status != http.StatusCreated {
		t.Fatalf("PUT app: %d %v", status, body)
	}
	browser := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Host == "127.0.0.1:1" {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	app := oauth2.Config{ClientID: "app", ClientSecret: "app-secret", Endpoint: provider.Endpoint(), RedirectURL: "http://127.0.0.1:1/cb", Scopes: []string{oidc.ScopeOpenID}}
	page, err := browser.Get(app.AuthCodeURL("xyz"))
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(page.Body)
	_ = page.Body.Close()
	id := regexp.MustCompile(`name="id" value="([^"]+)"`).FindSubmatch(html)
	if page.StatusCode != http.StatusOK || id == nil {
		t.Fatalf("the login form: %d %s", page.StatusCode, html)
	}
	back, err := browser.PostForm(page.Request.URL.String(), url.Values{"id": {string(id[1])}, "username": {"alice"}, "password": {"pw"}})
	if err != nil {
		t.Fatal(err)
	}
	_ = back.Body.Close()
	location, _ := url.Parse(back.Header.Get("Location"))
	if back.StatusCode != http.StatusFound || location == nil || location.Query().Get("state") != "xyz" {
		t.Fatalf("after the login: %d %v", back.StatusCode, location)
	}
	codeToken, err := app.Exchange(ctx, location.Query().Get("code"))
	if err != nil {
		t.Fatalf("code exchange: %v", err)
	}
	if _, err := provider.Verifier(&oidc.Config{ClientID: "app"}).Verify(ctx, codeToken.Extra("id_token").(string)); err != nil {
		t.Fatalf("ID token: %v", err)
	}

	// Reset empties the provider back to its default realm.
	if status, body := h.raw(http.MethodPost, "/_emulator/reset", ""); status != http.StatusNoContent {
		t.Fatalf("reset: %d %v", status, body)
	}
	if status, _ := h.raw(http.MethodGet, realm+"/.well-known/openid-configuration", "", ""); status != http.StatusNotFound {
		t.Fatalf("the realm after a reset: %d", status)
	}
	if status, _ := h.raw(http.MethodGet, "/_emulator/oidc/default/.well-known/openid-configuration", "", ""); status != http.StatusOK {
		t.Fatalf("the default realm after a reset: %d", status)
	}
}
