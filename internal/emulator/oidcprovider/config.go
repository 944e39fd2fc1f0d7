package oidcprovider

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Signing algorithms a realm can sign its tokens with.
const (
	RS256 = "RS256"
	ES256 = "ES256"
)

// Grant types a client can be allowed.
const (
	GrantClientCredentials = "client_credentials"
	GrantPassword          = "password"
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
)

// allGrantTypes is what a client is allowed when its grant_types are not given.
var allGrantTypes = []string{GrantClientCredentials, GrantPassword, GrantAuthorizationCode, GrantRefreshToken}

// Default lifetimes, used when a realm leaves them at zero.
const (
	DefaultAccessTokenLifetime  = time.Hour
	DefaultIDTokenLifetime      = time.Hour
	DefaultRefreshTokenLifetime = 24 * time.Hour
)

// RealmSettings configure a realm (PUT /_emulator/oidc/{realm}). Lifetimes are in seconds;
// zero takes the default.
type RealmSettings struct {
	// SigningAlgorithm is RS256 (the default) or ES256.
	SigningAlgorithm     string `json:"signing_algorithm,omitempty"`
	AccessTokenLifetime  int    `json:"access_token_lifetime,omitempty"`
	IDTokenLifetime      int    `json:"id_token_lifetime,omitempty"`
	RefreshTokenLifetime int    `json:"refresh_token_lifetime,omitempty"`
}

// Client is an OAuth 2.0 client of a realm (PUT /_emulator/oidc/{realm}/clients/{client_id}).
type Client struct {
	ID string `json:"client_id"`
	// Secret authenticates the client (HTTP Basic or client_secret in the form); a client
	// without one is public: it can only use the authorization code flow, with PKCE.
	Secret string `json:"client_secret,omitempty"`
	// RedirectURIs are the exact redirect_uri values the authorization endpoint accepts.
	RedirectURIs []string `json:"redirect_uris,omitempty"`
	// GrantTypes the client may use; empty means all four (a public client: authorization_code
	// and refresh_token).
	GrantTypes []string `json:"grant_types,omitempty"`
	// Scopes the client may ask for besides OpenID's own (openid, profile, email, phone,
	// address, offline_access); empty means any. A token request without scope gets these.
	Scopes []string `json:"scopes,omitempty"`
	// Audience is the aud of the client's access tokens; empty means [client_id].
	Audience []string `json:"audience,omitempty"`
	// Claims are added to every access token the client gets (a user's claims win).
	Claims map[string]any `json:"claims,omitempty"`
}

// User is a user of a realm (PUT /_emulator/oidc/{realm}/users/{username}). The user's
// subject (sub) is the username.
type User struct {
	Username string `json:"username"`
	Password string `json:"password,omitempty"`
	// Claims go into the user's access tokens, ID tokens, userinfo and introspection answers
	// (email, name, groups, any custom claim). Registered claims (iss, sub, aud, exp, iat,
	// nbf, jti, client_id, scope) cannot be set here.
	Claims map[string]any `json:"claims,omitempty"`
}

// registeredClaims are set by the provider itself; configuration cannot override them.
var registeredClaims = []string{"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id", "scope", "azp", "auth_time", "nonce", "at_hash", "c_hash", "amr", "acr"}

// namePattern is what realm names, client ids and usernames may look like: they are path
// segments of URLs.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$`)

func validName(kind, name string) error {
	if !namePattern.MatchString(name) {
		return fmt.Errorf("%s %q: use 1 to 128 letters, digits and . _ @ + - (starting with a letter or digit)", kind, name)
	}
	return nil
}

func (s *RealmSettings) normalize() error {
	switch s.SigningAlgorithm {
	case "":
		s.SigningAlgorithm = RS256
	case RS256, ES256:
	default:
		return fmt.Errorf("signing_algorithm %q: must be RS256 or ES256", s.SigningAlgorithm)
	}
	for name, v := range map[string]int{"access_token_lifetime": s.AccessTokenLifetime, "id_token_lifetime": s.IDTokenLifetime, "refresh_token_lifetime": s.RefreshTokenLifetime} {
		if v < 0 {
			return fmt.Errorf("%s: must be a number of seconds, 0 or more (0: the default)", name)
		}
	}
	return nil
}

func lifetime(seconds int, def time.Duration) time.Duration {
	if seconds <= 0 {
		return def
	}
	return time.Duration(seconds) * time.Second
}

func (c *Client) normalize() error {
	if err := validName("client_id", c.ID); err != nil {
		return err
	}
	for _, u := range c.RedirectURIs {
		parsed, err := url.Parse(u)
		if err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") || parsed.Host == "" {
			return fmt.Errorf("redirect_uris: %q is not an absolute http or https URL", u)
		}
		if parsed.Fragment != "" {
			return fmt.Errorf("redirect_uris: %q must not have a fragment", u)
		}
	}
	switch {
	case len(c.GrantTypes) > 0:
	case c.Secret == "":
		c.GrantTypes = []string{GrantAuthorizationCode, GrantRefreshToken}
	default:
		c.GrantTypes = slices.Clone(allGrantTypes)
	}
	for _, g := range c.GrantTypes {
		if !slices.Contains(allGrantTypes, g) {
			return fmt.Errorf("grant_types: %q is not one of %s", g, strings.Join(allGrantTypes, ", "))
		}
	}
	if c.Secret == "" {
		for _, g := range c.GrantTypes {
			if g == GrantClientCredentials || g == GrantPassword {
				return fmt.Errorf("grant_types: %s needs a client_secret (a client without one is public)", g)
			}
		}
	}
	for _, s := range c.Scopes {
		if s == "" || strings.ContainsAny(s, " \t\n\"\\") {
			return fmt.Errorf("scopes: %q is not a scope (no spaces, quotes or backslashes)", s)
		}
	}
	for _, a := range c.Audience {
		if a == "" {
			return errors.New("audience: an empty string is not an audience")
		}
	}
	return checkClaims(c.Claims)
}

func (u *User) normalize() error {
	if err := validName("username", u.Username); err != nil {
		return err
	}
	return checkClaims(u.Claims)
}

func checkClaims(claims map[string]any) error {
	for k := range claims {
		if slices.Contains(registeredClaims, k) {
			return fmt.Errorf("claims: %q is set by the provider and cannot be configured", k)
		}
		if k == "" {
			return errors.New("claims: a claim needs a name")
		}
	}
	return nil
}

// audience is the aud of the client's access tokens.
func (c *Client) audience() []string {
	if len(c.Audience) > 0 {
		return slices.Clone(c.Audience)
	}
	return []string{c.ID}
}

func (c *Client) allows(grant string) bool { return slices.Contains(c.GrantTypes, grant) }

// standardScopes are OpenID Connect's own scopes; any client may ask for them.
var standardScopes = []string{"openid", "profile", "email", "phone", "address", "offline_access"}

func (c *Client) scopeAllowed(scope string) bool {
	return len(c.Scopes) == 0 || slices.Contains(c.Scopes, scope) || slices.Contains(standardScopes, scope)
}

// grantedScopes checks the requested scopes; none requested grants the client's scopes.
func (c *Client) grantedScopes(requested []string) ([]string, error) {
	if len(requested) == 0 {
		return slices.Clone(c.Scopes), nil
	}
	for _, s := range requested {
		if !c.scopeAllowed(s) {
			return nil, fmt.Errorf("scope %q is not allowed for client %q", s, c.ID)
		}
	}
	return slices.Clone(requested), nil
}
