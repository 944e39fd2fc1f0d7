package domain

import (
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // Kong stores basic-auth passwords as SHA-1(password .. consumer id); matching it is the point.
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"regexp"
	"regexp/syntax"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// The rules Kong applies to each kind on write (see the kong-behaviour notes §4.1, §5).

// randomKey is Kong's generated credential: 24 random bytes, base64 with '/' and '+' replaced:
// 32 characters of [A-Za-z0-9].
func randomKey() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	s := base64.StdEncoding.EncodeToString(b)
	r := strings.NewReplacer("/", string("ABCDEFGHIJKLMNOPQRSTUVWXYZ"[b[0]%26]), "+", string("abcdefghijklmnopqrstuvwxyz"[b[1]%26]))
	return r.Replace(s)
}

// prepareService checks what the spec cannot say; the url shorthand was expanded before the
// spec's validation (shorthands.go).
func prepareService(_ *WriteContext, e Entity) error {
	if h, _ := e["host"].(string); h == "" {
		return fieldError("services", "host", "required field missing")
	}
	if p, ok := e["path"].(string); ok && !strings.HasPrefix(p, "/") {
		return fieldError("services", "path", "should start with: /")
	}
	return nil
}

func prepareRoute(_ *WriteContext, e Entity) error {
	if _, ok := e["protocols"]; !ok {
		e["protocols"] = []any{"http", "https"}
	}
	protocols := StringList(e["protocols"])
	httpish := false
	for _, p := range protocols {
		if p == "http" || p == "https" {
			httpish = true
		}
	}
	if httpish {
		has := func(f string) bool {
			switch v := e[f].(type) {
			case []any:
				return len(v) > 0
			case map[string]any:
				return len(v) > 0
			}
			return false
		}
		if !has("methods") && !has("hosts") && !has("headers") && !has("paths") && (!has("snis") || !slices.Contains(protocols, "https")) {
			proto := "http"
			if !slices.Contains(protocols, "http") {
				proto = "https"
			}
			return entityError("routes", "must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is '"+proto+"'")
		}
	}
	for i, p := range StringList(e["paths"]) {
		field := "paths[" + strconv.Itoa(i) + "]"
		if !strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "~/") {
			return fieldError("routes", field, "should start with: / (fixed path) or ~/ (regex path)")
		}
		// Compiled as the data plane's router compiles it: anchored at the start only.
		if rx, ok := strings.CutPrefix(p, "~"); ok {
			if aerr := checkRegex(field, p, "^(?:"+rx+")"); aerr != nil {
				return aerr
			}
		}
	}
	if headers, ok := e["headers"].(map[string]any); ok {
		names := make([]string, 0, len(headers))
		for name := range headers {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if strings.EqualFold(name, "host") {
				return fieldError("routes", "headers", "cannot contain 'host' header, which must be specified in the 'hosts' attribute")
			}
			values, _ := headers[name].([]any)
			for i, v := range values {
				s, _ := v.(string)
				if rx, ok := strings.CutPrefix(s, "~*"); ok {
					if aerr := checkRegex("headers."+name+"["+strconv.Itoa(i)+"]", s, "(?i)"+rx); aerr != nil {
						return aerr
					}
				}
			}
		}
	}
	return nil
}

// checkRegex refuses a route regex that does not compile, in Kong's words (Kong names PCRE's
// reason; ours is Go's, the engine the data plane matches with).
func checkRegex(field, value, pattern string) *SchemaViolation {
	if _, err := regexp.Compile(pattern); err != nil {
		reason := err.Error()
		var syntax *syntax.Error
		if errors.As(err, &syntax) {
			reason = string(syntax.Code) + ": `" + syntax.Expr + "`"
		}
		return fieldError("routes", field, "invalid regex: '"+value+"' ("+reason+")")
	}
	return nil
}

func prepareConsumer(_ *WriteContext, e Entity) error {
	u, _ := e["username"].(string)
	c, _ := e["custom_id"].(string)
	if u == "" && c == "" {
		return entityError("consumers", "at least one of these fields must be non-empty: 'custom_id', 'username'")
	}
	return nil
}

func prepareKeyAuth(_ *WriteContext, e Entity) error {
	if k, _ := e["key"].(string); k == "" {
		e["key"] = randomKey()
	}
	return nil
}

// prepareBasicAuth stores the password as Kong does, SHA-1 of password and consumer id. Every
// write hashes what it is given, even a value equal to the stored hash: Konnect does too, so
// an upsert that sends back what it read changes the password.
func prepareBasicAuth(c *WriteContext, e Entity) error {
	pw, _ := e["password"].(string)
	if pw == "" {
		return fieldError("basic-auth", "password", "required field missing")
	}
	if c.keepStoredHashes && c.Existing != nil && pw == c.Existing["password"] && RefID(e["consumer"]) == RefID(c.Existing["consumer"]) {
		return nil
	}
	sum := sha1.Sum([]byte(pw + RefID(e["consumer"]))) //nolint:gosec // see the import
	e["password"] = hex.EncodeToString(sum[:])
	return nil
}

func prepareJWT(_ *WriteContext, e Entity) error {
	if k, _ := e["key"].(string); k == "" {
		e["key"] = randomKey()
	}
	alg, _ := e["algorithm"].(string)
	if alg == "" {
		alg = "HS256"
	}
	if strings.HasPrefix(alg, "HS") {
		if s, _ := e["secret"].(string); s == "" {
			e["secret"] = randomKey()
		}
		return nil
	}
	pub, _ := e["rsa_public_key"].(string)
	if pub == "" {
		return fieldError("jwt", "rsa_public_key", "required field missing")
	}
	if block, _ := pem.Decode([]byte(pub)); block == nil {
		return fieldError("jwt", "rsa_public_key", "invalid key")
	}
	return nil
}

func prepareHMACAuth(_ *WriteContext, e Entity) error {
	if s, _ := e["secret"].(string); s == "" {
		e["secret"] = randomKey()
	}
	return nil
}

// prepareTarget adds Kong's default port (8000) to a target without one.
func prepareTarget(_ *WriteContext, e Entity) error {
	t, _ := e["target"].(string)
	if t == "" {
		return fieldError("targets", "target", "required field missing")
	}
	host := t
	if strings.HasPrefix(t, "[") {
		if i := strings.Index(t, "]"); i > 0 && !strings.Contains(t[i:], ":") {
			e["target"] = t + ":8000"
		}
		return nil
	}
	if !strings.Contains(host, ":") {
		e["target"] = t + ":8000"
	}
	return nil
}

func validPEM(field, value, kind string) *SchemaViolation {
	block, _ := pem.Decode([]byte(value))
	if block == nil {
		return fieldError("certificates", field, "invalid "+kind+": cannot parse PEM")
	}
	return nil
}

func prepareCertificate(_ *WriteContext, e Entity) error {
	cert, _ := e["cert"].(string)
	key, _ := e["key"].(string)
	if aerr := validPEM("cert", cert, "certificate"); aerr != nil {
		return aerr
	}
	if aerr := validPEM("key", key, "key"); aerr != nil {
		return aerr
	}
	return nil
}

func prepareCACertificate(_ *WriteContext, e Entity) error {
	cert, _ := e["cert"].(string)
	block, _ := pem.Decode([]byte(cert))
	if block == nil {
		return fieldError("ca_certificates", "cert", "invalid certificate: cannot parse PEM")
	}
	sum := sha256.Sum256(block.Bytes)
	e["cert_digest"] = hex.EncodeToString(sum[:])
	return nil
}

func prepareKey(_ *WriteContext, e Entity) error {
	_, hasJWK := e["jwk"].(string)
	_, hasPEM := e["pem"].(map[string]any)
	if !hasJWK && !hasPEM {
		return entityError("keys", "at least one of these fields must be non-empty: 'jwk', 'pem'")
	}
	return nil
}
