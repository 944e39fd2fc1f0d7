package dataplane

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // hmac-sha1 is one of the plugin's algorithms (off unless configured).
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"hash"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// hmac-auth: identifies the consumer by an HTTP signature, `hmac username="..",
// algorithm="..", headers="..", signature=".."`, in Proxy-Authorization or Authorization: an
// HMAC, keyed with the credential's secret, of the listed request headers.

func init() { RegisterTyped("hmac-auth", newHMACAuth) }

type hmacAuthConfig struct {
	HideCredentials     bool     `json:"hide_credentials"`
	ClockSkew           float64  `json:"clock_skew"`
	Anonymous           string   `json:"anonymous"`
	ValidateRequestBody bool     `json:"validate_request_body"`
	EnforceHeaders      []string `json:"enforce_headers"`
	Algorithms          []string `json:"algorithms"`
	Realm               string   `json:"realm"`
}

type hmacAuth struct {
	hide, validateBody bool
	clockSkew          float64
	enforceHeaders     []string
	algorithms         map[string]bool
	anonymous, realm   string
}

func newHMACAuth(c hmacAuthConfig, _ Instance) (Handler, error) {
	h := &hmacAuth{hide: c.HideCredentials, validateBody: c.ValidateRequestBody, clockSkew: c.ClockSkew,
		enforceHeaders: c.EnforceHeaders, algorithms: map[string]bool{}, anonymous: c.Anonymous, realm: c.Realm}
	for _, a := range c.Algorithms {
		h.algorithms[a] = true
	}
	return h, nil
}

// Kong's texts for a signature it cannot check and for one that is wrong.
const (
	hmacSignatureNotValid = "HMAC signature cannot be verified"
	hmacSignatureNotSame  = "HMAC signature does not match"
	hmacDateRequired      = "HMAC signature cannot be verified, a valid date or x-date header is required for HMAC Authentication"
)

func (a *hmacAuth) Access(ctx *Context) {
	if a.anonymous != "" && ctx.Authenticated() {
		return
	}
	consumer, cred, failure := a.authenticate(ctx)
	if failure != "" {
		ctx.Decide(failure)
		ctx.AnonymousOr(a.anonymous, func() {
			challenge := "hmac"
			if a.realm != "" {
				challenge = `hmac realm="` + a.realm + `"`
			}
			h := http.Header{}
			h.Set("WWW-Authenticate", challenge)
			ctx.Exit(http.StatusUnauthorized, failure, h)
		})
		return
	}
	ctx.Authenticate(consumer, cred, Str(cred, "username"))
	ctx.Decide("the signature matches an hmac-auth credential")
}

// authenticate returns the consumer and credential, or Kong's message for the failure.
func (a *hmacAuth) authenticate(ctx *Context) (consumer, cred Entity, failure string) {
	h := ctx.Request.Header
	if len(h.Values("Authorization")) == 0 && len(h.Values("Proxy-Authorization")) == 0 {
		return nil, nil, "Unauthorized"
	}
	now := ctx.Now.Unix()
	if !hmacDateWithinSkew(h.Values("X-Date"), now, a.clockSkew) && !hmacDateWithinSkew(h.Values("Date"), now, a.clockSkew) {
		return nil, nil, hmacDateRequired
	}

	params, ok := parseHMACAuthorization(h.Get("Proxy-Authorization"))
	if ok {
		if a.hide {
			h.Del("Proxy-Authorization")
		}
	} else {
		params, ok = parseHMACAuthorization(h.Get("Authorization"))
		if a.hide {
			// Kong clears Authorization once it has looked at it, usable or not.
			h.Del("Authorization")
		}
	}
	if !ok || !a.acceptable(params) {
		return nil, nil, hmacSignatureNotValid
	}
	cred, found := ctx.Snapshot.Lookup("hmac-auth", "username", params.username)
	if !found {
		return nil, nil, hmacSignatureNotValid
	}
	given, decoded := ngxDecodeBase64(params.signature)
	if !decoded || !a.signatureMatches(ctx, params, Str(cred, "secret"), given) {
		return nil, nil, hmacSignatureNotSame
	}
	if a.validateBody && !hmacBodyMatches(h.Values("Digest"), requestBody(ctx.Request)) {
		return nil, nil, hmacSignatureNotSame
	}
	consumer, found = ctx.Snapshot.Get("consumers", RefID(cred["consumer"]))
	if !found {
		return nil, nil, hmacSignatureNotValid
	}
	return consumer, cred, ""
}

// acceptable checks the signature covers every enforced header and uses an allowed algorithm.
func (a *hmacAuth) acceptable(p hmacParams) bool {
	for _, want := range a.enforceHeaders {
		covered := false
		for _, got := range p.headers {
			if got == want {
				covered = true
				break
			}
		}
		if !covered {
			return false
		}
	}
	return a.algorithms[p.algorithm]
}

// signatureMatches recomputes the signature over the request as the client sent it: the
// request target with its query first, then (Kong's older form) the decoded path alone.
func (a *hmacAuth) signatureMatches(ctx *Context, p hmacParams, secret string, given []byte) bool {
	newHash := hmacHashes[p.algorithm]
	if newHash == nil {
		return false
	}
	down := ctx.Downstream
	target := down.RequestURI
	if target == "" {
		target = down.URL.RequestURI()
	}
	header := func(name string) (string, bool) {
		// net/http keeps Host out of the header map; the signature may cover it.
		if strings.EqualFold(name, "host") && down.Host != "" {
			return down.Host, true
		}
		// Kong's header table treats '_' as '-' and gives the first of repeated headers.
		values := down.Header.Values(strings.ReplaceAll(name, "_", "-"))
		if len(values) == 0 {
			return "", false
		}
		return values[0], true
	}
	proto := strconv.Itoa(down.ProtoMajor) + "." + strconv.Itoa(down.ProtoMinor)
	for _, path := range []string{target, down.URL.Path} {
		signing := hmacSigningString(p.headers, header, down.Method, path, proto)
		mac := hmac.New(newHash, []byte(secret))
		mac.Write([]byte(signing))
		if hmac.Equal(mac.Sum(nil), given) {
			return true
		}
	}
	return false
}

var hmacHashes = map[string]func() hash.Hash{
	"hmac-sha1": sha1.New, "hmac-sha224": sha256.New224, "hmac-sha256": sha256.New,
	"hmac-sha384": sha512.New384, "hmac-sha512": sha512.New,
}

// hmacSigningString builds the text the client signed: one line per listed header,
// "name: value"; a header the request lacks gives "name:", except the pseudo-headers
// request-line ("GET /path?q HTTP/1.1") and @request-target ("get /path?q").
func hmacSigningString(names []string, header func(string) (string, bool), method, target, proto string) string {
	var b strings.Builder
	for i, name := range names {
		if i > 0 {
			b.WriteByte('\n')
		}
		value, ok := header(name)
		switch {
		case ok:
			b.WriteString(name + ": " + value)
		case name == "request-line":
			b.WriteString(method + " " + target + " HTTP/" + proto)
		case name == "@request-target":
			b.WriteString(name + ": " + strings.ToLower(method) + " " + target)
		default:
			b.WriteString(name + ":")
		}
	}
	return b.String()
}

// hmacDateWithinSkew checks the first value of a date header is an HTTP date at most
// skew seconds from now.
func hmacDateWithinSkew(values []string, now int64, skew float64) bool {
	if len(values) == 0 {
		return false
	}
	t, err := http.ParseTime(values[0])
	if err != nil {
		return false
	}
	return math.Abs(float64(now-t.Unix())) <= skew
}

// hmacBodyMatches checks the Digest header is SHA-256 of the body; with no Digest the body
// must be empty.
func hmacBodyMatches(digest []string, body []byte) bool {
	if len(digest) == 0 {
		return len(body) == 0
	}
	sum := sha256.Sum256(body)
	return digest[0] == "SHA-256="+base64.StdEncoding.EncodeToString(sum[:])
}

// hmacParams are the fields of an hmac Authorization header.
type hmacParams struct {
	username, algorithm, signature string
	headers                        []string
}

// hmacAuthorizationRE is Kong's pattern: the four fields in this order, quoted, comma-separated.
var hmacAuthorizationRE = regexp.MustCompile(`\s*[Hh]mac\s*username="(.+)",\s*algorithm="(.+)",\s*headers="(.+)",\s*signature="(.+)"`)

// parseHMACAuthorization reads an hmac Authorization value; false when it does not have
// Kong's form. The header list is split on single spaces, as Kong does.
func parseHMACAuthorization(value string) (hmacParams, bool) {
	m := hmacAuthorizationRE.FindStringSubmatch(value)
	if m == nil {
		return hmacParams{}, false
	}
	return hmacParams{username: m[1], algorithm: m[2], headers: strings.Split(m[3], " "), signature: m[4]}, true
}

// formatHMACAuthorization is what a client sends for the parameters.
func formatHMACAuthorization(p hmacParams) string {
	return `hmac username="` + p.username + `", algorithm="` + p.algorithm + `", headers="` +
		strings.Join(p.headers, " ") + `", signature="` + p.signature + `"`
}
