package datakit

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// This file holds what the data plane supplies to a running flow: small interfaces, each
// documented with the Kong function it stands for, and default implementations the data
// plane may use as they are.

// Request is the client's request as the gateway received it (Datakit's implicit `request`
// node). It is only read.
type Request interface {
	Method() string
	Scheme() string // "http" or "https"
	Port() int      // the port the request came in on
	Path() string   // the normalized path, without the query
	RawPath() string
	Header() http.Header
	Query() url.Values
	// Body is the request body; it is read only when the flow uses request.body.
	Body() ([]byte, error)
}

// ServiceRequest changes the request the upstream receives (the `service_request` node's
// inputs; Kong's kong.service.request.set_header, set_query and set_raw_body). It is written
// at the end of the access phase.
type ServiceRequest interface {
	// SetHeader replaces the header name with values; nil values remove it.
	SetHeader(name string, values []string)
	// SetQuery replaces the whole query string with rawQuery (encoded, without "?").
	SetQuery(rawQuery string)
	// SetBody replaces the body (Content-Length follows it).
	SetBody(body []byte)
}

// ServiceResponse is the upstream's answer (the `service_response` node's outputs).
type ServiceResponse interface {
	Status() int
	Header() http.Header
	Body() ([]byte, error)
}

// Response changes what the client receives (the `response` node's inputs; Kong's
// kong.response.set_status, set_header and set_raw_body). It is written at the end of the
// response phase.
type Response interface {
	SetStatus(status int)
	// SetHeader replaces the header name with values; nil values remove it.
	SetHeader(name string, values []string)
	SetBody(body []byte)
}

// Properties reads and writes Kong properties for the `property` node: kong.ctx.shared.*,
// kong.ctx.plugin.*, kong.client.consumer (the authenticated consumer as an object),
// kong.client.credential, kong.client.ip, kong.request.*, kong.router.route,
// kong.router.service, kong.route_id, kong.service_id, kong.service.target (set only),
// kong.configuration.*. Values are JSON-like: nil, bool, float64, string, []any, map[string]any.
type Properties interface {
	// Get returns the property's value; found is false for a property that is known but
	// unset. An unknown or write-only property is an error.
	Get(name string) (value any, found bool, err error)
	// Set writes the property; a read-only or unknown property is an error.
	Set(name string, value any) error
}

// VaultResolver resolves a `{vault://...}` reference of config.resources.vault (Kong's
// kong.vault.get).
type VaultResolver interface {
	Resolve(ctx context.Context, reference string) (string, error)
}

// Cache is a store for the `cache` node: values are opaque bytes (the engine stores JSON).
type Cache interface {
	Get(ctx context.Context, key string) (value []byte, found bool, err error)
	// Set stores value; ttl 0 keeps it until evicted.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// RedisConfig is config.resources.cache.redis as the engine uses it (a Redis partial is
// resolved into it by the caller before Compile).
type RedisConfig struct {
	Host           string
	Port           int
	Database       int
	Username       string
	Password       string
	SSL            bool
	SSLVerify      bool
	ServerName     string
	ConnectTimeout time.Duration
	ReadTimeout    time.Duration
	SendTimeout    time.Duration
}

// Addr is host:port.
func (c RedisConfig) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

// RedisFactory gives the Redis client for settings; the data plane shares one client per
// settings across requests and snapshots (and closes them itself).
type RedisFactory interface {
	Redis(cfg RedisConfig) (redis.UniversalClient, error)
}

// CallOptions are what a `call` node needs from its transport beyond the request.
type CallOptions struct {
	SSLVerify  bool
	ServerName string   // SNI and the name the certificate is checked against
	Proxy      *url.URL // with user info when the proxy needs basic authentication; nil: direct
}

// Transports gives the round tripper a `call` node sends through. Keep one per options: they
// pool connections.
type Transports interface {
	RoundTripper(opts CallOptions) http.RoundTripper
}

// Env is what one request's run of a flow uses. Request is required; a nil Properties,
// Vault or Redis makes the nodes that need them fail (the data plane should supply them);
// nil Transports and Memory use package defaults.
type Env struct {
	Request        Request
	ServiceRequest ServiceRequest
	Properties     Properties
	Vault          VaultResolver
	Transports     Transports
	// Memory returns the node's memory cache for a dictionary name (config
	// resources.cache.memory.dictionary_name); nil uses the package's shared ones.
	Memory    func(dictionary string) Cache
	Redis     RedisFactory
	RequestID string
	// Observe, when set, is told about each node as it finishes, fails or is skipped, on the
	// run's goroutine; traces use it. Nil costs nothing.
	Observe func(NodeEvent)
}

// DefaultTransports keeps one http.Transport per CallOptions.
type DefaultTransports struct {
	mu sync.Mutex
	m  map[string]*http.Transport
}

// RoundTripper implements Transports.
func (d *DefaultTransports) RoundTripper(opts CallOptions) http.RoundTripper {
	key := fmt.Sprintf("%t|%s|", opts.SSLVerify, opts.ServerName)
	if opts.Proxy != nil {
		key += opts.Proxy.String()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if t, ok := d.m[key]; ok {
		return t
	}
	if d.m == nil {
		d.m = map[string]*http.Transport{}
	}
	t := &http.Transport{
		// call nodes decide their proxy from their inputs only, never from the environment.
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
		TLSClientConfig: &tls.Config{
			InsecureSkipVerify: !opts.SSLVerify, //nolint:gosec // ssl_verify=false is the user's explicit choice
			ServerName:         opts.ServerName,
			MinVersion:         tls.VersionTLS12,
		},
	}
	if opts.Proxy != nil {
		t.Proxy = http.ProxyURL(opts.Proxy)
	}
	d.m[key] = t
	return t
}

var (
	defaultTransports = &DefaultTransports{}
	memoryMu          sync.Mutex
	memoryCaches      = map[string]*MemoryCache{}
)

// SharedMemory is the process-wide memory cache for a dictionary name, like a Kong node's
// shared dictionary.
func SharedMemory(dictionary string) Cache {
	memoryMu.Lock()
	defer memoryMu.Unlock()
	c, ok := memoryCaches[dictionary]
	if !ok {
		c = NewMemoryCache()
		memoryCaches[dictionary] = c
	}
	return c
}

// MemoryCache is an in-process Cache with per-entry expiry.
type MemoryCache struct {
	mu  sync.Mutex
	m   map[string]memoryEntry
	now func() time.Time
}

type memoryEntry struct {
	value   []byte
	expires time.Time // zero: never
}

// memoryPurgeAt is the entry count from which a Set first drops expired entries.
const memoryPurgeAt = 4096

// NewMemoryCache is an empty MemoryCache.
func NewMemoryCache() *MemoryCache {
	return &MemoryCache{m: map[string]memoryEntry{}, now: time.Now}
}

// Get implements Cache.
func (c *MemoryCache) Get(_ context.Context, key string) ([]byte, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok {
		return nil, false, nil
	}
	if !e.expires.IsZero() && !c.now().Before(e.expires) {
		delete(c.m, key)
		return nil, false, nil
	}
	return e.value, true, nil
}

// Set implements Cache.
func (c *MemoryCache) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if len(c.m) >= memoryPurgeAt { // drop what has expired before growing further
		for k, old := range c.m {
			if !old.expires.IsZero() && !now.Before(old.expires) {
				delete(c.m, k)
			}
		}
	}
	e := memoryEntry{value: value}
	if ttl > 0 {
		e.expires = now.Add(ttl)
	}
	c.m[key] = e
	return nil
}

// redisCache is a Cache on a go-redis client.
type redisCache struct{ c redis.UniversalClient }

func (r redisCache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	v, err := r.c.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("redis GET: %w", err)
	}
	return v, true, nil
}

func (r redisCache) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := r.c.Set(ctx, key, value, ttl).Err(); err != nil {
		return fmt.Errorf("redis SET: %w", err)
	}
	return nil
}

// DefaultRedis opens one go-redis client per settings and keeps it until Close.
type DefaultRedis struct {
	mu sync.Mutex
	m  map[RedisConfig]*redis.Client
}

// Redis implements RedisFactory.
func (d *DefaultRedis) Redis(cfg RedisConfig) (redis.UniversalClient, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if c, ok := d.m[cfg]; ok {
		return c, nil
	}
	if d.m == nil {
		d.m = map[RedisConfig]*redis.Client{}
	}
	opts := &redis.Options{
		Addr: cfg.Addr(), DB: cfg.Database, Username: cfg.Username, Password: cfg.Password,
		DialTimeout: cfg.ConnectTimeout, ReadTimeout: cfg.ReadTimeout, WriteTimeout: cfg.SendTimeout,
	}
	if cfg.SSL {
		opts.TLSConfig = &tls.Config{InsecureSkipVerify: !cfg.SSLVerify, ServerName: cfg.ServerName, MinVersion: tls.VersionTLS12} //nolint:gosec // the user's ssl_verify
	}
	c := redis.NewClient(opts)
	d.m[cfg] = c
	return c, nil
}

// Close closes every client it opened.
func (d *DefaultRedis) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var first error
	for k, c := range d.m {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
		delete(d.m, k)
	}
	return first
}

var _ io.Closer = (*DefaultRedis)(nil)

// EnvVault resolves `{vault://env/<name>}` references as Kong's env vault does: the variable
// is the name upper-cased with dashes as underscores; `{vault://env/<name>/<key>}` reads a
// JSON object in the variable and takes its key.
type EnvVault struct{}

// Resolve implements VaultResolver.
func (EnvVault) Resolve(_ context.Context, ref string) (string, error) {
	inner, ok := strings.CutPrefix(ref, "{vault://env/")
	if !ok || !strings.HasSuffix(inner, "}") {
		return "", fmt.Errorf("unsupported vault reference %q", ref)
	}
	inner = strings.TrimSuffix(inner, "}")
	name, key, _ := strings.Cut(inner, "/")
	v, ok := os.LookupEnv(strings.ToUpper(strings.ReplaceAll(name, "-", "_")))
	if !ok {
		return "", fmt.Errorf("vault reference %q: environment variable not found", ref)
	}
	if key == "" {
		return v, nil
	}
	obj, err := decodeJSON([]byte(v))
	if m, isMap := obj.(map[string]any); err == nil && isMap {
		if s, isStr := m[key].(string); isStr {
			return s, nil
		}
	}
	return "", fmt.Errorf("vault reference %q: key %q not found", ref, key)
}

// HTTPRequest adapts a *http.Request to Request; scheme and port are those the request came
// in on. The body is read once, on first use, and put back for the proxy.
func HTTPRequest(r *http.Request, scheme string, port int) Request {
	return &httpRequest{r: r, scheme: scheme, port: port}
}

type httpRequest struct {
	r      *http.Request
	scheme string
	port   int
	once   sync.Once
	body   []byte
	err    error
}

func (h *httpRequest) Method() string      { return h.r.Method }
func (h *httpRequest) Scheme() string      { return h.scheme }
func (h *httpRequest) Port() int           { return h.port }
func (h *httpRequest) Path() string        { return h.r.URL.Path }
func (h *httpRequest) RawPath() string     { return h.r.URL.EscapedPath() }
func (h *httpRequest) Header() http.Header { return h.r.Header }
func (h *httpRequest) Query() url.Values   { return h.r.URL.Query() }
func (h *httpRequest) Body() ([]byte, error) {
	h.once.Do(func() {
		if h.r.Body == nil {
			return
		}
		h.body, h.err = io.ReadAll(h.r.Body)
		_ = h.r.Body.Close()
		h.r.Body = io.NopCloser(strings.NewReader(string(h.body)))
	})
	return h.body, h.err
}

// HTTPServiceRequest adapts the request the proxy will send upstream to ServiceRequest.
func HTTPServiceRequest(r *http.Request) ServiceRequest { return httpServiceRequest{r} }

type httpServiceRequest struct{ r *http.Request }

func (h httpServiceRequest) SetHeader(name string, values []string) {
	key := http.CanonicalHeaderKey(name)
	if key == "Host" && len(values) > 0 {
		h.r.Host = values[0]
	}
	if values == nil {
		h.r.Header.Del(key)
		return
	}
	h.r.Header[key] = values
}

func (h httpServiceRequest) SetQuery(rawQuery string) { h.r.URL.RawQuery = rawQuery }

func (h httpServiceRequest) SetBody(b []byte) {
	h.r.Body = io.NopCloser(bytes.NewReader(b))
	h.r.ContentLength = int64(len(b))
	h.r.Header.Set("Content-Length", strconv.Itoa(len(b)))
}

// Answer is an upstream answer held in memory. It is both the ServiceResponse a flow reads
// and the Response it writes (the writes come after every read), so the gateway passes it
// twice to Run.Response and then sends its Status, Header and Bytes.
type Answer struct {
	status int
	header http.Header
	body   []byte
}

// NewAnswer holds an answer; header is used (and changed) in place.
func NewAnswer(status int, header http.Header, body []byte) *Answer {
	if header == nil {
		header = http.Header{}
	}
	return &Answer{status: status, header: header, body: body}
}

func (a *Answer) Status() int           { return a.status }
func (a *Answer) Header() http.Header   { return a.header }
func (a *Answer) Body() ([]byte, error) { return a.body, nil }
func (a *Answer) Bytes() []byte         { return a.body }
func (a *Answer) SetStatus(s int)       { a.status = s }
func (a *Answer) SetBody(b []byte) {
	a.body = b
	if a.header.Get("Content-Length") != "" {
		a.header.Set("Content-Length", strconv.Itoa(len(b)))
	}
}

func (a *Answer) SetHeader(name string, values []string) {
	if values == nil {
		a.header.Del(name)
		return
	}
	a.header[http.CanonicalHeaderKey(name)] = values
}

// PropertyTable is a Properties built from a table: exact names with a getter and/or a
// setter (kong.client.consumer, kong.service.target...), and prefixes whose rest is a key of
// a map read and written in place (kong.ctx.shared. -> the request's shared map).
type PropertyTable struct {
	Getters  map[string]func() (any, bool)
	Setters  map[string]func(any) error
	Prefixed map[string]map[string]any
}

// Get implements Properties.
func (p PropertyTable) Get(name string) (any, bool, error) {
	if get, ok := p.Getters[name]; ok {
		v, found := get()
		return v, found, nil
	}
	for prefix, m := range p.Prefixed {
		if key, ok := strings.CutPrefix(name, prefix); ok && key != "" {
			v, found := m[key]
			return v, found, nil
		}
	}
	if _, ok := p.Setters[name]; ok {
		return nil, false, fmt.Errorf("property %q can only be set", name)
	}
	return nil, false, fmt.Errorf("unknown property %q", name)
}

// Set implements Properties.
func (p PropertyTable) Set(name string, v any) error {
	if set, ok := p.Setters[name]; ok {
		return set(v)
	}
	for prefix, m := range p.Prefixed {
		if key, ok := strings.CutPrefix(name, prefix); ok && key != "" && m != nil {
			m[key] = v
			return nil
		}
	}
	if _, ok := p.Getters[name]; ok {
		return fmt.Errorf("property %q is read-only", name)
	}
	return fmt.Errorf("unknown property %q", name)
}
