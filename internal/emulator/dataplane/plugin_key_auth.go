package dataplane

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"
)

// key-auth: identifies the consumer by an API key in a header, the query string or the body.

func init() { RegisterTyped("key-auth", newKeyAuth) }

// keyAuthConfig is the part of key-auth's config the data plane acts on. identity_realms is
// not declared: credentials are always looked up in the control plane's own consumers (scope
// cp), never in a Konnect identity realm, and principals (Kong Identity) are not emulated.
type keyAuthConfig struct {
	KeyNames        []string `json:"key_names"`
	HideCredentials bool     `json:"hide_credentials"`
	KeyInHeader     bool     `json:"key_in_header"`
	KeyInQuery      bool     `json:"key_in_query"`
	KeyInBody       bool     `json:"key_in_body"`
	RunOnPreflight  bool     `json:"run_on_preflight"`
	Anonymous       string   `json:"anonymous"`
	Realm           string   `json:"realm"`
}

type keyAuth struct {
	keyNames                                   []string
	hide, inHeader, inQuery, inBody, preflight bool
	anonymous, realm                           string
	// noKey is the trace's words for a request without a key: where it was looked for.
	noKey string
}

func newKeyAuth(c keyAuthConfig, _ Instance) (Handler, error) {
	return &keyAuth{keyNames: c.KeyNames, hide: c.HideCredentials, inHeader: c.KeyInHeader,
		inQuery: c.KeyInQuery, inBody: c.KeyInBody, preflight: c.RunOnPreflight,
		anonymous: c.Anonymous, realm: c.Realm, noKey: noKeyReason(c)}, nil
}

// noKeyReason names the places key-auth looks for a key: "no key in header `apikey`, query
// `apikey`".
func noKeyReason(c keyAuthConfig) string {
	names := make([]string, len(c.KeyNames))
	for i, n := range c.KeyNames {
		names[i] = "`" + n + "`"
	}
	list := strings.Join(names, " or ")
	var places []string
	for _, p := range []struct {
		on   bool
		what string
	}{{c.KeyInHeader, "header "}, {c.KeyInQuery, "query "}, {c.KeyInBody, "body "}} {
		if p.on {
			places = append(places, p.what+list)
		}
	}
	return "no key in " + strings.Join(places, ", ")
}

func (k *keyAuth) Access(ctx *Context) {
	if k.anonymous != "" && ctx.Authenticated() {
		return
	}
	if ctx.Request.Method == http.MethodOptions && !k.preflight {
		return
	}
	key, status := k.findKey(ctx)
	var cred, consumer Entity
	switch status {
	case "":
		var ok bool
		cred, ok = ctx.Snapshot.Lookup("key-auth", "key", key)
		switch {
		case !ok:
			ctx.Decide("the key matches no key-auth credential")
		case expired(cred, ctx.Now):
			ctx.Decide("the key's credential has expired (ttl)")
			ok = false
		default:
			if consumer, ok = ctx.Snapshot.Get("consumers", RefID(cred["consumer"])); !ok {
				ctx.Decide("the key's credential belongs to no consumer")
			}
		}
		if !ok {
			status = "Unauthorized"
		}
	case "No API key found in request":
		if ctx.Tracing() {
			words := k.noKey
			if others := credentialLookalikes(ctx.Downstream, k.keyNames); len(others) > 0 {
				words += "; the request has " + strings.Join(others, ", ") + ", which key_names does not name"
			}
			ctx.Decide(words)
		}
	default:
		ctx.Decide("more than one key in the request")
	}
	if status != "" {
		if k.anonymous != "" && ctx.Tracing() {
			ctx.Decide(ctx.decision + "; going on as the anonymous consumer " + k.anonymous)
		}
		ctx.AnonymousOr(k.anonymous, func() {
			ctx.Exit(http.StatusUnauthorized, status, http.Header{"Www-Authenticate": {k.challenge()}})
		})
		return
	}
	ctx.Authenticate(consumer, cred, Str(cred, "id"))
	ctx.Decide("the key belongs to a key-auth credential")
}

func (k *keyAuth) challenge() string {
	if k.realm != "" {
		return `Key realm="` + k.realm + `"`
	}
	return "Key"
}

// expired reads a credential's ttl (seconds from created_at).
func expired(cred Entity, now time.Time) bool {
	ttl := Num(cred, "ttl")
	if ttl <= 0 {
		return false
	}
	return float64(now.Unix()) >= Num(cred, "created_at")+ttl
}

// findKey returns the key, or the failure message.
func (k *keyAuth) findKey(ctx *Context) (string, string) {
	req := ctx.Request
	for _, name := range k.keyNames {
		var values []string
		if k.inHeader {
			values = req.Header.Values(name)
		}
		fromQuery := false
		if len(values) == 0 && k.inQuery {
			values = req.URL.Query()[name]
			fromQuery = true
		}
		fromBody := false
		if len(values) == 0 && k.inBody {
			var list bool
			values, list = bodyValues(req, name)
			if list {
				// A JSON array or object where the key should be: Kong's "table", a duplicate.
				return "", "Duplicate API key found"
			}
			fromBody = len(values) > 0
		}
		if len(values) == 0 {
			continue
		}
		if len(values) > 1 {
			return "", "Duplicate API key found"
		}
		if k.hide {
			req.Header.Del(name)
			if fromQuery || k.inQuery {
				q := req.URL.Query()
				q.Del(name)
				req.URL.RawQuery = q.Encode()
			}
			if fromBody {
				removeBodyField(req, name)
			}
		}
		if values[0] == "" {
			return "", "No API key found in request"
		}
		return values[0], ""
	}
	return "", "No API key found in request"
}

// bodyValues reads every value of a field of a form, multipart or JSON body. list tells that
// a JSON field holds an array or object; a JSON field counts as a key only when it is a string.
func bodyValues(req *http.Request, name string) (values []string, list bool) {
	body := requestBody(req)
	mt, params, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
	switch mt {
	case "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, false
		}
		return vals[name], false
	case "multipart/form-data":
		parts, err := readParts(body, params["boundary"])
		if err != nil {
			return nil, false
		}
		for _, p := range parts {
			if p.name == name {
				values = append(values, string(p.content))
			}
		}
		return values, false
	case "application/json":
		var m map[string]any
		if json.Unmarshal(body, &m) != nil {
			return nil, false
		}
		switch v := m[name].(type) {
		case string:
			return []string{v}, false
		case []any, map[string]any:
			return nil, true
		}
	}
	return nil, false
}

func removeBodyField(req *http.Request, name string) {
	body := requestBody(req)
	mt, params, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
	switch mt {
	case "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(body))
		if err == nil {
			vals.Del(name)
			setRequestBody(req, []byte(vals.Encode()))
		}
	case "multipart/form-data":
		parts, err := readParts(body, params["boundary"])
		if err != nil {
			return
		}
		kept := parts[:0]
		for _, p := range parts {
			if p.name != name {
				kept = append(kept, p)
			}
		}
		if b, err := writeParts(kept, params["boundary"]); err == nil {
			setRequestBody(req, b)
		}
	case "application/json":
		var m map[string]any
		if json.Unmarshal(body, &m) == nil {
			delete(m, name)
			b, _ := json.Marshal(m)
			setRequestBody(req, b)
		}
	}
}

// rawPart is one part of a multipart/form-data body, as it came (no transfer decoding).
type rawPart struct {
	header  textproto.MIMEHeader
	name    string
	content []byte
}

// readParts splits a multipart body into its parts.
func readParts(body []byte, boundary string) ([]rawPart, error) {
	if boundary == "" {
		return nil, errors.New("multipart body without a boundary")
	}
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	var parts []rawPart
	for {
		p, err := r.NextRawPart()
		if errors.Is(err, io.EOF) {
			return parts, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading a multipart body: %w", err)
		}
		content, err := io.ReadAll(p)
		if err != nil {
			return nil, fmt.Errorf("reading a multipart body: %w", err)
		}
		parts = append(parts, rawPart{header: p.Header, name: p.FormName(), content: content})
	}
}

// writeParts joins parts into a multipart body with the given boundary.
func writeParts(parts []rawPart, boundary string) ([]byte, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.SetBoundary(boundary); err != nil {
		return nil, fmt.Errorf("writing a multipart body: %w", err)
	}
	for _, p := range parts {
		pw, err := w.CreatePart(p.header)
		if err != nil {
			return nil, fmt.Errorf("writing a multipart body: %w", err)
		}
		if _, err := pw.Write(p.content); err != nil {
			return nil, fmt.Errorf("writing a multipart body: %w", err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("writing a multipart body: %w", err)
	}
	return buf.Bytes(), nil
}
