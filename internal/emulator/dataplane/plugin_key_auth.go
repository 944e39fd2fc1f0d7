package dataplane

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"time"
)

// key-auth: identifies the consumer by an API key in a header, the query string or the body.

func init() { Register("key-auth", newKeyAuth) }

type keyAuth struct {
	keyNames                                   []string
	hide, inHeader, inQuery, inBody, preflight bool
	anonymous, realm                           string
}

func newKeyAuth(c, _ Entity) (Handler, error) {
	return &keyAuth{keyNames: Strings(c, "key_names"), hide: Bool(c, "hide_credentials"), inHeader: Bool(c, "key_in_header"),
		inQuery: Bool(c, "key_in_query"), inBody: Bool(c, "key_in_body"), preflight: Bool(c, "run_on_preflight"),
		anonymous: Str(c, "anonymous"), realm: Str(c, "realm")}, nil
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
	if status == "" {
		var ok bool
		cred, ok = ctx.Snapshot.Lookup("key-auth", "key", key)
		if ok && expired(cred, ctx.Now) {
			ok = false
		}
		if ok {
			consumer, ok = ctx.Snapshot.Get("consumers", RefID(cred["consumer"]))
		}
		if !ok {
			status = "Unauthorized"
		}
	}
	if status != "" {
		ctx.AnonymousOr(k.anonymous, func() {
			ctx.Exit(http.StatusUnauthorized, status, http.Header{"Www-Authenticate": {k.challenge()}})
		})
		return
	}
	ctx.Authenticate(consumer, cred, Str(cred, "id"))
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
			if v, ok := bodyField(req, name); ok {
				values, fromBody = []string{v}, true
			}
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

// bodyField reads a field of a form or JSON body.
func bodyField(req *http.Request, name string) (string, bool) {
	body := requestBody(req)
	mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
	switch mt {
	case "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(body))
		if err != nil || len(vals[name]) == 0 {
			return "", false
		}
		return vals[name][0], true
	case "application/json":
		var m map[string]any
		if json.Unmarshal(body, &m) != nil {
			return "", false
		}
		s, ok := m[name].(string)
		return s, ok
	}
	return "", false
}

func removeBodyField(req *http.Request, name string) {
	body := requestBody(req)
	mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
	switch mt {
	case "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(body))
		if err == nil {
			vals.Del(name)
			setRequestBody(req, []byte(vals.Encode()))
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
