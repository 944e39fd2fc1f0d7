package dataplane

import (
	"crypto/sha1" //nolint:gosec // Kong stores basic-auth passwords as SHA-1(password .. consumer id); checking them needs the same.
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"regexp"
	"strings"
)

// basic-auth: identifies the consumer by a user name and password sent as
// `Authorization: Basic base64(user:pass)` (or in Proxy-Authorization, tried first).

func init() { RegisterTyped("basic-auth", newBasicAuth) }

// basicAuthConfig is what the data plane enforces of the config (brute_force_protection and
// principals are not).
type basicAuthConfig struct {
	Anonymous       string `json:"anonymous"`
	HideCredentials bool   `json:"hide_credentials"`
	Realm           string `json:"realm"`
}

type basicAuth struct {
	hide             bool
	anonymous, realm string
}

func newBasicAuth(c basicAuthConfig, _ Instance) (Handler, error) {
	return &basicAuth{hide: c.HideCredentials, anonymous: c.Anonymous, realm: c.Realm}, nil
}

func (b *basicAuth) Access(ctx *Context) {
	if b.anonymous != "" && ctx.Authenticated() {
		return
	}
	consumer, cred, ok := b.authenticate(ctx)
	if !ok {
		if ctx.Tracing() {
			ctx.Decide(basicAuthReason(ctx.Downstream.Header))
		}
		ctx.AnonymousOr(b.anonymous, func() {
			// Kong 3.7+ answers every failure alike, so a client cannot tell a wrong password
			// from an unknown user.
			h := http.Header{}
			h.Set("WWW-Authenticate", `Basic realm="`+b.realm+`"`)
			ctx.Exit(http.StatusUnauthorized, "Unauthorized", h)
		})
		return
	}
	ctx.Authenticate(consumer, cred, Str(cred, "username"))
	ctx.Decide("user name and password match a basic-auth credential")
}

// basicAuthReason tells, for the trace, why the client's headers did not authenticate it;
// Kong's answer is the same 401 either way.
func basicAuthReason(h http.Header) string {
	if len(h.Values("Authorization")) == 0 && len(h.Values("Proxy-Authorization")) == 0 {
		return "no Authorization or Proxy-Authorization header" + proxyHint(h, "Authorization")
	}
	for _, name := range []string{"Proxy-Authorization", "Authorization"} {
		if _, _, parsed := parseBasicAuthorization(h.Get(name)); parsed {
			return "the user name is unknown or the password is wrong (header " + name + ")"
		}
	}
	return "the Authorization header is not Basic base64(user:password)"
}

// authenticate looks at Proxy-Authorization, then Authorization; a user name found in the
// first that matches a credential settles which credential the password is checked against.
func (b *basicAuth) authenticate(ctx *Context) (consumer, cred Entity, ok bool) {
	h := ctx.Request.Header
	if len(h.Values("Authorization")) == 0 && len(h.Values("Proxy-Authorization")) == 0 {
		return nil, nil, false
	}
	var password string
	for _, name := range []string{"Proxy-Authorization", "Authorization"} {
		user, pass, parsed := parseBasicAuthorization(h.Get(name))
		if b.hide {
			// The header that was read goes, whether or not it held usable credentials.
			h.Del(name)
		}
		if !parsed {
			continue
		}
		if c, found := ctx.Snapshot.Lookup("basic-auth", "username", user); found {
			cred, password = c, pass
			break
		}
	}
	if cred == nil || !basicPasswordMatches(cred, password) {
		return nil, nil, false
	}
	consumer, ok = ctx.Snapshot.Get("consumers", RefID(cred["consumer"]))
	return consumer, cred, ok
}

// basicPasswordMatches checks a presented password against the stored
// sha1_hex(password .. consumer id), as the API stored it.
func basicPasswordMatches(cred Entity, password string) bool {
	sum := sha1.Sum([]byte(password + RefID(cred["consumer"]))) //nolint:gosec // see the import
	want := Str(cred, "password")
	return subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(want)) == 1
}

var (
	// basicSchemeRE is Kong's pattern for the header: unanchored, spaces optional after the scheme.
	basicSchemeRE = regexp.MustCompile(`\s*[Bb]asic\s*(.+)`)
	// basicPairRE splits the decoded pair: a user name without ':' and the rest of its line.
	basicPairRE = regexp.MustCompile(`([^:]+):(.*)`)
)

// parseBasicAuthorization reads `Basic base64(user:pass)` the way Kong does. It reports false
// for anything that does not give a user name.
func parseBasicAuthorization(value string) (username, password string, ok bool) {
	m := basicSchemeRE.FindStringSubmatch(value)
	if m == nil {
		return "", "", false
	}
	decoded, ok := ngxDecodeBase64(m[1])
	if !ok {
		return "", "", false
	}
	pair := basicPairRE.FindStringSubmatch(string(decoded))
	if pair == nil {
		return "", "", false
	}
	return pair[1], pair[2], true
}

// formatBasicAuthorization is what a client sends for a user name and password.
func formatBasicAuthorization(username, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(username+":"+password))
}

// ngxDecodeBase64 decodes standard base64 the way nginx does (ngx.decode_base64): the text
// ends at the first '=', every character before it must be of the alphabet, padding may be
// left out, and a length that cannot be base64 is refused.
func ngxDecodeBase64(s string) ([]byte, bool) {
	if i := strings.IndexByte(s, '='); i >= 0 {
		s = s[:i]
	}
	for i := 0; i < len(s); i++ {
		if !isBase64Char(s[i]) {
			return nil, false
		}
	}
	if len(s)%4 == 1 {
		return nil, false
	}
	// Not strict: like nginx, leftover bits of the last character are ignored.
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	return b, true
}

func isBase64Char(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}
