package dataplane

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// How the openid-connect plugin finds credentials and turns them into verified tokens:
// bearer tokens (JWKS or introspection), the password and client credentials grants, the
// authorization code flow and the refresh of a session's tokens.

// decodeTokens reads the payloads of the tokens in use, without verifying them (they were
// verified when obtained).
func (r *oidcRequest) decodeTokens() {
	r.accessClaims = jwtPayload(r.tokens.AccessToken)
	r.idClaims = jwtPayload(r.tokens.IDToken)
}

// jwtPayload is a compact JWT's claims, nil when the token is not a JWT.
func jwtPayload(token string) map[string]any {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil
	}
	var claims map[string]any
	if json.Unmarshal(raw, &claims) != nil {
		return nil
	}
	return claims
}

// expOf is a claim set's exp in Unix seconds, 0 when it has none.
func expOf(claims map[string]any) int64 {
	if exp, ok := claims["exp"].(float64); ok {
		return int64(exp)
	}
	return 0
}

// verifyJWT checks a token's signature against the provider's JWKS and its issuer (go-oidc:
// a kid it does not know makes it fetch the keys again) and returns its claims.
func (r *oidcRequest) verifyJWT(token string) (map[string]any, error) {
	idt, err := r.d.verifier.Verify(r.hc, token)
	if err != nil {
		return nil, &wordedError{words: strings.TrimPrefix(err.Error(), "oidc: "), err: err}
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, fmt.Errorf("reading the claims: %w", err)
	}
	if err := r.checkNotBefore(claims); err != nil {
		return nil, err
	}
	return claims, nil
}

// checkNotBefore refuses a token used before its nbf (with leeway), as Kong does; go-oidc's
// own check is off with its expiry check (SkipExpiryCheck skips both).
func (r *oidcRequest) checkNotBefore(claims map[string]any) error {
	nbf, ok := claims["nbf"].(float64)
	if !ok {
		return nil
	}
	// The clock is read now, not at the request's start: the plugin may have just fetched this
	// token (a grant), and the issuer stamped it after the request began. Claims are whole
	// seconds, and issuers round (zitadel's op does), so a token valid within the current
	// second passes.
	now := time.Now()
	if int64(nbf) <= now.Add(time.Second-1).Unix()+int64(r.p.c.Leeway) {
		return nil
	}
	return fmt.Errorf("token not valid before %s (now %s)", time.Unix(int64(nbf), 0).UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
}

// findBearer looks for an access token where bearer_token_param_type says, in its order,
// and removes it from the upstream request when hide_credentials is on.
func (r *oidcRequest) findBearer() (string, bool) {
	c, req := r.p.c, r.ctx.Request
	for _, loc := range orDefaultList(c.BearerTokenParamType, "body", "header", "query") {
		switch loc {
		case "header":
			if values := req.Header.Values("Authorization"); len(values) > 0 {
				if t, ok := bearerToken(values[0]); ok {
					if c.HideCredentials {
						req.Header.Del("Authorization")
					}
					return t, true
				}
			}
			for _, name := range []string{"access_token", "x_access_token"} {
				if key, v := headerAnySeparator(req.Header, name); v != "" {
					if c.HideCredentials {
						req.Header.Del(key)
					}
					return v, true
				}
			}
		case "cookie":
			if c.BearerTokenCookieName == "" {
				continue
			}
			if v, ok := cookieValue(req.Header, c.BearerTokenCookieName); ok && v != "" {
				if c.HideCredentials {
					withoutCookie(req.Header, c.BearerTokenCookieName)
				}
				return v, true
			}
		case "query":
			q := req.URL.Query()
			if v := q.Get("access_token"); v != "" {
				if c.HideCredentials {
					q.Del("access_token")
					req.URL.RawQuery = q.Encode()
				}
				return v, true
			}
		case "body":
			if v := r.bodyArg("access_token"); v != "" {
				if c.HideCredentials {
					r.clearBodyArgs("access_token")
				}
				return v, true
			}
		}
	}
	return "", false
}

func orDefaultList(list []string, defaults ...string) []string {
	if len(list) == 0 {
		return defaults
	}
	return list
}

// headerAnySeparator reads a header whose name Kong matches with '_' or '-'.
func headerAnySeparator(h http.Header, name string) (key, value string) {
	want := strings.ReplaceAll(name, "_", "-")
	for k, vs := range h {
		if len(vs) > 0 && strings.EqualFold(strings.ReplaceAll(k, "_", "-"), want) {
			return k, vs[0]
		}
	}
	return "", ""
}

// bearer authenticates with a bearer token: a JWT verified with the provider's keys, or,
// when that is off or fails, introspection.
func (r *oidcRequest) bearer(token string) *oidcRefusal {
	p := r.p
	r.tokens = oidcSession{AccessToken: token}
	r.saveSession = p.methods["session"]
	var verifyErr error
	if p.methods["bearer"] {
		claims, err := r.verifyJWT(token)
		if err == nil {
			r.accessClaims, r.method = claims, "bearer"
			r.tokens.Expires = expOf(claims)
			r.via = "bearer token verified with the issuer's JWKS (issuer " + r.d.Issuer + ")"
			if !p.c.IntrospectJWTTokens {
				return nil
			}
			result, err := r.introspect(token)
			if err != nil {
				return unauthorized("the JWT bearer token could not be introspected: %v", err)
			}
			if active, _ := result["active"].(bool); !active {
				return unauthorized("the JWT bearer token is not active anymore or has been revoked (introspection at %s)", r.introspectionEndpoint())
			}
			r.introspected = result
			if exp := expOf(result); exp != 0 {
				r.tokens.Expires = exp
			}
			r.via += "; introspection says it is active"
			return nil
		}
		verifyErr = err
		if !p.methods["introspection"] {
			return unauthorized("bearer token rejected: %v", err)
		}
	}
	result, err := r.introspect(token)
	if err != nil {
		if verifyErr != nil {
			return unauthorized("bearer token rejected: %v; introspection failed: %v", verifyErr, err)
		}
		return unauthorized("the bearer token could not be introspected: %v", err)
	}
	if active, _ := result["active"].(bool); !active && p.c.IntrospectionCheckActive {
		return unauthorized("the introspection endpoint %s says the token is not active", r.introspectionEndpoint())
	}
	r.introspected, r.method = result, "introspection"
	r.accessClaims = jwtPayload(token)
	r.tokens.Expires = expOf(result)
	if r.tokens.Expires == 0 {
		r.tokens.Expires = expOf(r.accessClaims)
	}
	r.via = "bearer token introspected at " + r.introspectionEndpoint() + ": active"
	return nil
}

func (r *oidcRequest) introspectionEndpoint() string {
	return cmpOr(r.p.c.IntrospectionEndpoint, r.d.IntrospectionEndpoint)
}

// introspect asks the introspection endpoint (RFC 7662) about a token, as the configured
// client (client_secret_basic).
func (r *oidcRequest) introspect(token string) (map[string]any, error) {
	endpoint := r.introspectionEndpoint()
	if endpoint == "" {
		return nil, errors.New("no introspection endpoint: neither configured nor in the discovery document")
	}
	form := url.Values{"token": {token}}
	if r.p.c.IntrospectionHint != "" {
		form.Set("token_type_hint", r.p.c.IntrospectionHint)
	}
	req, err := http.NewRequestWithContext(r.hc, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("introspection endpoint %s: %w", endpoint, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id := first(r.p.c.ClientID); id != "" {
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(first(r.p.c.ClientSecret)))
	}
	var result map[string]any
	if err := r.p.issuer.fetchJSON(req, &result); err != nil {
		return nil, err
	}
	return result, nil
}

func first(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[0]
}

// oidcGrant is credentials found in the request for a grant at the token endpoint.
type oidcGrant struct {
	kind       string // "password" or "client_credentials"
	user, pass string
	loc        string
}

// findGrantCredentials finds the password grant's user name and password and the client
// credentials grant's id and secret (Authorization: Basic, query or body, as the
// *_param_type settings say). Both found: Kong tries the password grant first.
func (r *oidcRequest) findGrantCredentials() []oidcGrant {
	c := r.p.c
	var grants []oidcGrant
	if r.p.methods["password"] {
		if g, ok := r.credentials("password", c.PasswordParamType, "username", "password"); ok {
			grants = append(grants, g)
		}
	}
	if r.p.methods["client_credentials"] {
		if g, ok := r.credentials("client_credentials", c.ClientCredentialsParamType, "client_id", "client_secret"); ok {
			grants = append(grants, g)
		}
	}
	if c.HideCredentials {
		req := r.ctx.Request
		for _, g := range grants {
			switch g.loc {
			case "header":
				req.Header.Del("Authorization")
				req.Header.Del("Grant-Type")
				req.Header.Del("X-Grant-Type")
			case "query":
				q := req.URL.Query()
				for _, k := range []string{"username", "password", "client_id", "client_secret", "grant_type"} {
					q.Del(k)
				}
				req.URL.RawQuery = q.Encode()
			case "body":
				r.clearBodyArgs("username", "password", "client_id", "client_secret", "grant_type")
			}
		}
	}
	return grants
}

func (r *oidcRequest) credentials(kind string, locations []string, userArg, passArg string) (oidcGrant, bool) {
	req := r.ctx.Request
	for _, loc := range orDefaultList(locations, "body", "header", "query") {
		switch loc {
		case "header":
			gt := cmpOr(req.Header.Get("Grant-Type"), req.Header.Get("X-Grant-Type"))
			if gt != "" && gt != kind {
				continue
			}
			if user, pass, ok := parseBasicAuthorization(req.Header.Get("Authorization")); ok {
				return oidcGrant{kind: kind, user: user, pass: pass, loc: loc}, true
			}
		case "query":
			q := req.URL.Query()
			if gt := q.Get("grant_type"); gt != "" && gt != kind {
				continue
			}
			if user, pass := q.Get(userArg), q.Get(passArg); user != "" && pass != "" {
				return oidcGrant{kind: kind, user: user, pass: pass, loc: loc}, true
			}
		case "body":
			if gt := r.bodyArg("grant_type"); gt != "" && gt != kind {
				continue
			}
			if user, pass := r.bodyArg(userArg), r.bodyArg(passArg); user != "" && pass != "" {
				return oidcGrant{kind: kind, user: user, pass: pass, loc: loc}, true
			}
		}
	}
	return oidcGrant{}, false
}

// requestForm is the request body's arguments: a form or a JSON object.
func (r *oidcRequest) requestForm() (form url.Values, json map[string]any) {
	req := r.ctx.Request
	ctype, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
	switch ctype {
	case "application/x-www-form-urlencoded":
		values, err := url.ParseQuery(string(requestBody(req)))
		if err == nil {
			return values, nil
		}
	case "application/json":
		var obj map[string]any
		if decodeJSONObject(requestBody(req), &obj) {
			return nil, obj
		}
	}
	return nil, nil
}

func decodeJSONObject(b []byte, into *map[string]any) bool {
	return len(b) > 0 && json.Unmarshal(b, into) == nil
}

// bodyArg is one argument of the request body, "" when absent.
func (r *oidcRequest) bodyArg(name string) string {
	form, obj := r.requestForm()
	if form != nil {
		return form.Get(name)
	}
	if s, ok := obj[name].(string); ok {
		return s
	}
	return ""
}

// clearBodyArgs removes arguments from the upstream request's body.
func (r *oidcRequest) clearBodyArgs(names ...string) {
	form, obj := r.requestForm()
	switch {
	case form != nil:
		for _, n := range names {
			form.Del(n)
		}
		setRequestBody(r.ctx.Request, []byte(form.Encode()))
	case obj != nil:
		for _, n := range names {
			delete(obj, n)
		}
		b, _ := json.Marshal(obj)
		setRequestBody(r.ctx.Request, b)
	}
}

func (r *oidcRequest) tokenEndpoint() string {
	return cmpOr(r.p.c.TokenEndpoint, r.d.TokenEndpoint)
}

// oauthConfig is the configured client at the provider's endpoints.
func (r *oidcRequest) oauthConfig() *oauth2.Config {
	c := r.p.c
	return &oauth2.Config{ClientID: first(c.ClientID), ClientSecret: first(c.ClientSecret), Scopes: c.Scopes,
		RedirectURL: r.redirectURI(),
		Endpoint:    oauth2.Endpoint{AuthURL: cmpOr(c.AuthorizationEndpoint, r.d.AuthorizationEndpoint), TokenURL: r.tokenEndpoint()}}
}

// exchange gets tokens at the token endpoint with the request's credentials, trying the
// grants in order, and verifies them.
func (r *oidcRequest) exchange(grants []oidcGrant) *oidcRefusal {
	if r.tokenEndpoint() == "" {
		return unauthorized("no token endpoint: neither configured nor in the discovery document")
	}
	var failures []string
	for _, g := range grants {
		var tok *oauth2.Token
		var err error
		switch g.kind {
		case "password":
			tok, err = r.oauthConfig().PasswordCredentialsToken(r.hc, g.user, g.pass)
		case "client_credentials":
			cc := clientcredentials.Config{ClientID: g.user, ClientSecret: g.pass, TokenURL: r.tokenEndpoint(), Scopes: r.p.c.Scopes}
			tok, err = cc.Token(r.hc)
		}
		if err != nil {
			failures = append(failures, fmt.Sprintf("the token endpoint refused the %s grant for %q: %s", g.kind, g.user, tokenError(err)))
			continue
		}
		if err := r.useTokens(tok, ""); err != nil {
			return unauthorized("the tokens of the %s grant did not verify: %v", g.kind, err)
		}
		r.method, r.saveSession = g.kind, r.p.methods["session"]
		r.via = fmt.Sprintf("%s grant for %q (credentials from the %s) gave tokens from %s, verified", g.kind, g.user, g.loc, r.tokenEndpoint())
		return nil
	}
	return unauthorized("%s", strings.Join(failures, "; "))
}

// wordedError is an error told in the trace's words (a library's error without its prefix,
// a token endpoint's refusal summed up) that keeps the error it tells of as its cause.
type wordedError struct {
	words string
	err   error
}

func (e *wordedError) Error() string { return e.words }
func (e *wordedError) Unwrap() error { return e.err }

// tokenError is a token endpoint's refusal in words.
func tokenError(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		s := fmt.Sprintf("%d", re.Response.StatusCode)
		if re.ErrorCode != "" {
			s += " " + re.ErrorCode
		}
		if re.ErrorDescription != "" {
			s += " (" + re.ErrorDescription + ")"
		}
		return s
	}
	return err.Error()
}

// useTokens takes tokens from the token endpoint: a JWT access token and the ID token are
// verified with the provider's keys (and the ID token's nonce, when one was sent).
func (r *oidcRequest) useTokens(tok *oauth2.Token, nonce string) error {
	s := oidcSession{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken}
	if id, ok := tok.Extra("id_token").(string); ok {
		s.IDToken = id
	}
	if !tok.Expiry.IsZero() {
		s.Expires = tok.Expiry.Unix()
	}
	if jwtPayload(s.AccessToken) != nil {
		claims, err := r.verifyJWT(s.AccessToken)
		if err != nil {
			return fmt.Errorf("access token: %w", err)
		}
		r.accessClaims = claims
		if exp := expOf(claims); exp != 0 {
			s.Expires = exp
		}
	}
	if s.IDToken != "" {
		claims, err := r.verifyJWT(s.IDToken)
		if err != nil {
			return fmt.Errorf("ID token: %w", err)
		}
		if nonce != "" && r.p.c.VerifyNonce {
			if got, _ := claims["nonce"].(string); got != nonce {
				return fmt.Errorf("ID token: nonce %q does not match the one sent (%q)", got, nonce)
			}
		}
		r.idClaims = claims
	}
	r.tokens = s
	return nil
}

// refresh gets new tokens for an expired session with its refresh token.
func (r *oidcRequest) refresh() error {
	if r.tokenEndpoint() == "" {
		return errors.New("no token endpoint")
	}
	old := r.tokens
	ts := r.oauthConfig().TokenSource(r.hc, &oauth2.Token{RefreshToken: old.RefreshToken, Expiry: time.Unix(1, 0)})
	tok, err := ts.Token()
	if err != nil {
		return &wordedError{words: tokenError(err), err: err}
	}
	if err := r.useTokens(tok, ""); err != nil {
		return err
	}
	if r.tokens.RefreshToken == "" {
		r.tokens.RefreshToken = old.RefreshToken
	}
	if r.tokens.IDToken == "" {
		r.tokens.IDToken = old.IDToken
		r.idClaims = jwtPayload(old.IDToken)
	}
	r.saveSession = true
	return nil
}

// authorizationCode runs the authorization code flow: on the provider's callback (the
// authorization cookie's state and a code in the query) it exchanges the code and goes on;
// otherwise it redirects the browser to the authorization endpoint.
func (r *oidcRequest) authorizationCode() *oidcRefusal {
	p, ctx := r.p, r.ctx
	var a oidcAuthorization
	present, err := p.cookies.read(ctx.Downstream, p.c.AuthorizationCookieName, &a)
	if present && err == nil && a.State != "" {
		q := ctx.Downstream.URL.Query()
		state, code := q.Get("state"), q.Get("code")
		if state == a.State {
			if e := q.Get("error"); e != "" {
				return unauthorized("the provider answered the authorization request with error %s: %s", e, q.Get("error_description"))
			}
			if code == "" {
				return unauthorized("the callback has the state but no authorization code")
			}
			return r.callback(a, code)
		}
		if state != "" {
			return unauthorized("the callback's state does not match the authorization cookie's")
		}
		// The browser came back without a callback (another tab): a new flow starts.
	}
	authURL := cmpOr(p.c.AuthorizationEndpoint, r.d.AuthorizationEndpoint)
	if authURL == "" {
		ctx.Decide("no credentials and no authorization endpoint (neither configured nor discovered)")
		p.unexpected(ctx)
		return nil
	}
	a = oidcAuthorization{State: randomToken(), Nonce: randomToken(), URI: r.requestURL()}
	opts := []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("nonce", a.Nonce)}
	if r.usePKCE() {
		a.Verifier = oauth2.GenerateVerifier()
		opts = append(opts, oauth2.S256ChallengeOption(a.Verifier))
	}
	location := r.oauthConfig().AuthCodeURL(a.State, opts...)
	if err := p.cookies.setCookie(ctx.ResponseHeader, p.c.AuthorizationCookieName, a, r.authorizationAttrs()); err != nil {
		ctx.Decide("the authorization cookie could not be written: " + err.Error())
		p.unexpected(ctx)
		return nil
	}
	if ctx.Tracing() {
		ctx.Decide("no credentials: starting the authorization code flow, redirecting to " + authURL + " (callback " + r.redirectURI() + ")")
	}
	oidcRedirect(ctx, location)
	return nil
}

// usePKCE: require_proof_key_for_code_exchange, else whether the provider supports S256.
func (r *oidcRequest) usePKCE() bool {
	if r.p.c.RequirePKCE != nil {
		return *r.p.c.RequirePKCE
	}
	return slices.Contains(r.d.CodeChallengeMethodsSupported, "S256")
}

// callback exchanges the authorization code, ends the flow's cookie and removes the
// callback's arguments from the upstream request.
func (r *oidcRequest) callback(a oidcAuthorization, code string) *oidcRefusal {
	p, ctx := r.p, r.ctx
	var opts []oauth2.AuthCodeOption
	if a.Verifier != "" {
		opts = append(opts, oauth2.VerifierOption(a.Verifier))
	}
	tok, err := r.oauthConfig().Exchange(r.hc, code, opts...)
	if err != nil {
		return unauthorized("the token endpoint refused the authorization code: %s", tokenError(err))
	}
	if err := r.useTokens(tok, a.Nonce); err != nil {
		return unauthorized("the tokens of the authorization code flow did not verify: %v", err)
	}
	if err := p.cookies.setCookie(ctx.ResponseHeader, p.c.AuthorizationCookieName, nil, r.authorizationAttrs()); err != nil {
		return unauthorized("%v", err)
	}
	withoutCookie(ctx.Request.Header, p.c.AuthorizationCookieName)
	q := ctx.Request.URL.Query()
	for _, k := range []string{"code", "state", "session_state"} {
		q.Del(k)
	}
	ctx.Request.URL.RawQuery = q.Encode()
	r.method, r.saveSession, r.returnTo = "authorization_code", p.methods["session"], a.URI
	r.via = "authorization code flow completed: the code was exchanged at " + r.tokenEndpoint() + " and the tokens verified"
	return nil
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
