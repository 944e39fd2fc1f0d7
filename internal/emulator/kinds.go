package emulator

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
	"sort"
	"strconv"
	"strings"
)

// The kinds of core entity, with Kong's uniqueness, references and cascades (see
// kong-behaviour notes §5). Kinds only referenced from here (consumer group members) have no
// path of their own.
var (
	kindServices = &kindSpec{name: "services", display: "service", schema: "Service", endpointKey: "name",
		unique: []uniqueKey{{fields: []string{"name"}, report: "name"}},
		refs: []refSpec{{field: "client_certificate", kind: "certificates"}, // restrict, as every ref without cascade
			{field: "ca_certificates", kind: "ca_certificates", list: true}},
		updatedAt: true, prepare: prepareService}
	kindRoutes = &kindSpec{name: "routes", display: "route", schema: "Route", endpointKey: "name",
		unique:    []uniqueKey{{fields: []string{"name"}, report: "name"}},
		refs:      []refSpec{{field: "service", kind: "services"}}, // restrict: a service with routes cannot go
		updatedAt: true, prepare: prepareRoute}
	kindConsumers = &kindSpec{name: "consumers", display: "consumer", schema: "Consumer", endpointKey: "username",
		unique:    []uniqueKey{{fields: []string{"username"}, report: "username"}, {fields: []string{"custom_id"}, report: "custom_id"}},
		updatedAt: true, prepare: prepareConsumer}
	kindConsumerGroups = &kindSpec{name: "consumer_groups", display: "consumer_group", schema: "ConsumerGroup", endpointKey: "name",
		unique: []uniqueKey{{fields: []string{"name"}, report: "name"}}, updatedAt: true}
	kindConsumerGroupMembers = &kindSpec{name: "consumer_group_consumers", display: "consumer_group_consumer",
		unique: []uniqueKey{{fields: []string{"consumer_group", "consumer"}, report: "consumer"}},
		refs:   []refSpec{{field: "consumer_group", kind: "consumer_groups", cascade: true}, {field: "consumer", kind: "consumers", cascade: true}}}
	kindPlugins = &kindSpec{name: "plugins", display: "plugin", schema: "Plugin",
		unique: []uniqueKey{
			{fields: []string{"name", "service", "route", "consumer", "consumer_group"}, report: "name"},
			{fields: []string{"instance_name"}, report: "instance_name"},
		},
		refs: []refSpec{{field: "service", kind: "services", cascade: true}, {field: "route", kind: "routes", cascade: true},
			{field: "consumer", kind: "consumers", cascade: true}, {field: "consumer_group", kind: "consumer_groups", cascade: true}},
		updatedAt: true, prepare: preparePlugin}
	kindKeyAuth = &kindSpec{name: "key-auth", display: "keyauth_credential", schema: "KeyAuth",
		unique: []uniqueKey{{fields: []string{"key"}, report: "key"}},
		refs:   []refSpec{{field: "consumer", kind: "consumers", cascade: true}}, prepare: prepareKeyAuth}
	kindBasicAuth = &kindSpec{name: "basic-auth", display: "basicauth_credential", schema: "BasicAuth",
		unique: []uniqueKey{{fields: []string{"username"}, report: "username"}},
		refs:   []refSpec{{field: "consumer", kind: "consumers", cascade: true}}, prepare: prepareBasicAuth}
	kindJWT = &kindSpec{name: "jwt", display: "jwt_secret", schema: "JWT",
		unique: []uniqueKey{{fields: []string{"key"}, report: "key"}},
		refs:   []refSpec{{field: "consumer", kind: "consumers", cascade: true}}, prepare: prepareJWT}
	kindHMACAuth = &kindSpec{name: "hmac-auth", display: "hmacauth_credential", schema: "HMACAuth",
		unique: []uniqueKey{{fields: []string{"username"}, report: "username"}},
		refs:   []refSpec{{field: "consumer", kind: "consumers", cascade: true}}, prepare: prepareHMACAuth}
	kindACLs = &kindSpec{name: "acls", display: "acl", schema: "ACL",
		unique: []uniqueKey{{fields: []string{"consumer", "group"}, report: "group"}},
		refs:   []refSpec{{field: "consumer", kind: "consumers", cascade: true}}}
	kindUpstreams = &kindSpec{name: "upstreams", display: "upstream", schema: "Upstream", endpointKey: "name",
		unique: []uniqueKey{{fields: []string{"name"}, report: "name"}},
		refs:   []refSpec{{field: "client_certificate", kind: "certificates"}}, updatedAt: true}
	kindTargets = &kindSpec{name: "targets", display: "target", schema: "Target",
		unique:    []uniqueKey{{fields: []string{"upstream", "target"}, report: "target"}},
		refs:      []refSpec{{field: "upstream", kind: "upstreams", cascade: true}},
		updatedAt: true, prepare: prepareTarget}
	kindCertificates = &kindSpec{name: "certificates", display: "certificate", schema: "Certificate",
		updatedAt: true, prepare: prepareCertificate}
	kindSNIs = &kindSpec{name: "snis", display: "sni", schema: "SNI", endpointKey: "name",
		unique:    []uniqueKey{{fields: []string{"name"}, report: "name"}},
		refs:      []refSpec{{field: "certificate", kind: "certificates", cascade: true}},
		updatedAt: true}
	kindCACertificates = &kindSpec{name: "ca_certificates", display: "ca_certificate", schema: "CACertificate",
		unique: []uniqueKey{{fields: []string{"cert_digest"}, report: "cert_digest"}}, updatedAt: true, prepare: prepareCACertificate}
	kindVaults = &kindSpec{name: "vaults", display: "vault", schema: "Vault", endpointKey: "prefix",
		unique: []uniqueKey{{fields: []string{"prefix"}, report: "prefix"}}, updatedAt: true}
	kindKeySets = &kindSpec{name: "key-sets", display: "key_set", schema: "KeySet", endpointKey: "name",
		unique: []uniqueKey{{fields: []string{"name"}, report: "name"}}, updatedAt: true}
	kindKeys = &kindSpec{name: "keys", display: "key", schema: "Key", endpointKey: "name",
		unique: []uniqueKey{{fields: []string{"name"}, report: "name"}, {fields: []string{"kid", "set"}, report: "kid"}},
		refs:   []refSpec{{field: "set", kind: "key-sets", cascade: true}}, updatedAt: true, prepare: prepareKey}
)

var allKinds = []*kindSpec{kindServices, kindRoutes, kindConsumers, kindConsumerGroups, kindConsumerGroupMembers,
	kindPlugins, kindKeyAuth, kindBasicAuth, kindJWT, kindHMACAuth, kindACLs, kindUpstreams, kindTargets,
	kindCertificates, kindSNIs, kindCACertificates, kindVaults, kindKeySets, kindKeys}

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
func prepareService(_ *writeCtx, e entity) *apiError {
	if h, _ := e["host"].(string); h == "" {
		return fieldError("host", "required field missing")
	}
	if p, ok := e["path"].(string); ok && !strings.HasPrefix(p, "/") {
		return fieldError("path", "should start with: /")
	}
	return nil
}

func prepareRoute(_ *writeCtx, e entity) *apiError {
	if _, ok := e["protocols"]; !ok {
		e["protocols"] = []any{"http", "https"}
	}
	protocols := stringList(e["protocols"])
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
		if !has("methods") && !has("hosts") && !has("headers") && !has("paths") && (!has("snis") || !contains(protocols, "https")) {
			proto := "http"
			if !contains(protocols, "http") {
				proto = "https"
			}
			return validationError(detail(detailEntity, "", "must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is '"+proto+"'"))
		}
	}
	for i, p := range stringList(e["paths"]) {
		field := "paths[" + strconv.Itoa(i) + "]"
		if !strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "~/") {
			return fieldError(field, "should start with: / (fixed path) or ~/ (regex path)")
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
				return fieldError("headers", "cannot contain 'host' header, which must be specified in the 'hosts' attribute")
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
func checkRegex(field, value, pattern string) *apiError {
	if _, err := regexp.Compile(pattern); err != nil {
		reason := err.Error()
		var syntax *syntax.Error
		if errors.As(err, &syntax) {
			reason = string(syntax.Code) + ": `" + syntax.Expr + "`"
		}
		return fieldError(field, "invalid regex: '"+value+"' ("+reason+")")
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func prepareConsumer(_ *writeCtx, e entity) *apiError {
	u, _ := e["username"].(string)
	c, _ := e["custom_id"].(string)
	if u == "" && c == "" {
		return validationError(detail(detailEntity, "", "at least one of these fields must be non-empty: 'custom_id', 'username'"))
	}
	return nil
}

func preparePlugin(c *writeCtx, e entity) *apiError {
	return normalizePlugin(c, e)
}

func prepareKeyAuth(_ *writeCtx, e entity) *apiError {
	if k, _ := e["key"].(string); k == "" {
		e["key"] = randomKey()
	}
	return nil
}

// prepareBasicAuth stores the password as Kong does, SHA-1 of password and consumer id. Every
// write hashes what it is given, even a value equal to the stored hash: Konnect does too, so
// an upsert that sends back what it read changes the password.
func prepareBasicAuth(_ *writeCtx, e entity) *apiError {
	pw, _ := e["password"].(string)
	if pw == "" {
		return fieldError("password", "required field missing")
	}
	sum := sha1.Sum([]byte(pw + refID(e["consumer"]))) //nolint:gosec // see the import
	e["password"] = hex.EncodeToString(sum[:])
	return nil
}

func prepareJWT(_ *writeCtx, e entity) *apiError {
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
		return fieldError("rsa_public_key", "required field missing")
	}
	if block, _ := pem.Decode([]byte(pub)); block == nil {
		return fieldError("rsa_public_key", "invalid key")
	}
	return nil
}

func prepareHMACAuth(_ *writeCtx, e entity) *apiError {
	if s, _ := e["secret"].(string); s == "" {
		e["secret"] = randomKey()
	}
	return nil
}

// prepareTarget adds Kong's default port (8000) to a target without one.
func prepareTarget(_ *writeCtx, e entity) *apiError {
	t, _ := e["target"].(string)
	if t == "" {
		return fieldError("target", "required field missing")
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

func validPEM(field, value, kind string) *apiError {
	block, _ := pem.Decode([]byte(value))
	if block == nil {
		return fieldError(field, "invalid "+kind+": cannot parse PEM")
	}
	return nil
}

func prepareCertificate(_ *writeCtx, e entity) *apiError {
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

func prepareCACertificate(_ *writeCtx, e entity) *apiError {
	cert, _ := e["cert"].(string)
	block, _ := pem.Decode([]byte(cert))
	if block == nil {
		return fieldError("cert", "invalid certificate: cannot parse PEM")
	}
	sum := sha256.Sum256(block.Bytes)
	e["cert_digest"] = hex.EncodeToString(sum[:])
	return nil
}

func prepareKey(_ *writeCtx, e entity) *apiError {
	_, hasJWK := e["jwk"].(string)
	_, hasPEM := e["pem"].(map[string]any)
	if !hasJWK && !hasPEM {
		return validationError(detail(detailEntity, "", "at least one of these fields must be non-empty: 'jwk', 'pem'"))
	}
	return nil
}
