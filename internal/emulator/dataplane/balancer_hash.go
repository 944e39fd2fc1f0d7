package dataplane

import (
	"cmp"
	"sort"
	"strings"

	"github.com/google/uuid"
)

// requestKey is what the balancer picks a request's peer by: for consistent-hashing, the
// value to hash (and the cookie to set when Kong makes one up); for sticky-sessions, the
// session cookie the client sent.
func (b *balancer) requestKey(ctx *Context) (key, setCookie string) {
	switch b.algorithm {
	case "consistent-hashing":
		return b.hash.key(ctx)
	case "sticky-sessions":
		if b.sticky.name != "" {
			if c, err := ctx.Downstream.Cookie(b.sticky.name); err == nil {
				return c.Value, ""
			}
		}
	}
	return "", ""
}

// stickyCookie is the session cookie to set on an answer of a sticky-sessions upstream: when
// the client sent none, or one naming another target than the one that served it.
func (b *balancer) stickyCookie(sent string, served pickedPeer) string {
	if b.algorithm != "sticky-sessions" || b.sticky.name == "" || served.p == nil || served.p.id == sent {
		return ""
	}
	return kongCookie(b.sticky.name, served.p.id, b.sticky.cookiePath)
}

// kongCookie is a cookie as Kong's balancer sets it.
func kongCookie(name, value, path string) string {
	return name + "=" + value + "; Path=" + path + "; Same-Site=Lax; HttpOnly"
}

// hashPolicy is what consistent-hashing hashes on: the upstream's hash_on, and hash_fallback
// when hash_on gives no value.
type hashPolicy struct {
	on, fallback hashSource
}

// hashSource is one hash_on or hash_fallback setting: its kind and the header, cookie,
// query argument or capture it names.
type hashSource struct {
	kind       string // none, consumer, ip, header, cookie, path, query_arg, uri_capture
	name       string
	cookiePath string
}

func newHashPolicy(u Entity) hashPolicy {
	cookiePath := cmp.Or(Str(u, "hash_on_cookie_path"), "/")
	source := func(kind, header, queryArg, capture string) hashSource {
		s := hashSource{kind: kind}
		switch kind {
		case "header":
			s.name = header
		case "query_arg":
			s.name = queryArg
		case "uri_capture":
			s.name = capture
		case "cookie":
			s.name, s.cookiePath = Str(u, "hash_on_cookie"), cookiePath
		}
		return s
	}
	return hashPolicy{
		on:       source(Str(u, "hash_on"), Str(u, "hash_on_header"), Str(u, "hash_on_query_arg"), Str(u, "hash_on_uri_capture")),
		fallback: source(Str(u, "hash_fallback"), Str(u, "hash_fallback_header"), Str(u, "hash_fallback_query_arg"), Str(u, "hash_fallback_uri_capture")),
	}
}

// key is the value a request hashes to ("" when neither source gives one). With a cookie
// source and no such cookie in the request, Kong makes up a value and sets the cookie on the
// answer, so the client's next requests go to the same target: setCookie is that header's
// value.
func (h hashPolicy) key(ctx *Context) (key, setCookie string) {
	if key, setCookie = h.on.value(ctx); key == "" {
		key, setCookie = h.fallback.value(ctx)
	}
	return key, setCookie
}

func (s hashSource) value(ctx *Context) (string, string) {
	r := ctx.Request
	switch s.kind {
	case "consumer":
		if id := Str(ctx.Consumer, "id"); id != "" {
			return id, ""
		}
		return Str(ctx.Credential, "id"), ""
	case "ip":
		return ctx.ClientIP, ""
	case "header":
		// A repeated header hashes on its values joined, as nginx's $http_ variable has them.
		return strings.Join(r.Header.Values(s.name), ", "), ""
	case "cookie":
		if c, err := ctx.Downstream.Cookie(s.name); err == nil && c.Value != "" {
			return c.Value, ""
		}
		v := uuid.NewString()
		return v, kongCookie(s.name, v, s.cookiePath)
	case "path":
		return ctx.Downstream.URL.Path, ""
	case "query_arg":
		// A repeated argument hashes on its values sorted and joined, as Kong does.
		values := append([]string(nil), r.URL.Query()[s.name]...)
		sort.Strings(values)
		return strings.Join(values, ","), ""
	case "uri_capture":
		if ctx.Match != nil {
			return ctx.Match.Captures[s.name], ""
		}
	}
	return "", ""
}
