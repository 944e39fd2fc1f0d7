// Package client is a Go client for the Konnect API.
//
// The typed models and request functions are generated from openapi.yaml (see generate.go);
// this file and its neighbours add what the generated code leaves out: authentication,
// retries with backoff, typed errors, pagination and redacted debug logging.
//
//	c, err := client.New("https://us.api.konghq.com", client.WithPersonalAccessToken(os.Getenv("KONNECT_TOKEN")))
//	resp, err := c.GetConsumerWithResponse(ctx, cpID, "alice")
//	if client.IsNotFound(err) { ... }
//
// Every call on a Client returns a *APIError for any answer of 400 or above, so callers only
// read the JSON200/JSON201 fields of a response after checking err.
package client

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-cleanhttp"
)

// DefaultUserAgent is sent when WithUserAgent is not used.
const DefaultUserAgent = "konnect-go-client"

// Client is the Konnect API client: the generated typed operations (embedded) sent through a
// transport that authenticates, retries and turns error answers into *APIError.
type Client struct {
	*ClientWithResponses

	serverURL string
	doer      *doer
}

type settings struct {
	token     string
	timeout   time.Duration
	userAgent string
	logger    *slog.Logger
	retry     RetryPolicy
	transport http.RoundTripper
}

// Option configures a Client.
type Option func(*settings) error

// WithPersonalAccessToken authenticates with a personal access token (kpat_...).
func WithPersonalAccessToken(token string) Option { return withToken(token) }

// WithSystemAccountToken authenticates with a system account access token (spat_...).
func WithSystemAccountToken(token string) Option { return withToken(token) }

func withToken(token string) Option {
	return func(s *settings) error {
		if strings.TrimSpace(token) == "" {
			return errors.New("access token is empty")
		}
		s.token = token
		return nil
	}
}

// WithTimeout bounds each single HTTP attempt (retries get their own). The default is 30 seconds.
func WithTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 {
			return fmt.Errorf("timeout must be positive, got %s", d)
		}
		s.timeout = d
		return nil
	}
}

// WithUserAgent sets the User-Agent header of every request.
func WithUserAgent(ua string) Option {
	return func(s *settings) error { s.userAgent = ua; return nil }
}

// WithLogger logs each attempt at debug level: method, URL, status, timing, headers and bodies,
// with the access token redacted. A nil logger turns logging off (the default).
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error { s.logger = l; return nil }
}

// WithRetryPolicy replaces DefaultRetryPolicy.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(s *settings) error {
		if err := p.validate(); err != nil {
			return err
		}
		s.retry = p
		return nil
	}
}

// WithTransport sets the round tripper under the retry layer (for proxies, custom TLS or tests).
func WithTransport(rt http.RoundTripper) Option {
	return func(s *settings) error { s.transport = rt; return nil }
}

// New returns a client for the Konnect API at serverURL, the scheme and host only
// (https://us.api.konghq.com, or http://127.0.0.1:8080 for the emulator): the paths carry /v2.
func New(serverURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(serverURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("server URL %q must be an absolute http or https URL", serverURL)
	}
	s := settings{timeout: 30 * time.Second, userAgent: DefaultUserAgent, retry: DefaultRetryPolicy()}
	for _, o := range opts {
		if err := o(&s); err != nil {
			return nil, fmt.Errorf("configuring Konnect client: %w", err)
		}
	}
	if s.transport == nil {
		s.transport = cleanhttp.DefaultPooledTransport()
	}
	d := &doer{
		http:      &http.Client{Transport: s.transport, Timeout: s.timeout},
		token:     s.token,
		userAgent: s.userAgent,
		logger:    s.logger,
		retry:     s.retry,
	}
	gen, err := NewClientWithResponses(strings.TrimSuffix(serverURL, "/"), WithHTTPClient(d))
	if err != nil {
		return nil, fmt.Errorf("creating Konnect client: %w", err)
	}
	return &Client{ClientWithResponses: gen, serverURL: serverURL, doer: d}, nil
}

// ServerURL is the base URL the client was created with.
func (c *Client) ServerURL() string { return c.serverURL }
