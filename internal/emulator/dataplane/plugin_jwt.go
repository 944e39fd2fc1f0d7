package dataplane

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// jwt: identifies the consumer by a signed JSON Web Token from the query string, a cookie or a
// `Bearer` header. The token names its jwt credential (by `key`) in a claim; the credential
// holds the algorithm and the secret or public key that must have signed it.

func init() { RegisterTyped("jwt", newJWT) }

type jwtConfig struct {
	URIParamNames     []string `json:"uri_param_names"`
	CookieNames       []string `json:"cookie_names"`
	KeyClaimName      string   `json:"key_claim_name"`
	SecretIsBase64    bool     `json:"secret_is_base64"`
	ClaimsToVerify    []string `json:"claims_to_verify"`
	Anonymous         string   `json:"anonymous"`
	RunOnPreflight    bool     `json:"run_on_preflight"`
	MaximumExpiration float64  `json:"maximum_expiration"`
	HeaderNames       []string `json:"header_names"`
	Realm             string   `json:"realm"`
}

type jwtAuth struct {
	uriParams, cookies, headers []string
	keyClaim                    string
	secretIsBase64, preflight   bool
	claimsToVerify              []string
	maxExpiration               float64
	anonymous, realm            string
}

func newJWT(c jwtConfig, _ Instance) (Handler, error) {
	return &jwtAuth{uriParams: c.URIParamNames, cookies: c.CookieNames, headers: c.HeaderNames,
		keyClaim: c.KeyClaimName, secretIsBase64: c.SecretIsBase64, preflight: c.RunOnPreflight,
		claimsToVerify: c.ClaimsToVerify, maxExpiration: c.MaximumExpiration,
		anonymous: c.Anonymous, realm: c.Realm}, nil
}

// jwtFailure is a refusal: Kong sends either {"message": ...} or the table of claim errors,
// as kong.response.exit does (no request_id).
type jwtFailure struct {
	message     string
	claimErrors map[string]string
	challenge   string // WWW-Authenticate, "" for none
	// detail says, for the trace only, what the message does not: which credential, which
	// key, which times. Rendered only when the request is traced.
	detail func() string
}

func (j *jwtAuth) Access(ctx *Context) {
	if ctx.Request.Method == http.MethodOptions && !j.preflight {
		return
	}
	if j.anonymous != "" && ctx.Authenticated() {
		return
	}
	consumer, cred, token, fail := j.authenticate(ctx)
	if fail != nil {
		if ctx.Tracing() {
			ctx.Decide(fail.reason(j, ctx))
		}
		ctx.AnonymousOr(j.anonymous, func() {
			var body []byte
			if fail.claimErrors != nil {
				body = cjsonEncode(fail.claimErrors)
			} else {
				body = cjsonEncode(map[string]string{"message": fail.message})
			}
			var h http.Header
			if fail.challenge != "" {
				h = http.Header{}
				h.Set("WWW-Authenticate", fail.challenge)
			}
			ctx.ExitJSON(http.StatusUnauthorized, body, h)
		})
		return
	}
	ctx.Authenticate(consumer, cred, Str(cred, "key"))
	ctx.Shared["authenticated_jwt_token"] = token
	ctx.Decide("the token's signature and claims are valid for a jwt credential")
}

// reason is a failure in the trace's words: Kong's message, then what to look at.
func (f *jwtFailure) reason(j *jwtAuth, ctx *Context) string {
	if f.claimErrors == nil {
		if f.message == "Unauthorized" {
			return j.noTokenWords(ctx.Downstream)
		}
		if f.detail != nil {
			return f.message + ": " + f.detail()
		}
		return f.message
	}
	claims := make([]string, 0, len(f.claimErrors))
	for claim, problem := range f.claimErrors {
		claims = append(claims, "claim "+claim+": "+problem)
	}
	sort.Strings(claims)
	words := strings.Join(claims, "; ")
	if f.detail != nil {
		words += " (" + f.detail() + ")"
	}
	return words
}

// noTokenWords names the places the plugin looked for a token, and an Authorization-like
// header that is there without a Bearer token (Basic credentials, a bare token).
func (j *jwtAuth) noTokenWords(r *http.Request) string {
	var places []string
	for _, h := range j.headers {
		place := "header `" + h + "` (Bearer)"
		if values := r.Header.Values(h); len(values) > 0 {
			scheme, _, _ := strings.Cut(strings.TrimSpace(values[0]), " ")
			place += " (present, but as `" + scheme + " …`, not `Bearer <token>`)"
		}
		places = append(places, place)
	}
	for _, q := range j.uriParams {
		places = append(places, "query `"+q+"`")
	}
	for _, c := range j.cookies {
		places = append(places, "cookie `"+c+"`")
	}
	if len(places) == 0 {
		return "no token: the plugin is configured to read none (header_names, uri_param_names and cookie_names are empty)"
	}
	words := "no token in " + strings.Join(places, ", ")
	if len(j.headers) > 0 && len(r.Header.Values(j.headers[0])) == 0 {
		words += proxyHint(r.Header, http.CanonicalHeaderKey(j.headers[0]))
	}
	return words
}

// credentialWords names a jwt credential in the trace: its id and key.
func credentialWords(cred Entity) string {
	return "jwt credential " + Str(cred, "id") + " (key `" + Str(cred, "key") + "`)"
}

// expiryWords gives a token's exp and nbf against now, as times a person reads.
func expiryWords(claims map[string]any, now time.Time) string {
	var out []string
	for _, name := range []string{"exp", "nbf"} {
		n, isNumber := claims[name].(float64)
		if !isNumber {
			continue
		}
		at := time.Unix(int64(n), 0).UTC()
		out = append(out, fmt.Sprintf("%s %s, %s", name, at.Format(time.RFC3339), relative(at, now)))
	}
	return strings.Join(out, "; ") + "; now " + now.UTC().Format(time.RFC3339)
}

func relative(at, now time.Time) string {
	if d := now.Sub(at).Round(time.Second); d >= 0 {
		return d.String() + " ago"
	}
	return "in " + at.Sub(now).Round(time.Second).String()
}

func (j *jwtAuth) authenticate(ctx *Context) (consumer, cred Entity, token string, fail *jwtFailure) {
	challenge := "Bearer"
	if j.realm != "" {
		challenge = `Bearer realm="` + j.realm + `"`
	}
	invalid := func(message string) *jwtFailure {
		return &jwtFailure{message: message, challenge: challenge + ` error="invalid_token"`}
	}

	tokens := findJWTTokens(ctx.Request, j.uriParams, j.cookies, j.headers)
	switch {
	case len(tokens) == 0:
		return nil, nil, "", &jwtFailure{message: "Unauthorized", challenge: challenge}
	case len(tokens) > 1:
		return nil, nil, "", invalid("Multiple tokens provided")
	case tokens[0].bare:
		// A query parameter without a value is no token Kong can read.
		return nil, nil, "", invalid("Unrecognizable token")
	}
	token = tokens[0].value
	parsed, err := parseJWT(token)
	if err != nil {
		return nil, nil, "", invalid("Bad token; " + err.Error())
	}

	keyClaim, present := parsed.claim(j.keyClaim)
	if !present {
		return nil, nil, "", invalid("No mandatory '" + j.keyClaim + "' in claims")
	}
	keyValue, isString := keyClaim.(string)
	if isString && keyValue == "" {
		return nil, nil, "", invalid("Invalid '" + j.keyClaim + "' in claims")
	}
	var found bool
	if isString {
		cred, found = ctx.Snapshot.Lookup("jwt", "key", keyValue)
	}
	if !found {
		// A number or an object names no credential (Kong fails the lookup with a 500 there).
		fail := invalid("No credentials found for given '" + j.keyClaim + "'")
		fail.detail = func() string {
			if !isString {
				return fmt.Sprintf("the token's '%s' is %s, not a string naming a credential's key", j.keyClaim, cjsonEncode(keyClaim))
			}
			return fmt.Sprintf("no jwt credential has the key `%s` (the token's '%s'); a credential's key must equal it exactly", keyValue, j.keyClaim)
		}
		return nil, nil, "", fail
	}

	algorithm := Str(cred, "algorithm")
	if algorithm == "" {
		algorithm = "HS256"
	}
	if parsed.alg != algorithm {
		fail, credential := invalid("Invalid algorithm"), cred // the return clears cred
		fail.detail = func() string {
			return fmt.Sprintf("the token is signed with %s, %s expects %s", parsed.alg, credentialWords(credential), algorithm)
		}
		return nil, nil, "", fail
	}
	field := "rsa_public_key"
	if strings.HasPrefix(algorithm, "HS") {
		field = "secret"
	}
	keyText, hasKey := cred[field].(string)
	keyBytes := []byte(keyText)
	if hasKey && j.secretIsBase64 {
		keyBytes, hasKey = decodeJWTSegment(keyText)
	}
	if !hasKey {
		return nil, nil, "", invalid("Invalid key/secret")
	}
	if err := parsed.verifyWith(keyBytes); err != nil {
		fail, credential := invalid("Invalid signature"), cred // the return clears cred
		fail.detail = func() string {
			return fmt.Sprintf("the token's %s signature does not verify with the %s of %s: %v", algorithm, field, credentialWords(credential), err)
		}
		return nil, nil, "", fail
	}

	now := float64(ctx.Now.Unix())
	if errs := parsed.checkClaims(j.claimsToVerify, now); errs != nil {
		return nil, nil, "", &jwtFailure{claimErrors: errs, challenge: challenge + ` error="invalid_token"`,
			detail: func() string { return expiryWords(parsed.claims, ctx.Now) }}
	}
	if j.maxExpiration > 0 {
		exp, isNumber := parsed.claims["exp"].(float64)
		if !isNumber || exp-now > j.maxExpiration {
			return nil, nil, "", &jwtFailure{claimErrors: map[string]string{"exp": "exceeds maximum allowed expiration"},
				challenge: challenge + ` error="invalid_token"`, detail: func() string {
					return fmt.Sprintf("maximum_expiration is %gs; %s", j.maxExpiration, expiryWords(parsed.claims, ctx.Now))
				}}
		}
	}

	consumer, found = ctx.Snapshot.Get("consumers", RefID(cred["consumer"]))
	if !found {
		// Kong sends this one without a challenge.
		return nil, nil, "", &jwtFailure{message: fmt.Sprintf("Could not find consumer for '%s=%s'", j.keyClaim, keyValue)}
	}
	return consumer, cred, token, nil
}

// jwtCandidate is one token found in the request. bare marks a query parameter given without
// '=' (Lua sees `true`, not a string).
type jwtCandidate struct {
	value string
	bare  bool
}

// bearerRE is Kong's pattern for a token header: unanchored, at least one space after the scheme.
var bearerRE = regexp.MustCompile(`\s*[Bb]earer\s+(.+)`)

// bearerToken reads the token of a `Bearer <token>` header value.
func bearerToken(value string) (string, bool) {
	m := bearerRE.FindStringSubmatch(value)
	if m == nil || m[1] == "" {
		return "", false
	}
	return m[1], true
}

// findJWTTokens gathers the distinct tokens of the request: query parameters, then cookies,
// then headers, each in the configured order. More than one distinct token is an error for
// the caller.
func findJWTTokens(req *http.Request, uriParams, cookies, headers []string) []jwtCandidate {
	var out []jwtCandidate
	seen := map[jwtCandidate]bool{}
	add := func(c jwtCandidate) {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	if len(uriParams) > 0 {
		args := rawQueryArgs(req.URL.RawQuery)
		for _, name := range uriParams {
			for _, a := range args[name] {
				if a.bare || a.value != "" {
					add(a)
				}
			}
		}
	}
	for _, name := range cookies {
		if v, ok := cookieValue(req.Header, name); ok && v != "" {
			add(jwtCandidate{value: v})
		}
	}
	for _, name := range headers {
		// Kong's header table treats '_' as '-', and only the first of repeated headers counts.
		values := req.Header.Values(strings.ReplaceAll(name, "_", "-"))
		if len(values) == 0 {
			continue
		}
		if t, ok := bearerToken(values[0]); ok {
			add(jwtCandidate{value: t})
		}
	}
	return out
}

// rawQueryArgs splits a query string as nginx does for Lua: '&'-separated, a name without '='
// is a bare flag, names and values are URL-decoded (undecodable ones are kept as they are).
func rawQueryArgs(raw string) map[string][]jwtCandidate {
	out := map[string][]jwtCandidate{}
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		name, value, hasValue := strings.Cut(part, "=")
		name = unescapeQuery(name)
		if !hasValue {
			out[name] = append(out[name], jwtCandidate{bare: true})
			continue
		}
		out[name] = append(out[name], jwtCandidate{value: unescapeQuery(value)})
	}
	return out
}

func unescapeQuery(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// cookieValue is nginx's $cookie_<name>: the first cookie of that name (any case), raw.
func cookieValue(h http.Header, name string) (string, bool) {
	for _, line := range h.Values("Cookie") {
		for _, part := range strings.Split(line, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), name) {
				return strings.TrimSpace(v), true
			}
		}
	}
	return "", false
}

// jwtToken is a decoded token: its raw segments and what they decode to.
type jwtToken struct {
	headerSeg, claimsSeg, signatureSeg string
	header                             map[string]any
	claims                             map[string]any // nil when the claims are JSON but not an object
	alg                                string
	signature                          []byte
}

// errJWT* are Kong's reasons for a token that cannot be read ("Bad token; <reason>").
var (
	errJWTJSON      = errors.New("invalid JSON")
	errJWTAlg       = errors.New("invalid alg")
	errJWTClaims    = errors.New("invalid claims")
	errJWTSignature = errors.New("invalid signature")
)

// jwtAlgorithms are the algorithms a credential may have and a token may name.
var jwtAlgorithms = map[string]bool{
	"HS256": true, "HS384": true, "HS512": true, "RS256": true, "RS384": true, "RS512": true,
	"ES256": true, "ES384": true, "ES512": true, "PS256": true, "PS384": true, "PS512": true, "EdDSA": true,
}

// parseJWT splits and decodes a compact JWT as Kong does: at most three '.'-separated parts
// (the third keeps any further dots), base64url with or without padding, JSON header and
// claims. It does not check the signature. golang-jwt's parser cannot stand in: it wants
// exactly three segments, base64url only and claims that are an object, where Kong reads
// more (a key claim in the header with array claims, '+' and '/' in segments) and tells its
// failures apart.
func parseJWT(token string) (*jwtToken, error) {
	parts := strings.SplitN(token, ".", 3)
	if len(parts) < 3 {
		return nil, errJWTJSON
	}
	t := &jwtToken{headerSeg: parts[0], claimsSeg: parts[1], signatureSeg: parts[2]}
	headerJSON, okHeader := decodeJWTSegment(parts[0])
	claimsJSON, okClaims := decodeJWTSegment(parts[1])
	if !okHeader || !okClaims {
		return nil, errJWTJSON
	}
	var header, claims any
	if decodeJSONValue(headerJSON, &header) != nil || decodeJSONValue(claimsJSON, &claims) != nil {
		return nil, errJWTJSON
	}
	t.header, _ = header.(map[string]any)
	t.alg, _ = t.header["alg"].(string)
	if !jwtAlgorithms[t.alg] {
		return nil, errJWTAlg
	}
	switch c := claims.(type) {
	case map[string]any:
		t.claims = c
	case []any, string:
		// Lua can index these: they just have no claims.
	default:
		return nil, errJWTClaims
	}
	sig, ok := decodeJWTSegment(parts[2])
	if !ok {
		return nil, errJWTSignature
	}
	t.signature = sig
	return t, nil
}

// decodeJSONValue reads exactly one JSON value (numbers as float64, as Lua sees them).
func decodeJSONValue(b []byte, v *any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decoding JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("decoding JSON: data after the value")
	}
	return nil
}

// decodeJWTSegment is base64url as Kong reads it: '-' and '_' mapped to '+' and '/', then
// nginx's lenient standard decoding.
func decodeJWTSegment(s string) ([]byte, bool) {
	return ngxDecodeBase64(strings.NewReplacer("-", "+", "_", "/").Replace(s))
}

// claim returns a claim, else the header field of that name, as Lua's `claims[k] or
// header[k]` reads them: a missing, null or false value is absent.
func (t *jwtToken) claim(name string) (any, bool) {
	for _, m := range []map[string]any{t.claims, t.header} {
		if v, ok := m[name]; ok && v != nil && v != false {
			return v, true
		}
	}
	return nil, false
}

// checkClaims verifies exp and nbf as Kong does (no leeway); it returns the claim errors.
func (t *jwtToken) checkClaims(names []string, now float64) map[string]string {
	var errs map[string]string
	add := func(k, v string) {
		if errs == nil {
			errs = map[string]string{}
		}
		errs[k] = v
	}
	for _, name := range names {
		n, isNumber := t.claims[name].(float64)
		if !isNumber {
			add(name, "must be a number")
			continue
		}
		switch {
		case name == "exp" && n <= now:
			add(name, "token expired")
		case name == "nbf" && n > now:
			add(name, "token not valid yet")
		}
	}
	return errs
}

// verify checks the signature over "header.claims" with the credential's secret or public key,
// as Kong's verify_signature does: over the segments exactly as sent, with the signature as
// Kong decoded it. golang-jwt's signing method for the alg does the check; any failure (a key
// that does not parse or is of the wrong type, a signature of the wrong size, a mismatch) is
// a bad signature to Kong.
func (t *jwtToken) verify(key []byte) bool { return t.verifyWith(key) == nil }

// verifyWith is verify saying why it failed, for the trace.
func (t *jwtToken) verifyWith(key []byte) error {
	method := jwt.GetSigningMethod(t.alg)
	if method == nil {
		return fmt.Errorf("no verifier for %s", t.alg)
	}
	verificationKey, err := jwtVerificationKey(method, key)
	if err != nil {
		return fmt.Errorf("the key is not a %s public key in PEM: %w", t.alg, err)
	}
	if err := method.Verify(t.headerSeg+"."+t.claimsSeg, t.signature, verificationKey); err != nil {
		return fmt.Errorf("signed by another key, or altered (%w)", err)
	}
	return nil
}

// jwtVerificationKey is what golang-jwt verifies with: the secret itself for HMAC, else the
// credential's PEM public key (PKIX; for RSA also PKCS#1, and RSA or ECDSA certificates).
func jwtVerificationKey(method jwt.SigningMethod, key []byte) (any, error) {
	switch method.(type) {
	case *jwt.SigningMethodHMAC:
		return key, nil
	case *jwt.SigningMethodRSA, *jwt.SigningMethodRSAPSS:
		return jwt.ParseRSAPublicKeyFromPEM(key)
	case *jwt.SigningMethodECDSA:
		return jwt.ParseECPublicKeyFromPEM(key)
	case *jwt.SigningMethodEd25519:
		return jwt.ParseEdPublicKeyFromPEM(key)
	}
	return nil, fmt.Errorf("no verification key for %s", method.Alg())
}

// jwtHash is the digest of an algorithm's family (nil for EdDSA); the tests sign with it.
func jwtHash(alg string) (func() hash.Hash, crypto.Hash) {
	switch {
	case strings.HasSuffix(alg, "256"):
		return sha256.New, crypto.SHA256
	case strings.HasSuffix(alg, "384"):
		return sha512.New384, crypto.SHA384
	case strings.HasSuffix(alg, "512"):
		return sha512.New, crypto.SHA512
	}
	return nil, 0
}

// cjsonEncode encodes like Kong's cjson: no HTML escaping, '/' escaped, keys in a stable order.
func cjsonEncode(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	// encoding/json writes map keys sorted, so equal errors give equal bytes.
	_ = enc.Encode(v)
	return bytes.ReplaceAll(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("/"), []byte(`\/`))
}
