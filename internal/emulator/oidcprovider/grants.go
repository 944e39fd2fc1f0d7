package oidcprovider

import (
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// grant is what a token is issued for: the client, the user (none for client credentials)
// and the scopes. It carries the getters op's TokenRequest and IDTokenRequest ask for.
type grant struct {
	ClientID string
	// Username is the user the token is for; empty for client credentials.
	Username string
	Subject  string
	Audience []string
	Scopes   []string
	AuthTime time.Time
	AMR      []string
}

func (g *grant) GetSubject() string     { return g.Subject }
func (g *grant) GetAudience() []string  { return g.Audience }
func (g *grant) GetScopes() []string    { return g.Scopes }
func (g *grant) GetClientID() string    { return g.ClientID }
func (g *grant) GetAuthTime() time.Time { return g.AuthTime }
func (g *grant) GetAMR() []string       { return g.AMR }

// granted is implemented by every request type the provider hands to op, so the storage
// can find the grant behind a TokenRequest.
type granted interface{ grantOf() *grant }

func (g *grant) grantOf() *grant { return g }

func (g grant) clone() grant {
	g.Audience = slices.Clone(g.Audience)
	g.Scopes = slices.Clone(g.Scopes)
	g.AMR = slices.Clone(g.AMR)
	return g
}

// authRequest is an authorization request waiting for its user to log in (op.AuthRequest).
type authRequest struct {
	grant
	ID            string
	RedirectURI   string
	State         string
	Nonce         string
	ResponseType  oidc.ResponseType
	ResponseMode  oidc.ResponseMode
	CodeChallenge *oidc.CodeChallenge
	Created       time.Time
	done          bool
}

// copy is the request as it is now, for op, which reads it without the realm's lock while
// a login may complete it.
func (a *authRequest) copy() *authRequest {
	c := *a
	c.grant = a.clone()
	if a.CodeChallenge != nil {
		challenge := *a.CodeChallenge
		c.CodeChallenge = &challenge
	}
	return &c
}

func (a *authRequest) GetID() string                         { return a.ID }
func (a *authRequest) GetACR() string                        { return "" }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge { return a.CodeChallenge }
func (a *authRequest) GetNonce() string                      { return a.Nonce }
func (a *authRequest) GetRedirectURI() string                { return a.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType    { return a.ResponseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode    { return a.ResponseMode }
func (a *authRequest) GetState() string                      { return a.State }
func (a *authRequest) Done() bool                            { return a.done }

// refreshToken is an issued refresh token (op.RefreshTokenRequest when presented).
type refreshToken struct {
	grant
	Token      string
	Expiration time.Time
}

func (r *refreshToken) SetCurrentScopes(scopes []string) { r.Scopes = scopes }

// accessToken is an issued access token, kept for introspection and userinfo.
type accessToken struct {
	grant
	ID         string
	IssuedAt   time.Time
	Expiration time.Time
	// Claims, for a minted token, are its claims besides the registered ones; for an
	// issued one they are computed from the grant when asked.
	Claims map[string]any
	minted bool
}
