package datakit

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// The jwt_* nodes: tokens with golang-jwt, keys as PEM, JWK or JWKS (go-jose), or an HMAC
// secret.

func stripBearer(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 7 && strings.EqualFold(s[:7], "bearer ") {
		s = strings.TrimSpace(s[7:])
	}
	return s
}

func tokenInput(v any) (string, error) {
	s, ok := v.(string)
	if !ok || strings.TrimSpace(s) == "" {
		return "", fmt.Errorf("expected a token string, got %s", typeName(v))
	}
	return stripBearer(s), nil
}

func runJWTDecode(_ context.Context, _ *Run, in input) (any, error) {
	raw, err := tokenInput(in.self)
	if err != nil {
		return nil, err
	}
	claims := jwt.MapClaims{}
	t, parts, err := jwt.NewParser().ParseUnverified(raw, claims)
	if err != nil {
		return nil, fmt.Errorf("invalid token: %w", err)
	}
	return map[string]any{"header": cloneJSON(t.Header), "payload": cloneJSON(map[string]any(claims)), "signature": parts[2]}, nil
}

type jwtSign struct {
	method    jwt.SigningMethod
	alg       string
	expiresIn int64
	notBefore int64
	kid, typ  string
	static    map[string]any
	now       func() time.Time
}

func newJWTSign(m map[string]any, fail func(string, string, ...any) error) (executor, error) {
	j := &jwtSign{alg: m["algorithm"].(string), expiresIn: int64(m["expires_in"].(float64)),
		notBefore: int64(m["not_before"].(float64)), typ: m["typ"].(string), static: m["static_claims"].(map[string]any), now: time.Now}
	j.kid, _ = m["kid"].(string)
	if j.method = jwt.GetSigningMethod(j.alg); j.method == nil {
		return nil, fail("algorithm", "unsupported algorithm %q", j.alg)
	}
	return j, nil
}

func (j *jwtSign) run(_ context.Context, _ *Run, in input) (any, error) {
	kv, _ := in.field("key")
	if kv == nil {
		return nil, errors.New("signing key is missing")
	}
	key, kid, err := parseKey(j.alg, kv, true, "")
	if err != nil {
		return nil, err
	}
	claims := map[string]any{}
	if cv, _ := in.field("claims"); cv != nil {
		m, ok := cv.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("claims: expected an object, got %s", typeName(cv))
		}
		for k, v := range m {
			claims[k] = v
		}
	}
	for k, v := range j.static { // static claims are always included
		claims[k] = v
	}
	now := j.now().Unix()
	setDefault := func(k string, v int64) {
		if _, ok := claims[k]; !ok {
			claims[k] = float64(v)
		}
	}
	setDefault("iat", now)
	setDefault("nbf", now+j.notBefore)
	if j.expiresIn > 0 {
		setDefault("exp", now+j.expiresIn)
	}
	t := jwt.NewWithClaims(j.method, jwt.MapClaims(claims))
	t.Header["typ"] = j.typ
	if j.kid != "" {
		kid = j.kid
	}
	if kid != "" {
		t.Header["kid"] = kid
	}
	signed, err := t.SignedString(key)
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	return map[string]any{"token": signed, "claims": cloneJSON(claims), "header": cloneJSON(t.Header)}, nil
}

type jwtVerify struct {
	allowed                  []string
	audiences, issuers, reqd []string
	leeway                   time.Duration
	validateExp, validateNbf bool
	now                      func() time.Time
}

func stringsOf(v any) []string {
	a, _ := v.([]any)
	out := make([]string, 0, len(a))
	for _, e := range a {
		out = append(out, e.(string))
	}
	return out
}

func newJWTVerify(m map[string]any, _ func(string, string, ...any) error) (executor, error) {
	j := &jwtVerify{allowed: stringsOf(m["allowed_algorithms"]), audiences: stringsOf(m["audiences"]),
		issuers: stringsOf(m["issuers"]), reqd: stringsOf(m["required_claims"]),
		leeway:      time.Duration(m["leeway"].(float64)) * time.Second,
		validateExp: m["validate_exp"].(bool), validateNbf: m["validate_nbf"].(bool), now: time.Now}
	if len(j.allowed) == 0 {
		j.allowed = algorithm
	}
	return j, nil
}

func (j *jwtVerify) run(_ context.Context, _ *Run, in input) (any, error) {
	tv, _ := in.field("token")
	raw, err := tokenInput(tv)
	if err != nil {
		return nil, err
	}
	kv, _ := in.field("key")
	if kv == nil {
		return nil, errors.New("verification key is missing")
	}
	claims := jwt.MapClaims{}
	t, err := jwt.NewParser(jwt.WithoutClaimsValidation(), jwt.WithValidMethods(j.allowed)).ParseWithClaims(raw, claims,
		func(t *jwt.Token) (any, error) {
			kid, _ := t.Header["kid"].(string)
			key, _, err := parseKey(t.Method.Alg(), kv, false, kid)
			return key, err
		})
	if err != nil {
		return nil, fmt.Errorf("invalid token: %w", err)
	}
	now := j.now()
	num := func(k string) (time.Time, bool) {
		f, ok := claims[k].(float64)
		return time.Unix(int64(f), 0), ok
	}
	if exp, ok := num("exp"); ok && j.validateExp && !now.Before(exp.Add(j.leeway)) {
		return nil, errors.New("token expired")
	}
	if nbf, ok := num("nbf"); ok && j.validateNbf && now.Add(j.leeway).Before(nbf) {
		return nil, errors.New("token not valid yet")
	}
	if len(j.issuers) > 0 {
		iss, _ := claims["iss"].(string)
		if !slices.Contains(j.issuers, iss) {
			return nil, errors.New("token issuer not allowed")
		}
	}
	if len(j.audiences) > 0 {
		aud, _ := claims.GetAudience()
		if !slices.ContainsFunc(aud, func(a string) bool { return slices.Contains(j.audiences, a) }) {
			return nil, errors.New("token audience not allowed")
		}
	}
	for _, c := range j.reqd {
		if _, ok := claims[c]; !ok {
			return nil, fmt.Errorf("token lacks the required claim %q", c)
		}
	}
	return map[string]any{"claims": cloneJSON(map[string]any(claims)), "header": cloneJSON(t.Header)}, nil
}

// parseKey reads a key for alg from a key input: an HMAC secret, a PEM key (or certificate
// when verifying), a JWK (object or JSON), or, when verifying, a JWKS (picked by kid, else
// the first key that fits alg). It also returns a JWK's kid.
func parseKey(alg string, v any, private bool, kid string) (any, string, error) {
	if m, ok := v.(map[string]any); ok {
		b, _ := json.Marshal(m)
		v = string(b)
	}
	s, ok := v.(string)
	if !ok {
		return nil, "", fmt.Errorf("key: expected a string or an object, got %s", typeName(v))
	}
	trimmed := strings.TrimSpace(s)
	family := alg[:2]
	switch {
	case strings.HasPrefix(trimmed, "{"):
		return jwkKey(alg, trimmed, private, kid)
	case strings.HasPrefix(trimmed, "-----BEGIN"):
		k, err := pemKey(family, []byte(trimmed), private)
		return k, "", err
	case family == "HS":
		return []byte(s), "", nil
	}
	return nil, "", fmt.Errorf("key: expected a PEM key or a JWK for %s", alg)
}

func pemKey(family string, b []byte, private bool) (any, error) {
	var k any
	var err error
	switch family {
	case "RS", "PS":
		if private {
			k, err = jwt.ParseRSAPrivateKeyFromPEM(b)
		} else if k, err = jwt.ParseRSAPublicKeyFromPEM(b); err != nil {
			if pk, perr := jwt.ParseRSAPrivateKeyFromPEM(b); perr == nil {
				k, err = pk.Public(), nil
			}
		}
	case "ES":
		if private {
			k, err = jwt.ParseECPrivateKeyFromPEM(b)
		} else if k, err = jwt.ParseECPublicKeyFromPEM(b); err != nil {
			if pk, perr := jwt.ParseECPrivateKeyFromPEM(b); perr == nil {
				k, err = pk.Public(), nil
			}
		}
	case "Ed":
		if private {
			k, err = jwt.ParseEdPrivateKeyFromPEM(b)
		} else if k, err = jwt.ParseEdPublicKeyFromPEM(b); err != nil {
			if pk, perr := jwt.ParseEdPrivateKeyFromPEM(b); perr == nil {
				k, err = pk.(crypto.Signer).Public(), nil
			}
		}
	default:
		return nil, errors.New("key: a PEM key does not fit an HMAC algorithm")
	}
	if err != nil {
		return nil, fmt.Errorf("key: %w", err)
	}
	return k, nil
}

func jwkKey(alg, s string, private bool, kid string) (any, string, error) {
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(s), &set); err == nil && len(set.Keys) > 0 {
		if private {
			return nil, "", errors.New("key: a JWKS cannot sign; give one JWK")
		}
		for _, k := range set.Keys {
			if (kid == "" || k.KeyID == kid) && (k.Algorithm == "" || k.Algorithm == alg) && keyFits(alg, k.Key) {
				return publicOf(k), k.KeyID, nil
			}
		}
		return nil, "", errors.New("key: no key of the JWKS fits the token")
	}
	var k jose.JSONWebKey
	if err := json.Unmarshal([]byte(s), &k); err != nil {
		return nil, "", fmt.Errorf("key: invalid JWK: %w", err)
	}
	if !keyFits(alg, k.Key) {
		return nil, "", fmt.Errorf("key: the JWK does not fit %s", alg)
	}
	if private {
		return k.Key, k.KeyID, nil
	}
	return publicOf(k), k.KeyID, nil
}

func publicOf(k jose.JSONWebKey) any {
	if b, ok := k.Key.([]byte); ok {
		return b
	}
	if k.IsPublic() {
		return k.Key
	}
	return k.Public().Key
}

// keyFits says whether a key's type is the one alg signs with.
func keyFits(alg string, key any) bool {
	name := fmt.Sprintf("%T", key)
	switch alg[:2] {
	case "HS":
		return name == "[]uint8"
	case "RS", "PS":
		return strings.Contains(name, "rsa.")
	case "ES":
		return strings.Contains(name, "ecdsa.")
	case "Ed":
		return strings.Contains(name, "ed25519.")
	}
	return false
}
