package datakit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/itchyny/gojq"
)

// executor runs one node for one request with its gathered inputs and returns its output
// (an object node's output is a map of its fields; an exit node's is an *Exit).
type executor interface {
	run(ctx context.Context, r *Run, in input) (any, error)
}

type executorFunc func(ctx context.Context, r *Run, in input) (any, error)

func (e executorFunc) run(ctx context.Context, r *Run, in input) (any, error) { return e(ctx, r, in) }

// newExecutor builds node n's executor, with the checks Kong makes on its fields when the
// plugin is written.
func newExecutor(f *Flow, n *node) (executor, error) {
	fail := func(field, msg string, args ...any) error {
		return &ConfigError{Index: n.index, Node: n.name, Field: field, Message: fmt.Sprintf(msg, args...)}
	}
	m := n.cfg
	connected := func(field string) bool {
		_, ok := f.slots[n.index][field]
		return ok || f.slots[n.index][""] != nil
	}
	switch n.typ {
	case "static":
		values := m["values"]
		return executorFunc(func(context.Context, *Run, input) (any, error) { return values, nil }), nil
	case "jq":
		q, err := gojq.Parse(m["jq"].(string))
		if err != nil {
			return nil, fail("jq", "invalid jq filter: %v", err)
		}
		// No WithEnvironLoader: a filter's $ENV and env must not read the gateway's variables.
		code, err := gojq.Compile(q)
		if err != nil {
			return nil, fail("jq", "invalid jq filter: %v", err)
		}
		return &jqNode{code: code, fields: f.slots[n.index]}, nil
	case "call":
		return newCall(n, connected("url"), fail)
	case "exit":
		return &exitNode{status: int(m["status"].(float64))}, nil
	case "property":
		p := &propertyNode{name: m["property"].(string), nonNil: m["non_nil"].(bool), set: f.slots[n.index][""] != nil}
		p.contentType, _ = m["content_type"].(string)
		return p, nil
	case "branch":
		if f.slots[n.index][""] == nil {
			return nil, fail("input", "a branch node needs an input (its condition)")
		}
		return executorFunc(func(_ context.Context, _ *Run, in input) (any, error) {
			b, ok := in.self.(bool)
			if !ok {
				return nil, fmt.Errorf("branch condition must be a boolean, got %s", typeName(in.self))
			}
			return b, nil
		}), nil
	case "cache":
		c := &cacheNode{cfg: f.cache}
		if c.cfg.strategy == "" { // no resources.cache: Kong's defaults (memory, kong_db_cache)
			c.cfg = cacheConfig{strategy: "memory", dictionary: "kong_db_cache"}
		}
		if ttl, ok := m["ttl"].(float64); ok {
			c.ttl = time.Duration(ttl) * time.Second
		}
		c.bypass, _ = m["bypass_on_error"].(bool)
		if !connected("key") {
			return nil, fail("inputs.key", "required: a cache node needs a key input")
		}
		return c, nil
	case "json_to_xml":
		return newJSONToXML(m, f.slots[n.index], fail)
	case "xml_to_json":
		return newXMLToJSON(m, fail)
	case "jwt_decode":
		return executorFunc(runJWTDecode), nil
	case "jwt_sign":
		return newJWTSign(m, fail)
	case "jwt_verify":
		return newJWTVerify(m, fail)
	}
	return nil, fail("type", "unsupported node type %q", n.typ)
}

type jqNode struct {
	code   *gojq.Code
	fields map[string]*conn
}

func (j *jqNode) run(ctx context.Context, _ *Run, in input) (any, error) {
	var v any
	switch {
	case in.hasSelf:
		v = in.self
	case len(j.fields) > 0:
		obj := make(map[string]any, len(j.fields))
		for k := range j.fields {
			obj[k] = in.fields[k]
		}
		v = obj
	}
	iter := j.code.RunWithContext(ctx, v)
	var out []any
	for {
		x, ok := iter.Next()
		if !ok {
			break
		}
		if err, isErr := x.(error); isErr {
			var halt *gojq.HaltError
			if errors.As(err, &halt) && halt.Value() == nil {
				break
			}
			return nil, fmt.Errorf("jq: %w", err)
		}
		out = append(out, fromJQ(x))
	}
	switch len(out) {
	case 0:
		return nil, nil
	case 1:
		return out[0], nil
	}
	return out, nil
}

var methodRe = regexp.MustCompile(`^[A-Z]+$`)

// defaultCallTimeout is used when a call node sets no timeout (lua-resty-http's default).
const defaultCallTimeout = 60 * time.Second

type callNode struct {
	method     string
	url        string
	timeout    time.Duration
	sslVerify  bool
	serverName string
}

func newCall(n *node, urlInput bool, fail func(string, string, ...any) error) (executor, error) {
	m := n.cfg
	c := &callNode{method: m["method"].(string), sslVerify: m["ssl_verify"].(bool), timeout: defaultCallTimeout}
	if !methodRe.MatchString(c.method) {
		return nil, fail("method", "invalid method %q: must contain only uppercase letters", c.method)
	}
	c.url, _ = m["url"].(string)
	c.serverName, _ = m["ssl_server_name"].(string)
	if t, ok := m["timeout"].(float64); ok && t > 0 {
		c.timeout = time.Duration(t) * time.Millisecond
	}
	if c.url == "" && !urlInput {
		return nil, fail("url", "required field missing")
	}
	if c.url != "" {
		if err := checkURL(c.url); err != nil {
			return nil, fail("url", "%v", err)
		}
	}
	return c, nil
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("invalid URL %q: expected http(s)://host[:port][/path]", s)
	}
	return nil
}

// maxCallBody bounds what a call node reads of an answer.
const maxCallBody = 64 << 20

// target is the URL a call goes to: its url, or its url input, with its query input merged.
func (c *callNode) target(in input) (*url.URL, error) {
	target := c.url
	if v, ok := in.field("url"); ok && v != nil {
		s, err := asString(v)
		if err != nil {
			return nil, fmt.Errorf("invalid url input: %w", err)
		}
		if err := checkURL(s); err != nil {
			return nil, err
		}
		target = s
	}
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("invalid URL: %w", err)
	}
	if v, ok := in.field("query"); ok && v != nil {
		q, err := asQuery(v)
		if err != nil {
			return nil, err
		}
		merged := parseQueryArgs(u.RawQuery)
		merged.merge(q)
		u.RawQuery = merged.encode()
	}
	return u, nil
}

// callStatusError is a call answered outside 2xx; its text is the line Kong logs.
type callStatusError struct{ status int }

func (e *callStatusError) Error() string { return fmt.Sprintf("non-2XX response code: %d", e.status) }

func (c *callNode) run(ctx context.Context, r *Run, in input) (any, error) {
	u, err := c.target(in)
	if err != nil {
		return nil, err
	}
	var headers map[string]any
	if v, ok := in.field("headers"); ok && v != nil {
		if headers, err = asHeaderMap(v); err != nil {
			return nil, err
		}
	}
	var body []byte
	ctype := ""
	if v, ok := in.field("body"); ok && v != nil {
		if body, ctype, err = encodeBody(v, headers); err != nil {
			return nil, err
		}
	}
	opts := CallOptions{SSLVerify: c.sslVerify, ServerName: c.serverName}
	if opts.Proxy, err = proxyFrom(in, u.Scheme); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, c.method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("invalid request: %w", err)
	}
	if body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	req.Header = headerFrom(headers)
	if host := req.Header.Get("Host"); host != "" {
		req.Host = host
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	transports := r.env.Transports
	if transports == nil {
		transports = defaultTransports
	}
	client := &http.Client{Transport: transports.RoundTripper(opts),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) { // the URL may carry secrets: report the cause only
			err = ue.Err
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, errors.New("timeout")
		}
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxCallBody))
	if err != nil {
		return nil, fmt.Errorf("reading the response: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &callStatusError{resp.StatusCode}
	}
	var decoded any
	if len(raw) > 0 && isJSONType(resp.Header.Get("Content-Type")) {
		if decoded, err = decodeJSON(raw); err != nil {
			return nil, fmt.Errorf("invalid JSON response body: %w", err)
		}
	} else {
		decoded = decodeBody(raw, "", false)
	}
	return map[string]any{"body": decoded, "headers": headerMap(resp.Header), "status": float64(resp.StatusCode), "raw_body": string(raw)}, nil
}

// proxyFrom is the forward proxy a call's inputs name for its URL's scheme.
func proxyFrom(in input, scheme string) (*url.URL, error) {
	v, ok := in.field(scheme + "_proxy")
	if !ok || v == nil {
		return nil, nil
	}
	s, err := asString(v)
	if err != nil {
		return nil, fmt.Errorf("invalid %s_proxy: %w", scheme, err)
	}
	p, err := url.Parse(s)
	if err != nil || p.Host == "" {
		return nil, fmt.Errorf("invalid %s_proxy URL", scheme)
	}
	user, _ := in.field("proxy_auth_username")
	pass, _ := in.field("proxy_auth_password")
	if us, ok := user.(string); ok && us != "" {
		ps, _ := pass.(string)
		p.User = url.UserPassword(us, ps)
	}
	return p, nil
}

type exitNode struct{ status int }

func (e *exitNode) run(_ context.Context, _ *Run, in input) (any, error) {
	out := &Exit{Status: e.status, Header: http.Header{}}
	var headers map[string]any
	if v, ok := in.field("headers"); ok && v != nil {
		h, err := asHeaderMap(v)
		if err != nil {
			return nil, err
		}
		headers = h
		out.Header = headerFrom(h)
	}
	if v, ok := in.field("body"); ok && v != nil {
		b, ctype, err := encodeBody(v, headers)
		if err != nil {
			return nil, err
		}
		if ctype != "" {
			out.Header.Set("Content-Type", ctype)
		}
		out.Body = b
	}
	return out, nil
}

type propertyNode struct {
	name        string
	contentType string
	nonNil      bool
	set         bool
}

func (p *propertyNode) run(_ context.Context, r *Run, in input) (any, error) {
	props := r.env.Properties
	if props == nil {
		return nil, fmt.Errorf("property %q is not available", p.name)
	}
	if p.set {
		v := in.self
		if p.nonNil && v == nil {
			return nil, fmt.Errorf("property %q: the value to set is null", p.name)
		}
		stored := v
		if p.contentType == "application/json" {
			b, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("property %q: %w", p.name, err)
			}
			stored = string(b)
		}
		if err := props.Set(p.name, stored); err != nil {
			return nil, err
		}
		return v, nil
	}
	v, found, err := props.Get(p.name)
	if err != nil {
		return nil, err
	}
	if !found {
		v = nil
	}
	if s, ok := v.(string); ok && p.contentType == "application/json" {
		if v, err = decodeJSON([]byte(s)); err != nil {
			return nil, fmt.Errorf("property %q is not JSON: %w", p.name, err)
		}
	}
	if p.nonNil && v == nil {
		return nil, fmt.Errorf("property %q is not set", p.name)
	}
	return v, nil
}

type cacheNode struct {
	cfg    cacheConfig
	ttl    time.Duration
	bypass bool
}

func (c *cacheNode) store(r *Run) (Cache, error) {
	if c.cfg.strategy == "redis" {
		if r.env.Redis == nil {
			return nil, errors.New("no Redis client is available")
		}
		cl, err := r.env.Redis.Redis(c.cfg.redis)
		if err != nil {
			return nil, fmt.Errorf("redis: %w", err)
		}
		return redisCache{cl}, nil
	}
	if r.env.Memory != nil {
		return r.env.Memory(c.cfg.dictionary), nil
	}
	return SharedMemory(c.cfg.dictionary), nil
}

func (c *cacheNode) run(ctx context.Context, r *Run, in input) (any, error) {
	kv, _ := in.field("key")
	if kv == nil {
		return nil, errors.New("cache key is missing")
	}
	key, err := asString(kv)
	if err != nil {
		return nil, fmt.Errorf("invalid cache key: %w", err)
	}
	ttl := c.ttl
	if v, ok := in.field("ttl"); ok && v != nil {
		secs, err := asNumber(v)
		if err != nil {
			return nil, fmt.Errorf("invalid cache ttl: %w", err)
		}
		ttl = time.Duration(secs * float64(time.Second))
	}
	store, err := c.store(r)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"hit": false, "miss": false, "stored": false, "data": nil}
	if data, _ := in.field("data"); data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return nil, fmt.Errorf("cache data: %w", err)
		}
		if err := store.Set(ctx, key, b, ttl); err != nil {
			if !c.bypass {
				return nil, err
			}
			return out, nil
		}
		out["stored"], out["data"] = true, data
		return out, nil
	}
	b, found, err := store.Get(ctx, key)
	if err != nil && !c.bypass {
		return nil, err
	}
	if err != nil || !found {
		out["miss"] = true
		return out, nil //nolint:nilerr // bypass_on_error: a failed read counts as a miss
	}
	v, err := decodeJSON(b)
	if err != nil {
		return nil, fmt.Errorf("cached data is not JSON: %w", err)
	}
	out["hit"], out["data"] = true, v
	return out, nil
}
