package oidcprovider

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// The realm is zitadel's op.Storage: everything below is what op asks of it.
var (
	_ op.Storage                        = (*realm)(nil)
	_ op.ClientCredentialsStorage       = (*realm)(nil)
	_ op.CanGetPrivateClaimsFromRequest = (*realm)(nil)
	_ op.CanSetUserinfoFromRequest      = (*realm)(nil)
)

var errNotFound = errors.New("not found")

func (r *realm) Health(context.Context) error { return nil }

func (r *realm) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	client, ok := r.clients[req.ClientID]
	if !ok {
		return nil, oidc.ErrInvalidClient().WithDescription("unknown client %q", req.ClientID)
	}
	if !client.allows(GrantAuthorizationCode) {
		return nil, oidc.ErrUnauthorizedClient().WithDescription("client %q may not use the authorization code flow", client.ID)
	}
	now := time.Now()
	r.pruneLocked(now)
	a := &authRequest{
		grant: grant{ClientID: client.ID, Audience: client.audience(), Scopes: slices.Clone(req.Scopes), AMR: []string{"pwd"}},
		ID:    randomString(16), RedirectURI: req.RedirectURI, State: req.State, Nonce: req.Nonce,
		ResponseType: req.ResponseType, ResponseMode: req.ResponseMode, Created: now,
	}
	if req.CodeChallenge != "" {
		a.CodeChallenge = &oidc.CodeChallenge{Challenge: req.CodeChallenge, Method: req.CodeChallengeMethod}
	}
	r.authRequests[a.ID] = a
	return a, nil
}

func (r *realm) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a, ok := r.authRequests[id]
	if !ok {
		return nil, oidc.ErrInvalidRequest().WithDescription("unknown or expired authorization request")
	}
	return a.copy(), nil
}

func (r *realm) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a, ok := r.authRequests[r.codes[code]]
	if !ok {
		return nil, oidc.ErrInvalidGrant().WithDescription("unknown, used or expired code")
	}
	return a.copy(), nil
}

func (r *realm) SaveAuthCode(_ context.Context, id, code string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.codes[code] = id
	return nil
}

func (r *realm) DeleteAuthRequest(_ context.Context, id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.authRequests, id)
	for code, reqID := range r.codes {
		if reqID == id {
			delete(r.codes, code)
		}
	}
	return nil
}

// completeLogin marks an authorization request as done by the user.
func (r *realm) completeLogin(id, username string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	a, ok := r.authRequests[id]
	if !ok {
		return errNotFound
	}
	a.Username, a.Subject, a.AuthTime, a.done = username, username, time.Now(), true
	return nil
}

func grantOf(req op.TokenRequest) grant {
	if g, ok := req.(granted); ok {
		return g.grantOf().clone()
	}
	return grant{Subject: req.GetSubject(), Audience: req.GetAudience(), Scopes: req.GetScopes()}
}

func (r *realm) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := r.newAccessTokenLocked(grantOf(req))
	return t.ID, t.Expiration, nil
}

func (r *realm) newAccessTokenLocked(g grant) *accessToken {
	now := time.Now()
	r.pruneLocked(now)
	t := &accessToken{grant: g, ID: randomString(16), IssuedAt: now, Expiration: now.Add(r.accessTokenLifetime())}
	r.accessTokens[t.ID] = t
	return t
}

func (r *realm) CreateAccessAndRefreshTokens(_ context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	g := grantOf(req)
	if current != "" {
		// Refresh tokens rotate: the one just used is spent.
		old, ok := r.refreshTokens[current]
		if !ok {
			return "", "", time.Time{}, oidc.ErrInvalidGrant().WithDescription("unknown or used refresh token")
		}
		delete(r.refreshTokens, current)
		g.AuthTime, g.AMR = old.AuthTime, old.AMR
	}
	t := r.newAccessTokenLocked(g)
	rt := &refreshToken{grant: g.clone(), Token: randomString(32), Expiration: time.Now().Add(r.refreshTokenLifetime())}
	r.refreshTokens[rt.Token] = rt
	return t.ID, rt.Token, t.Expiration, nil
}

func (r *realm) TokenRequestByRefreshToken(_ context.Context, token string) (op.RefreshTokenRequest, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rt, ok := r.refreshTokens[token]
	if !ok || time.Now().After(rt.Expiration) {
		return nil, op.ErrInvalidRefreshToken
	}
	if rt.Username != "" {
		if _, ok := r.users[rt.Username]; !ok {
			return nil, op.ErrInvalidRefreshToken
		}
	}
	c := *rt
	c.grant = rt.clone()
	return &c, nil
}

func (r *realm) TerminateSession(_ context.Context, userID, clientID string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for v, rt := range r.refreshTokens {
		if rt.Subject == userID && (clientID == "" || rt.ClientID == clientID) {
			delete(r.refreshTokens, v)
		}
	}
	return nil
}

func (r *realm) RevokeToken(_ context.Context, tokenOrID, userID, clientID string) *oidc.Error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rt, ok := r.refreshTokens[tokenOrID]; ok {
		if rt.ClientID != clientID {
			return oidc.ErrInvalidClient().WithDescription("the token was not issued to this client")
		}
		delete(r.refreshTokens, tokenOrID)
		return nil
	}
	if t, ok := r.accessTokens[tokenOrID]; ok {
		if t.ClientID != clientID && !t.minted {
			return oidc.ErrInvalidClient().WithDescription("the token was not issued to this client")
		}
		delete(r.accessTokens, tokenOrID)
	}
	return nil
}

func (r *realm) GetRefreshTokenInfo(_ context.Context, clientID, token string) (string, string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rt, ok := r.refreshTokens[token]
	if !ok || rt.ClientID != clientID {
		return "", "", op.ErrInvalidRefreshToken
	}
	return rt.Subject, rt.Token, nil
}

func (r *realm) SigningKey(context.Context) (op.SigningKey, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.key, nil
}

func (r *realm) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return []jose.SignatureAlgorithm{r.key.alg}, nil
}

func (r *realm) KeySet(context.Context) ([]op.Key, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return []op.Key{publicKey{r.key}}, nil
}

func (r *realm) GetClientByClientID(_ context.Context, clientID string) (op.Client, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.clients[clientID]
	if !ok {
		return nil, oidc.ErrInvalidClient().WithDescription("unknown client %q", clientID)
	}
	return r.opClientLocked(c), nil
}

func (r *realm) opClientLocked(c *Client) *opClient {
	copied := *c
	return &opClient{Client: &copied, loginURL: r.issuer + loginPath, idTokenLifetime: r.idTokenLifetime()}
}

// authenticateClient checks a client's secret; an unknown client and a wrong secret get the
// same answer, as OAuth 2.0 servers do.
func (r *realm) authenticateClient(clientID, secret string) (*Client, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.clients[clientID]
	if !ok || c.Secret == "" || subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) != 1 {
		return nil, oidc.ErrInvalidClient().WithDescription("invalid client_id / client_secret")
	}
	copied := *c
	return &copied, nil
}

func (r *realm) AuthorizeClientIDSecret(_ context.Context, clientID, secret string) error {
	_, err := r.authenticateClient(clientID, secret)
	return err
}

func (r *realm) ClientCredentials(_ context.Context, clientID, secret string) (op.Client, error) {
	c, err := r.authenticateClient(clientID, secret)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.opClientLocked(c), nil
}

func (r *realm) ClientCredentialsTokenRequest(_ context.Context, clientID string, scopes []string) (op.TokenRequest, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.clients[clientID]
	if !ok {
		return nil, oidc.ErrInvalidClient()
	}
	granted, err := c.grantedScopes(scopes)
	if err != nil {
		return nil, oidc.ErrInvalidScope().WithDescription("%s", err.Error())
	}
	return &grant{ClientID: c.ID, Subject: c.ID, Audience: c.audience(), Scopes: granted, AuthTime: time.Now()}, nil
}

// userClaimsLocked are the claims of a token's user: preferred_username, then the
// configured ones.
func (r *realm) userClaimsLocked(username string) map[string]any {
	claims := map[string]any{}
	u, ok := r.users[username]
	if !ok {
		return claims
	}
	claims["preferred_username"] = u.Username
	maps.Copy(claims, u.Claims)
	return claims
}

// tokenClaimsLocked are an access token's claims besides the registered ones: its scope,
// the client's extra claims, and the user's claims.
func (r *realm) tokenClaimsLocked(g grant) map[string]any {
	claims := map[string]any{}
	if c, ok := r.clients[g.ClientID]; ok {
		maps.Copy(claims, c.Claims)
	}
	if g.Username != "" {
		maps.Copy(claims, r.userClaimsLocked(g.Username))
	}
	if len(g.Scopes) > 0 {
		claims["scope"] = strings.Join(g.Scopes, " ")
	}
	return claims
}

func (r *realm) GetPrivateClaimsFromRequest(_ context.Context, req op.TokenRequest, _ []string) (map[string]any, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tokenClaimsLocked(grantOf(req)), nil
}

func (r *realm) GetPrivateClaimsFromScopes(_ context.Context, userID, clientID string, scopes []string) (map[string]any, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	g := grant{ClientID: clientID, Subject: userID, Scopes: scopes}
	if _, ok := r.users[userID]; ok {
		g.Username = userID
	}
	return r.tokenClaimsLocked(g), nil
}

// setUserinfoLocked fills userinfo with the user's claims. The emulator gives all of them
// whatever the scopes (profile, email): it is for testing what a gateway does with claims.
func (r *realm) setUserinfoLocked(info *oidc.UserInfo, subject, username string) {
	info.Subject = subject
	if username == "" {
		return
	}
	for k, v := range r.userClaimsLocked(username) {
		info.AppendClaims(k, v)
	}
}

func (r *realm) SetUserinfoFromScopes(_ context.Context, info *oidc.UserInfo, userID, _ string, _ []string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	username := ""
	if _, ok := r.users[userID]; ok {
		username = userID
	}
	r.setUserinfoLocked(info, userID, username)
	return nil
}

func (r *realm) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, req op.IDTokenRequest, _ []string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if g, ok := req.(granted); ok {
		r.setUserinfoLocked(info, g.grantOf().Subject, g.grantOf().Username)
	}
	return nil
}

func (r *realm) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.accessTokens[tokenID]
	if !ok || t.Subject != subject {
		return oidc.ErrAccessDenied().WithDescription("unknown or revoked access token")
	}
	if t.Username == "" {
		return oidc.ErrAccessDenied().WithDescription("the access token has no user")
	}
	if _, ok := r.users[t.Username]; !ok {
		return oidc.ErrAccessDenied().WithDescription("the token's user no longer exists")
	}
	r.setUserinfoLocked(info, subject, t.Username)
	return nil
}

func (r *realm) SetIntrospectionFromToken(_ context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, _ string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.accessTokens[tokenID]
	if !ok || t.Subject != subject {
		return fmt.Errorf("access token %q: %w", tokenID, errNotFound)
	}
	if t.Username != "" {
		if _, ok := r.users[t.Username]; !ok && !t.minted {
			return fmt.Errorf("user %q of access token %q: %w", t.Username, tokenID, errNotFound)
		}
	}
	claims := t.Claims
	if !t.minted {
		claims = r.tokenClaimsLocked(t.grant)
	}
	resp.Claims = maps.Clone(claims)
	delete(resp.Claims, "scope")
	resp.Scope = t.Scopes
	resp.ClientID = t.ClientID
	resp.TokenType = oidc.BearerToken
	resp.Expiration = oidc.FromTime(t.Expiration)
	resp.IssuedAt = oidc.FromTime(t.IssuedAt)
	resp.Subject = t.Subject
	resp.Audience = t.Audience
	resp.Issuer = r.issuer
	resp.JWTID = t.ID
	resp.Username = t.Username
	return nil
}

// GetKeyByIDAndClientID is for the JWT profile grant and private_key_jwt, which the
// emulator's clients do not use.
func (r *realm) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, oidc.ErrInvalidClient().WithDescription("private_key_jwt is not supported")
}

func (r *realm) ValidateJWTProfileScopes(_ context.Context, _ string, scopes []string) ([]string, error) {
	return scopes, nil
}

// opClient is a Client as op sees it.
type opClient struct {
	*Client
	loginURL        string
	idTokenLifetime time.Duration
}

var _ op.Client = (*opClient)(nil)

func (c *opClient) GetID() string                    { return c.ID }
func (c *opClient) RedirectURIs() []string           { return c.Client.RedirectURIs }
func (c *opClient) PostLogoutRedirectURIs() []string { return c.Client.RedirectURIs }
func (c *opClient) ApplicationType() op.ApplicationType {
	if c.Secret == "" {
		return op.ApplicationTypeUserAgent
	}
	return op.ApplicationTypeWeb
}

func (c *opClient) AuthMethod() oidc.AuthMethod {
	if c.Secret == "" {
		return oidc.AuthMethodNone
	}
	return oidc.AuthMethodBasic
}

func (c *opClient) ResponseTypes() []oidc.ResponseType {
	if c.allows(GrantAuthorizationCode) {
		return []oidc.ResponseType{oidc.ResponseTypeCode}
	}
	return nil
}

func (c *opClient) GrantTypes() []oidc.GrantType {
	out := make([]oidc.GrantType, 0, len(c.Client.GrantTypes))
	for _, g := range c.Client.GrantTypes {
		out = append(out, oidc.GrantType(g))
	}
	return out
}

func (c *opClient) LoginURL(id string) string            { return c.loginURL + "?id=" + url.QueryEscape(id) }
func (c *opClient) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeJWT }
func (c *opClient) IDTokenLifetime() time.Duration       { return c.idTokenLifetime }
func (c *opClient) DevMode() bool                        { return true } // http redirect URIs on loopback
func (c *opClient) IsScopeAllowed(scope string) bool     { return c.scopeAllowed(scope) }
func (c *opClient) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *opClient) ClockSkew() time.Duration             { return 0 }
func (c *opClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

func (c *opClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
