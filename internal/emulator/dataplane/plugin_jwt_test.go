package dataplane

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// testKeys are signing keys for the token tests, made once: RSA keys are slow to generate.
type testKeys struct {
	rsa, otherRSA *rsa.PrivateKey
	ec            *ecdsa.PrivateKey
	ed            ed25519.PrivateKey
}

var (
	jwtKeysOnce sync.Once
	jwtKeys     testKeys
)

func signingKeys(t testing.TB) testKeys {
	t.Helper()
	jwtKeysOnce.Do(func() {
		var err error
		if jwtKeys.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if jwtKeys.otherRSA, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if jwtKeys.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			panic(err)
		}
		if _, jwtKeys.ed, err = ed25519.GenerateKey(rand.Reader); err != nil {
			panic(err)
		}
	})
	return jwtKeys
}

// publicPEM is a public key as a jwt credential's rsa_public_key holds it.
func publicPEM(t testing.TB, pub any) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func encodeJWTSegment(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// rawJWT assembles a token from JSON texts, signed by sign (nil for an empty signature).
func rawJWT(headerJSON, claimsJSON string, sign func(signed []byte) []byte) string {
	signed := encodeJWTSegment([]byte(headerJSON)) + "." + encodeJWTSegment([]byte(claimsJSON))
	var sig []byte
	if sign != nil {
		sig = sign([]byte(signed))
	}
	return signed + "." + encodeJWTSegment(sig)
}

// signJWT makes a token with the algorithm and key (a secret as []byte, else a private key);
// header fields are added to {"typ":"JWT","alg":alg}.
func signJWT(t testing.TB, alg string, key any, claims map[string]any, header ...map[string]any) string {
	t.Helper()
	h := map[string]any{"typ": "JWT", "alg": alg}
	for _, extra := range header {
		for k, v := range extra {
			h[k] = v
		}
	}
	hj, _ := json.Marshal(h)
	cj, _ := json.Marshal(claims)
	return rawJWT(string(hj), string(cj), func(signed []byte) []byte { return signWith(t, alg, key, signed) })
}

func signWith(t testing.TB, alg string, key any, signed []byte) []byte {
	t.Helper()
	newHash, cryptoHash := jwtHash(alg)
	var digest []byte
	if newHash != nil {
		h := newHash()
		h.Write(signed)
		digest = h.Sum(nil)
	}
	var sig []byte
	var err error
	switch {
	case strings.HasPrefix(alg, "HS"):
		mac := hmac.New(newHash, key.([]byte))
		mac.Write(signed)
		sig = mac.Sum(nil)
	case strings.HasPrefix(alg, "RS"):
		sig, err = rsa.SignPKCS1v15(nil, key.(*rsa.PrivateKey), cryptoHash, digest)
	case strings.HasPrefix(alg, "PS"):
		sig, err = rsa.SignPSS(rand.Reader, key.(*rsa.PrivateKey), cryptoHash, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	case strings.HasPrefix(alg, "ES"):
		priv := key.(*ecdsa.PrivateKey)
		r, s, signErr := ecdsa.Sign(rand.Reader, priv, digest)
		err = signErr
		size := (priv.Curve.Params().BitSize + 7) / 8
		sig = make([]byte, 2*size)
		if err == nil {
			r.FillBytes(sig[:size])
			s.FillBytes(sig[size:])
		}
	case alg == "EdDSA":
		sig = ed25519.Sign(key.(ed25519.PrivateKey), signed)
	default:
		t.Fatalf("cannot sign with %s", alg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func TestJWT(t *testing.T) {
	t.Parallel()
	keys := signingKeys(t)
	g := newTestGateway(t)
	alice := g.add("consumers", Entity{"username": "alice", "custom_id": "a-1"})
	anon := g.consumer("anon")
	cred := func(key string, fields Entity) {
		fields["key"] = key
		fields["consumer"] = map[string]any{"id": alice}
		g.add("jwt", fields)
	}
	hsSecret := []byte("hs-secret")
	cred("hs-key", Entity{"secret": string(hsSecret)}) // algorithm defaults to HS256
	cred("hs512-key", Entity{"secret": "hs512-secret", "algorithm": "HS512"})
	cred("rs-key", Entity{"algorithm": "RS256", "rsa_public_key": publicPEM(t, &keys.rsa.PublicKey)})
	cred("rs512-key", Entity{"algorithm": "RS512", "rsa_public_key": publicPEM(t, &keys.rsa.PublicKey)})
	cred("ps-key", Entity{"algorithm": "PS256", "rsa_public_key": publicPEM(t, &keys.rsa.PublicKey)})
	cred("es-key", Entity{"algorithm": "ES256", "rsa_public_key": publicPEM(t, &keys.ec.PublicKey)})
	cred("ed-key", Entity{"algorithm": "EdDSA", "rsa_public_key": publicPEM(t, keys.ed.Public())})
	cred("b64-key", Entity{"secret": base64.RawURLEncoding.EncodeToString([]byte("raw\x00secret\xff"))})
	cred("bad-b64-key", Entity{"secret": "not base64!"})
	g.add("jwt", Entity{"key": "orphan", "secret": "s", "consumer": map[string]any{"id": "consumer-gone"}})

	plugin := func(path string, config map[string]any) {
		r, _ := g.route(path)
		g.add("plugins", Entity{"name": "jwt", "route": map[string]any{"id": r}, "config": config})
	}
	plugin("/jwt", nil)
	plugin("/claims", map[string]any{"claims_to_verify": []any{"exp", "nbf"}, "maximum_expiration": 3600.0})
	plugin("/custom", map[string]any{"cookie_names": []any{"auth_token"}, "header_names": []any{"x_token"}, "uri_param_names": []any{"token"},
		"key_claim_name": "kid", "realm": "api", "run_on_preflight": false})
	plugin("/anon", map[string]any{"anonymous": "anon"})
	plugin("/b64", map[string]any{"secret_is_base64": true})

	hs := func(claims map[string]any, header ...map[string]any) string {
		return signJWT(t, "HS256", hsSecret, claims, header...)
	}
	now := time.Now().Unix()
	good := hs(map[string]any{"iss": "hs-key", "sub": "x"})
	aliceHeaders := map[string]string{"X-Consumer-Id": alice, "X-Consumer-Username": "alice", "X-Consumer-Custom-Id": "a-1",
		"X-Credential-Identifier": "hs-key", "X-Anonymous-Consumer": "", "Authorization": "Bearer " + good}
	const invalid = `Bearer error="invalid_token"`
	refused := func(name string, h http.Header, message string) authCase {
		body, _ := json.Marshal(map[string]string{"message": message})
		return authCase{name: name, path: "/jwt", header: h, status: 401, challenge: invalid, exactBody: string(body)}
	}
	bearer := func(token string) http.Header { return authHeaders("Authorization", "Bearer "+token) }
	claimsRefused := func(name string, token, body string) authCase {
		return authCase{name: name, path: "/claims", header: bearer(token), status: 401, challenge: invalid, exactBody: body}
	}
	parts := strings.Split(good, ".")
	parts[1] = encodeJWTSegment([]byte(`{"iss":"hs-key","sub":"y"}`))
	tampered := strings.Join(parts, ".")
	hsHeader := `{"alg":"HS256","typ":"JWT"}`
	hsSign := func(signed []byte) []byte { return signWith(t, "HS256", hsSecret, signed) }

	cases := []authCase{
		{name: "no token", path: "/jwt", status: 401, challenge: "Bearer", exactBody: `{"message":"Unauthorized"}`},
		{name: "bearer without a token", path: "/jwt", header: authHeaders("Authorization", "Bearer"), status: 401, challenge: "Bearer", message: "Unauthorized"},
		{name: "empty query token", path: "/jwt?jwt=", status: 401, challenge: "Bearer", message: "Unauthorized"},
		refused("garbage", bearer("garbage"), "Bad token; invalid JSON"),
		refused("huge token", bearer(strings.Repeat("eyJh", 2000)+"."), "Bad token; invalid JSON"),
		refused("two segments", bearer("eyJhbGciOiJIUzI1NiJ9.e30"), "Bad token; invalid JSON"),
		refused("claims not JSON", bearer(rawJWT(hsHeader, "{nope", hsSign)), "Bad token; invalid JSON"),
		refused("header not base64", bearer("!!!."+encodeJWTSegment([]byte("{}"))+".sig"), "Bad token; invalid JSON"),
		refused("alg none", bearer(rawJWT(`{"alg":"none"}`, `{"iss":"hs-key"}`, nil)), "Bad token; invalid alg"),
		refused("alg not a string", bearer(rawJWT(`{"alg":256}`, `{"iss":"hs-key"}`, nil)), "Bad token; invalid alg"),
		refused("header is an array", bearer(rawJWT(`["HS256"]`, `{"iss":"hs-key"}`, nil)), "Bad token; invalid alg"),
		refused("claims false", bearer(rawJWT(hsHeader, `false`, hsSign)), "Bad token; invalid claims"),
		refused("signature not base64", bearer(encodeJWTSegment([]byte(hsHeader))+"."+encodeJWTSegment([]byte(`{"iss":"hs-key"}`))+".a*b"),
			"Bad token; invalid signature"),
		refused("no iss", bearer(hs(map[string]any{"sub": "x"})), "No mandatory 'iss' in claims"),
		refused("claims are an array", bearer(rawJWT(hsHeader, `["hs-key"]`, hsSign)), "No mandatory 'iss' in claims"),
		refused("empty iss", bearer(hs(map[string]any{"iss": ""})), "Invalid 'iss' in claims"),
		refused("unknown iss", bearer(hs(map[string]any{"iss": "who"})), "No credentials found for given 'iss'"),
		refused("numeric iss", bearer(hs(map[string]any{"iss": 42})), "No credentials found for given 'iss'"),
		refused("algorithm other than the credential's", bearer(signJWT(t, "HS512", hsSecret, map[string]any{"iss": "hs-key"})), "Invalid algorithm"),
		refused("wrong secret", bearer(signJWT(t, "HS256", []byte("other"), map[string]any{"iss": "hs-key"})), "Invalid signature"),
		refused("empty signature", bearer(rawJWT(hsHeader, `{"iss":"hs-key"}`, nil)), "Invalid signature"),
		refused("tampered claims", bearer(tampered), "Invalid signature"),
		refused("RS256 signed by another key", bearer(signJWT(t, "RS256", keys.otherRSA, map[string]any{"iss": "rs-key"})), "Invalid signature"),
		refused("ES256 signature of the wrong size", bearer(rawJWT(`{"alg":"ES256"}`, `{"iss":"es-key"}`, func([]byte) []byte { return []byte("short") })),
			"Invalid signature"),
		refused("HS256 token for an RS256 credential", bearer(signJWT(t, "HS256", []byte(publicPEM(t, &keys.rsa.PublicKey)), map[string]any{"iss": "rs-key"})),
			"Invalid algorithm"),
		refused("two different tokens", bearer(good), "Multiple tokens provided").withPath("/jwt?jwt=" + url.QueryEscape(hs(map[string]any{"iss": "hs-key", "n": 2}))),
		refused("query parameter without a value", nil, "Unrecognizable token").withPath("/jwt?jwt"),
		refused("bare and valued query parameters", nil, "Multiple tokens provided").withPath("/jwt?jwt&jwt=" + good),
		{name: "orphan credential", path: "/jwt", header: bearer(signJWT(t, "HS256", []byte("s"), map[string]any{"iss": "orphan"})), status: 401,
			exactBody: `{"message":"Could not find consumer for 'iss=orphan'"}`},
		{name: "valid HS256 in the header", path: "/jwt", header: bearer(good), status: 200, upstream: aliceHeaders},
		{name: "lower-case bearer", path: "/jwt", header: authHeaders("Authorization", "bearer "+good), status: 200,
			upstream: map[string]string{"X-Credential-Identifier": "hs-key"}},
		{name: "valid in the query", path: "/jwt?jwt=" + good, status: 200, upstream: map[string]string{"X-Consumer-Username": "alice"}},
		{name: "same token twice", path: "/jwt?jwt=" + good, header: bearer(good), status: 200, upstream: map[string]string{"X-Consumer-Username": "alice"}},
		{name: "key in the token header", path: "/jwt", header: bearer(hs(map[string]any{"sub": "x"}, map[string]any{"iss": "hs-key"})), status: 200,
			upstream: map[string]string{"X-Credential-Identifier": "hs-key"}},
		{name: "HS512", path: "/jwt", header: bearer(signJWT(t, "HS512", []byte("hs512-secret"), map[string]any{"iss": "hs512-key"})), status: 200,
			upstream: map[string]string{"X-Credential-Identifier": "hs512-key"}},
		{name: "RS256", path: "/jwt", header: bearer(signJWT(t, "RS256", keys.rsa, map[string]any{"iss": "rs-key"})), status: 200,
			upstream: map[string]string{"X-Credential-Identifier": "rs-key"}},
		{name: "RS512", path: "/jwt", header: bearer(signJWT(t, "RS512", keys.rsa, map[string]any{"iss": "rs512-key"})), status: 200,
			upstream: map[string]string{"X-Credential-Identifier": "rs512-key"}},
		{name: "PS256", path: "/jwt", header: bearer(signJWT(t, "PS256", keys.rsa, map[string]any{"iss": "ps-key"})), status: 200,
			upstream: map[string]string{"X-Credential-Identifier": "ps-key"}},
		{name: "ES256", path: "/jwt", header: bearer(signJWT(t, "ES256", keys.ec, map[string]any{"iss": "es-key"})), status: 200,
			upstream: map[string]string{"X-Credential-Identifier": "es-key"}},
		{name: "EdDSA", path: "/jwt", header: bearer(signJWT(t, "EdDSA", keys.ed, map[string]any{"iss": "ed-key"})), status: 200,
			upstream: map[string]string{"X-Credential-Identifier": "ed-key"}},
		{name: "preflight authenticated by default", method: http.MethodOptions, path: "/jwt", status: 401, challenge: "Bearer", message: "Unauthorized"},

		claimsRefused("expired", hs(map[string]any{"iss": "hs-key", "exp": now - 10, "nbf": now - 20}), `{"exp":"token expired"}`),
		claimsRefused("expiring now", hs(map[string]any{"iss": "hs-key", "exp": now, "nbf": now - 20}), `{"exp":"token expired"}`),
		claimsRefused("not valid yet", hs(map[string]any{"iss": "hs-key", "exp": now + 60, "nbf": now + 30}), `{"nbf":"token not valid yet"}`),
		claimsRefused("both wrong", hs(map[string]any{"iss": "hs-key", "exp": now - 10, "nbf": now + 30}),
			`{"exp":"token expired","nbf":"token not valid yet"}`),
		claimsRefused("not numbers", hs(map[string]any{"iss": "hs-key", "exp": "soon"}), `{"exp":"must be a number","nbf":"must be a number"}`),
		claimsRefused("beyond maximum_expiration", hs(map[string]any{"iss": "hs-key", "exp": now + 7200, "nbf": now}),
			`{"exp":"exceeds maximum allowed expiration"}`),
		{name: "claims valid", path: "/claims", header: bearer(hs(map[string]any{"iss": "hs-key", "exp": now + 600, "nbf": now - 1})),
			status: 200, upstream: map[string]string{"X-Consumer-Username": "alice"}},

		{name: "custom: cookie", path: "/custom", header: authHeaders("Cookie", "other=1; AUTH_TOKEN="+hs(map[string]any{"kid": "hs-key"})),
			status: 200, upstream: map[string]string{"X-Credential-Identifier": "hs-key"}},
		{name: "custom: header with '_' in its configured name", path: "/custom", header: authHeaders("X-Token", "Bearer "+hs(map[string]any{"kid": "hs-key"})),
			status: 200, upstream: map[string]string{"X-Credential-Identifier": "hs-key"}},
		{name: "custom: query parameter", path: "/custom?token=" + hs(map[string]any{"kid": "hs-key"}), status: 200},
		{name: "custom: Authorization is not read", path: "/custom", header: bearer(hs(map[string]any{"kid": "hs-key"})),
			status: 401, challenge: `Bearer realm="api"`, exactBody: `{"message":"Unauthorized"}`},
		{name: "custom: key claim", path: "/custom", header: authHeaders("X-Token", "Bearer "+good), status: 401,
			challenge: `Bearer realm="api" error="invalid_token"`, exactBody: `{"message":"No mandatory 'kid' in claims"}`},
		{name: "custom: preflight skipped", method: http.MethodOptions, path: "/custom", status: 200},

		{name: "anonymous without a token", path: "/anon", status: 200,
			upstream: map[string]string{"X-Consumer-Id": anon, "X-Consumer-Username": "anon", "X-Anonymous-Consumer": "true", "X-Credential-Identifier": ""}},
		{name: "anonymous with a bad token", path: "/anon", header: bearer("garbage"), status: 200,
			upstream: map[string]string{"X-Consumer-Username": "anon", "X-Anonymous-Consumer": "true"}},
		{name: "anonymous configured, valid token", path: "/anon", header: bearer(good), status: 200, upstream: aliceHeaders},

		{name: "secret_is_base64", path: "/b64", header: bearer(signJWT(t, "HS256", []byte("raw\x00secret\xff"), map[string]any{"iss": "b64-key"})),
			status: 200, upstream: map[string]string{"X-Credential-Identifier": "b64-key"}},
		{name: "secret_is_base64 with a secret that is not", path: "/b64", header: bearer(hs(map[string]any{"iss": "bad-b64-key"})),
			status: 401, challenge: invalid, exactBody: `{"message":"Invalid key\/secret"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, g)
		})
	}
}

func TestParseJWT(t *testing.T) {
	t.Parallel()
	seg := func(s string) string { return encodeJWTSegment([]byte(s)) }
	cases := []struct {
		name, token string
		err         error
		alg         string
	}{
		{"valid", seg(`{"alg":"HS256"}`) + "." + seg(`{"iss":"k"}`) + "." + seg("sig"), nil, "HS256"},
		{"padded segments", base64.URLEncoding.EncodeToString([]byte(`{"alg":"RS256"}`)) + "." + seg(`{}`) + ".", nil, "RS256"},
		{"dots in the signature are kept", seg(`{"alg":"HS256"}`) + "." + seg(`{}`) + ".a.b", errJWTSignature, ""},
		{"one segment", seg(`{"alg":"HS256"}`), errJWTJSON, ""},
		{"empty", "", errJWTJSON, ""},
		{"empty header", "." + seg(`{}`) + ".", errJWTJSON, ""},
		{"trailing data after the header", seg(`{"alg":"HS256"} x`) + "." + seg(`{}`) + ".", errJWTJSON, ""},
		{"unknown alg", seg(`{"alg":"HS1"}`) + "." + seg(`{}`) + ".", errJWTAlg, ""},
		{"header a string", seg(`"HS256"`) + "." + seg(`{}`) + ".", errJWTAlg, ""},
		{"claims null", seg(`{"alg":"HS256"}`) + "." + seg(`null`) + ".", errJWTClaims, ""},
		{"claims a number", seg(`{"alg":"HS256"}`) + "." + seg(`7`) + ".", errJWTClaims, ""},
		{"claims a string", seg(`{"alg":"HS256"}`) + "." + seg(`"x"`) + ".", nil, "HS256"},
		{"signature length impossible", seg(`{"alg":"HS256"}`) + "." + seg(`{}`) + ".abcde", errJWTSignature, ""},
	}
	for _, c := range cases {
		tok, err := parseJWT(c.token)
		if err != c.err { //nolint:errorlint // the sentinels are returned as they are
			t.Errorf("%s: error %v, want %v", c.name, err, c.err)
			continue
		}
		if err == nil && tok.alg != c.alg {
			t.Errorf("%s: alg %q, want %q", c.name, tok.alg, c.alg)
		}
	}
}

func TestFindJWTTokens(t *testing.T) {
	t.Parallel()
	req, _ := http.NewRequest(http.MethodGet, "/p?jwt=a&other=b&jwt=a&token&jwt=%2Bc", nil)
	req.Header.Add("Cookie", "x=1; Session=s1")
	req.Header.Add("Cookie", "session=s2")
	req.Header.Add("Authorization", "Token Bearer  h1")
	req.Header.Add("Authorization", "Bearer h2")
	got := findJWTTokens(req, []string{"jwt", "token"}, []string{"session", "missing"}, []string{"authorization"})
	want := []jwtCandidate{{value: "a"}, {value: "+c"}, {bare: true}, {value: "s1"}, {value: "h1"}}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("token %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestBearerToken(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"Bearer abc": "abc", "bearer  abc": "abc", "xBearer\tabc def": "abc def", "Bearer": "", "Bearer ": "", "Basic abc": ""} {
		got, ok := bearerToken(in)
		if got != want || ok != (want != "") {
			t.Errorf("bearerToken(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func FuzzJWTToken(f *testing.F) {
	seg := func(s string) string { return encodeJWTSegment([]byte(s)) }
	for _, s := range []string{
		seg(`{"alg":"HS256","typ":"JWT"}`) + "." + seg(`{"iss":"k","exp":1}`) + "." + seg("sig"),
		seg(`{"alg":"ES256"}`) + "." + seg(`[]`) + ".",
		"a.b.c.d", "..", "", "e30.e30.e30", seg(`{"alg":"EdDSA","iss":"h"}`) + "." + seg(`false`) + ".x",
		"\x00.\xff.=",
	} {
		f.Add(s)
	}
	secret := []byte("fuzz-secret")
	brokenPEM := []byte("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n")
	f.Fuzz(func(t *testing.T, input string) {
		// As a token: no panic, and what parses keeps its segments.
		if tok, err := parseJWT(input); err == nil {
			if tok.headerSeg+"."+tok.claimsSeg+"."+tok.signatureSeg != input {
				t.Fatalf("segments of %q do not rebuild it", input)
			}
			_ = tok.verify(secret)
			_ = tok.verify(brokenPEM)
			_ = tok.checkClaims([]string{"exp", "nbf"}, 1e9)
			_, _ = tok.claim("iss")
		}
		if tok, ok := bearerToken("Bearer " + input); ok && strings.TrimLeft(input, " \t\r\n\f") == input && !strings.Contains(input, "\n") && tok != input {
			t.Fatalf("bearer round trip of %q gave %q", input, tok)
		}
		// As a claim: a token signed over it parses, verifies and gives it back.
		claims := jwtTestJSON(t, map[string]any{"iss": input})
		token := rawJWT(`{"alg":"HS256"}`, string(claims), func(signed []byte) []byte {
			return signWith(t, "HS256", secret, signed)
		})
		tok, err := parseJWT(token)
		if err != nil {
			t.Fatalf("own token %q: %v", token, err)
		}
		if !tok.verify(secret) || tok.verify([]byte("other")) {
			t.Fatalf("signature check wrong for %q", token)
		}
		// JSON carries text: invalid UTF-8 comes back as U+FFFD, as encoding/json wrote it.
		var want map[string]any
		_ = json.Unmarshal(claims, &want)
		if v, _ := tok.claim("iss"); v != want["iss"] {
			t.Fatalf("claim %q, want %q", v, want["iss"])
		}
	})
}

func jwtTestJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
