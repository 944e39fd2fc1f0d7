package oidcprovider

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// realm is one OpenID provider: its settings, key, clients, users and the tokens it issued,
// and zitadel's op.Provider serving the protocol over them (the realm is its op.Storage).
type realm struct {
	name   string
	issuer string

	mu       sync.Mutex
	settings RealmSettings
	key      *realmKey
	clients  map[string]*Client
	users    map[string]*User
	// authRequests by id, codes to auth request ids, issued access tokens by id (jti) and
	// refresh tokens by value.
	authRequests  map[string]*authRequest
	codes         map[string]string
	accessTokens  map[string]*accessToken
	refreshTokens map[string]*refreshToken

	op      *op.Provider
	handler http.Handler
}

func newRealm(name, issuer string, settings RealmSettings) (*realm, error) {
	key, err := newRealmKey(settings.SigningAlgorithm)
	if err != nil {
		return nil, err
	}
	r := &realm{
		name: name, issuer: issuer, settings: settings, key: key,
		clients: map[string]*Client{}, users: map[string]*User{},
		authRequests: map[string]*authRequest{}, codes: map[string]string{},
		accessTokens: map[string]*accessToken{}, refreshTokens: map[string]*refreshToken{},
	}
	config := &op.Config{
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		GrantTypeRefreshToken:    true,
		DefaultLogoutRedirectURI: issuer + loggedOutPath,
		SupportedClaims:          append(op.DefaultSupportedClaims, "groups", "scope"),
	}
	// The key encrypts nothing the provider hands out (access tokens are JWTs) but op wants one.
	_, _ = rand.Read(config.CryptoKey[:])
	// The emulator serves plain http on loopback, which op refuses unless told.
	r.op, err = op.NewProvider(config, r, op.StaticIssuer(issuer), op.WithAllowInsecure())
	if err != nil {
		return nil, fmt.Errorf("starting the OpenID provider of realm %q: %w", name, err)
	}
	r.handler = r.routes()
	return r, nil
}

// update applies new settings; a new signing algorithm means a new key.
func (r *realm) update(settings RealmSettings) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if settings.SigningAlgorithm != r.settings.SigningAlgorithm {
		key, err := newRealmKey(settings.SigningAlgorithm)
		if err != nil {
			return err
		}
		r.key = key
	}
	r.settings = settings
	return nil
}

func (r *realm) accessTokenLifetime() time.Duration {
	return lifetime(r.settings.AccessTokenLifetime, DefaultAccessTokenLifetime)
}

func (r *realm) idTokenLifetime() time.Duration {
	return lifetime(r.settings.IDTokenLifetime, DefaultIDTokenLifetime)
}

func (r *realm) refreshTokenLifetime() time.Duration {
	return lifetime(r.settings.RefreshTokenLifetime, DefaultRefreshTokenLifetime)
}

// RealmInfo describes a realm (GET /_emulator/oidc/{realm}).
type RealmInfo struct {
	Name string `json:"name"`
	RealmSettings
	Issuer       string `json:"issuer"`
	DiscoveryURL string `json:"discovery_url"`
	JWKSURL      string `json:"jwks_uri"`
	TokenURL     string `json:"token_endpoint"`
	Clients      int    `json:"clients"`
	Users        int    `json:"users"`
}

func (r *realm) info() RealmInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.settings
	s.AccessTokenLifetime = int(r.accessTokenLifetime() / time.Second)
	s.IDTokenLifetime = int(r.idTokenLifetime() / time.Second)
	s.RefreshTokenLifetime = int(r.refreshTokenLifetime() / time.Second)
	return RealmInfo{
		Name: r.name, RealmSettings: s, Issuer: r.issuer,
		DiscoveryURL: r.issuer + "/.well-known/openid-configuration",
		JWKSURL:      r.op.KeysEndpoint().Absolute(r.issuer),
		TokenURL:     r.op.TokenEndpoint().Absolute(r.issuer),
		Clients:      len(r.clients), Users: len(r.users),
	}
}

// pruneLocked drops what has expired, so a long-running emulator does not grow.
func (r *realm) pruneLocked(now time.Time) {
	for id, t := range r.accessTokens {
		if now.After(t.Expiration.Add(time.Hour)) {
			delete(r.accessTokens, id)
		}
	}
	for v, t := range r.refreshTokens {
		if now.After(t.Expiration) {
			delete(r.refreshTokens, v)
		}
	}
	for id, a := range r.authRequests {
		if now.Sub(a.Created) > authRequestLifetime {
			delete(r.authRequests, id)
		}
	}
	for code, id := range r.codes {
		if _, ok := r.authRequests[id]; !ok {
			delete(r.codes, code)
		}
	}
}

// authRequestLifetime is how long a user has to log in, and a code to be exchanged.
const authRequestLifetime = 10 * time.Minute
