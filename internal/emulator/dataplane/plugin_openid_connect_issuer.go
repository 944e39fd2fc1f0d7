package dataplane

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/sync/singleflight"
)

// oidcIssuer is one openid-connect instance's view of its identity provider: the discovery
// document and the JWKS (cached by go-oidc's remote key set, which fetches the keys again
// when a token names a key it does not have). It outlives snapshots (it is a proxy resource
// keyed by plugin id and issuer), so a configuration change elsewhere does not rediscover
// the provider.
type oidcIssuer struct {
	issuerURL string // as configured
	client    *http.Client
	headers   http.Header // discovery_headers_names/_values

	// fetching shares one discovery fetch among the requests that need it at once.
	fetching singleflight.Group

	mu sync.Mutex
	// discovered is nil until discovery succeeded; a failed discovery is tried again after
	// rediscoverAfter.
	discovered  *oidcDiscovery
	failedAt    time.Time
	lastFailure error
}

// oidcDiscovery is what the plugin uses of a provider's discovery document, and the
// go-oidc provider made from it.
type oidcDiscovery struct {
	Issuer                        string   `json:"issuer"`
	AuthorizationEndpoint         string   `json:"authorization_endpoint"`
	TokenEndpoint                 string   `json:"token_endpoint"`
	IntrospectionEndpoint         string   `json:"introspection_endpoint"`
	UserinfoEndpoint              string   `json:"userinfo_endpoint"`
	JWKSURI                       string   `json:"jwks_uri"`
	CodeChallengeMethodsSupported []string `json:"code_challenge_methods_supported"`

	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
}

// rediscoverAfter is how long a failed discovery is remembered before a request tries
// again: short, so that a provider started after the plugin (a realm created later in a
// test) is found at once, without hammering one that is down.
const rediscoverAfter = time.Second

// wellKnownSuffix is what Kong strips from an issuer given as its discovery URL.
const wellKnownSuffix = "/.well-known/openid-configuration"

func newOIDCIssuer(issuerURL string, timeout time.Duration, headers http.Header) (*oidcIssuer, error) {
	return &oidcIssuer{issuerURL: issuerURL, client: &http.Client{Timeout: timeout}, headers: headers}, nil
}

// sessionSecret encrypts session and authorization cookies when session_secret is not set.
type sessionSecret []byte

func newSessionSecret() (*sessionSecret, error) {
	s := make(sessionSecret, 32)
	if _, err := rand.Read(s); err != nil {
		return nil, fmt.Errorf("making a session secret: %w", err)
	}
	return &s, nil
}

// Close is for the proxy's resources; there is nothing to release.
func (*sessionSecret) Close() error { return nil }

// Close is for the proxy's resources; there is nothing to release.
func (*oidcIssuer) Close() error { return nil }

// discoveryURL is where the discovery document is: the issuer with the well-known path, or
// the issuer itself when it is already that URL (Kong accepts both).
func (i *oidcIssuer) discoveryURL() string {
	u := strings.TrimRight(i.issuerURL, "/")
	if strings.HasSuffix(u, wellKnownSuffix) {
		return u
	}
	return u + wellKnownSuffix
}

// discover returns the provider's metadata, fetching it on first use. Requests arriving
// during the fetch wait for it, each no longer than its own context allows.
func (i *oidcIssuer) discover(ctx context.Context) (*oidcDiscovery, error) {
	if d, known, err := i.known(); known {
		return d, err
	}
	wait := i.fetching.DoChan("discovery", func() (any, error) {
		if d, known, err := i.known(); known {
			return d, err // fetched while this request was deciding to fetch
		}
		// The fetch is shared, so no one request's context may cancel it: the client's
		// timeout bounds it.
		d, err := i.fetchDiscovery(context.Background())
		i.mu.Lock()
		defer i.mu.Unlock()
		if err != nil {
			i.lastFailure, i.failedAt = err, time.Now()
			return nil, err
		}
		i.discovered, i.lastFailure = d, nil
		return d, nil
	})
	select {
	case res := <-wait:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*oidcDiscovery), nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for the discovery document of %s: %w", i.issuerURL, context.Cause(ctx))
	}
}

// known is the outcome of an earlier discovery, when there is one to use: the document, or
// a failure recent enough not to try again yet.
func (i *oidcIssuer) known() (*oidcDiscovery, bool, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.discovered != nil {
		return i.discovered, true, nil
	}
	if i.lastFailure != nil && time.Since(i.failedAt) < rediscoverAfter {
		return nil, true, i.lastFailure
	}
	return nil, false, nil
}

func (i *oidcIssuer) fetchDiscovery(ctx context.Context) (*oidcDiscovery, error) {
	url := i.discoveryURL()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("discovery URL %s: %w", url, err)
	}
	for k, v := range i.headers {
		req.Header[k] = v
	}
	var d oidcDiscovery
	if err := i.fetchJSON(req, &d); err != nil {
		return nil, fmt.Errorf("the discovery document: %w", err)
	}
	if d.Issuer == "" {
		// Kong falls back on the configured issuer, without the well-known path.
		d.Issuer = strings.TrimSuffix(strings.TrimRight(i.issuerURL, "/"), wellKnownSuffix)
	}
	// The provider is built from the document as read: go-oidc's own discovery insists that
	// the document's issuer equal the URL it was fetched from, which Kong does not.
	d.provider = (&oidc.ProviderConfig{
		IssuerURL: d.Issuer, AuthURL: d.AuthorizationEndpoint, TokenURL: d.TokenEndpoint,
		UserInfoURL: d.UserinfoEndpoint, JWKSURL: d.JWKSURI,
	}).NewProvider(oidc.ClientContext(context.Background(), i.client))
	d.verifier = d.provider.Verifier(&oidc.Config{
		// The audience, expiry, not-before and required claims are checked by the plugin, in
		// Kong's way and with its words; go-oidc checks the signature (JWKS) and the issuer.
		SkipClientIDCheck: true,
		SkipExpiryCheck:   true,
		SupportedSigningAlgs: []string{oidc.RS256, oidc.RS384, oidc.RS512, oidc.ES256, oidc.ES384, oidc.ES512,
			oidc.PS256, oidc.PS384, oidc.PS512, oidc.EdDSA},
	})
	return &d, nil
}

// maxProviderAnswer bounds what is read of a provider's answer.
const maxProviderAnswer = 1 << 20

// fetchJSON sends a request to the provider with the instance's client and decodes its 200
// answer's JSON into into; any other status is an error that quotes the answer.
func (i *oidcIssuer) fetchJSON(req *http.Request, into any) error {
	endpoint := req.URL.Redacted()
	req.Header.Set("Accept", "application/json")
	resp, err := i.client.Do(req)
	if err != nil {
		return fmt.Errorf("calling %s: %w", endpoint, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxProviderAnswer))
	if err != nil {
		return fmt.Errorf("reading the answer of %s: %w", endpoint, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %d: %s", endpoint, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	if err := json.Unmarshal(body, into); err != nil {
		return fmt.Errorf("the answer of %s is not the JSON expected: %w", endpoint, err)
	}
	return nil
}

// httpContext is a context for calls to the provider: go-oidc and x/oauth2 use the
// instance's client (plain HTTP on loopback is fine).
func (i *oidcIssuer) httpContext(parent context.Context) context.Context {
	return oidc.ClientContext(parent, i.client)
}
