package emulator_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/dataplane"
)

// identityProvider is an identity provider that publishes its signing key as a JWKS, as Ping,
// Okta or Keycloak do: tokens are signed with its private key, and an operator turns the
// published JWK into the PEM a jwt credential holds (the "Ping flow").
type identityProvider struct {
	issuer string
	alg    jwa.SignatureAlgorithm
	key    jwk.Key // private, with its kid
	jwks   *httptest.Server
}

func newIdentityProvider(t *testing.T, alg string) *identityProvider {
	t.Helper()
	var raw any
	var err error
	switch alg {
	case "RS256":
		raw, err = rsa.GenerateKey(rand.Reader, 2048)
	case "ES256":
		raw, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		t.Fatalf("no key type for %s", alg)
	}
	if err != nil {
		t.Fatal(err)
	}
	key, err := jwk.Import(raw)
	if err != nil {
		t.Fatal(err)
	}
	signing, _ := jwa.LookupSignatureAlgorithm(alg)
	if err := key.Set(jwk.KeyIDKey, "signing-"+strings.ToLower(alg)); err != nil {
		t.Fatal(err)
	}
	if err := key.Set(jwk.AlgorithmKey, signing); err != nil {
		t.Fatal(err)
	}
	public, err := jwk.PublicKeyOf(key)
	if err != nil {
		t.Fatal(err)
	}
	set := jwk.NewSet()
	if err := set.AddKey(public); err != nil {
		t.Fatal(err)
	}
	published, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	idp := &identityProvider{alg: signing, key: key}
	idp.jwks = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/pf/JWKS" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(published)
	}))
	t.Cleanup(idp.jwks.Close)
	idp.issuer = idp.jwks.URL
	return idp
}

// publicKeyPEM is what the operator does: fetch the JWKS, pick the signing key by its kid and
// convert it to PEM for the credential's rsa_public_key.
func (idp *identityProvider) publicKeyPEM(t *testing.T) string {
	t.Helper()
	set, err := jwk.Fetch(context.Background(), idp.jwks.URL+"/pf/JWKS")
	if err != nil {
		t.Fatal(err)
	}
	kid, _ := idp.key.KeyID()
	key, found := set.LookupKeyID(kid)
	if !found {
		t.Fatalf("the JWKS has no key %s", kid)
	}
	pem, err := jwk.EncodePEM(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem)
}

// token is a token from this provider (iss is its issuer) expiring at exp, signed by signer
// (the provider itself, or an impostor's key).
func (idp *identityProvider) token(t *testing.T, signer *identityProvider, exp time.Time) string {
	t.Helper()
	return idp.tokenFrom(t, idp.issuer, signer, exp)
}

// tokenFrom is token with another iss.
func (idp *identityProvider) tokenFrom(t *testing.T, issuer string, signer *identityProvider, exp time.Time) string {
	t.Helper()
	tok, err := jwt.NewBuilder().Issuer(issuer).Subject("alice@example.com").IssuedAt(time.Now()).Expiration(exp).Build()
	if err != nil {
		t.Fatal(err)
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(signer.alg, signer.key))
	if err != nil {
		t.Fatal(err)
	}
	return string(signed)
}

// trustIdentityProvider gives the consumer a jwt credential for the provider: key = its
// issuer, algorithm = its, rsa_public_key = its JWKS key in PEM.
func trustIdentityProvider(t *testing.T, h *harness, consumerID string, idp *identityProvider) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"key": idp.issuer, "algorithm": idp.alg.String(), "rsa_public_key": idp.publicKeyPEM(t)})
	return h.post("/consumers/"+consumerID+"/jwt", string(body))
}

// decisionOf is the decision the named plugin made in a trace.
func decisionOf(t *testing.T, tr dataplane.TraceView, plugin string) dataplane.PluginView {
	t.Helper()
	for _, p := range tr.Plugins {
		if p.Name == plugin {
			return p
		}
	}
	t.Fatalf("%s did not run: %+v", plugin, tr.Plugins)
	return dataplane.PluginView{}
}

// mustContain fails unless s holds every one of the words.
func mustContain(t *testing.T, what, s string, words ...string) {
	t.Helper()
	for _, w := range words {
		if !strings.Contains(s, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, s)
		}
	}
}

// expectKongAnswer checks a refusal's status, JSON body (but its request_id, which Kong adds
// to the answers it makes itself) and WWW-Authenticate as Kong sends them.
func expectKongAnswer(t *testing.T, resp reply, body []byte, status int, wantBody, challenge string) {
	t.Helper()
	var got, want map[string]any
	_ = json.Unmarshal(body, &got)
	if err := json.Unmarshal([]byte(wantBody), &want); err != nil {
		t.Fatal(err)
	}
	if id, has := got["request_id"]; has && id != resp.Header.Get("X-Kong-Request-Id") {
		t.Errorf("request_id %v, X-Kong-Request-Id %s", id, resp.Header.Get("X-Kong-Request-Id"))
	}
	delete(got, "request_id")
	if resp.StatusCode != status || fmt.Sprint(got) != fmt.Sprint(want) || resp.Header.Get("WWW-Authenticate") != challenge {
		t.Fatalf("answer %d %s (WWW-Authenticate %q), want %d %s (%q)", resp.StatusCode, body, resp.Header.Get("WWW-Authenticate"),
			status, wantBody, challenge)
	}
}

// jwt verifies RS256 and ES256 tokens of an identity provider whose JWKS key the operator put
// into a credential as PEM; a token signed by another key, or expired, gets Kong's 401.
func TestJWTWithKeysFromAJWKSIdentityProvider(t *testing.T) {
	t.Parallel()
	for _, alg := range []string{"RS256", "ES256"} {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			h := start(t)
			idp, impostor := newIdentityProvider(t, alg), newIdentityProvider(t, alg)
			up := echoServer(t, "echo")
			host, port := hostPort(t, up.URL)
			svc := h.post("/services", fmt.Sprintf(`{"name":"orders","host":%q,"port":%d}`, host, port))
			route := h.post("/services/"+svc["id"].(string)+"/routes", `{"name":"orders","paths":["/orders"]}`)
			h.post("/routes/"+route["id"].(string)+"/plugins", `{"name":"jwt","config":{"claims_to_verify":["exp"]}}`)
			consumer := h.post("/consumers", `{"username":"alice"}`)
			cred := trustIdentityProvider(t, h, consumer["id"].(string), idp)
			proxy := h.proxy()
			bearer := func(token string) map[string]string { return map[string]string{"Authorization": "Bearer " + token} }

			resp, body := send(t, proxy, http.MethodGet, "/orders", bearer(idp.token(t, idp, time.Now().Add(time.Hour))))
			if resp.StatusCode != http.StatusOK || upstreamSaw(t, body).Headers["X-Consumer-Username"][0] != "alice" {
				t.Fatalf("the provider's token: %d %s", resp.StatusCode, body)
			}
			tr := h.trace(resp.Header.Get("X-Kong-Request-Id"))
			if tr.Consumer == nil || tr.Consumer.Name != "alice" || tr.Credential == nil || tr.Credential.ID != cred["id"] || tr.Credential.Type != "jwt" {
				t.Fatalf("trace of the accepted token: %+v", tr)
			}

			resp, body = send(t, proxy, http.MethodGet, "/orders", bearer(idp.token(t, impostor, time.Now().Add(time.Hour))))
			expectKongAnswer(t, resp, body, http.StatusUnauthorized, `{"message":"Invalid signature"}`, `Bearer error="invalid_token"`)
			mustContain(t, "the decision on a token signed by another key", decisionOf(t, h.trace(resp.Header.Get("X-Kong-Request-Id")), "jwt").Decision,
				"Invalid signature: the token's "+alg+" signature does not verify with the rsa_public_key of jwt credential "+cred["id"].(string),
				"(key `"+idp.issuer+"`)", "signed by another key")

			resp, body = send(t, proxy, http.MethodGet, "/orders", bearer(idp.token(t, idp, time.Now().Add(-time.Hour))))
			expectKongAnswer(t, resp, body, http.StatusUnauthorized, `{"exp":"token expired"}`, `Bearer error="invalid_token"`)
			mustContain(t, "the decision on an expired token", decisionOf(t, h.trace(resp.Header.Get("X-Kong-Request-Id")), "jwt").Decision,
				"claim exp: token expired (exp ", " ago; now ")

			// The provider's issuer with a trailing slash is another key: no credential has it.
			resp, body = send(t, proxy, http.MethodGet, "/orders", bearer(idp.tokenFrom(t, idp.issuer+"/", idp, time.Now().Add(time.Hour))))
			expectKongAnswer(t, resp, body, http.StatusUnauthorized, `{"message":"No credentials found for given 'iss'"}`, `Bearer error="invalid_token"`)
			mustContain(t, "the decision on an unknown issuer", decisionOf(t, h.trace(resp.Header.Get("X-Kong-Request-Id")), "jwt").Decision,
				"No credentials found for given 'iss': no jwt credential has the key `"+idp.issuer+"/` (the token's 'iss')")
		})
	}
}

// frontProxy is a load balancer in front of the emulator's proxy (an F5, say): it forwards
// with X-Forwarded-For/-Host/-Proto and lets change modify each request on the way.
func frontProxy(t *testing.T, proxy string, change func(*httputil.ProxyRequest)) string {
	t.Helper()
	target, err := url.Parse(proxy)
	if err != nil {
		t.Fatal(err)
	}
	front := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(target)
		pr.Out.Host = pr.In.Host
		pr.SetXForwarded()
		change(pr)
	}})
	t.Cleanup(front.Close)
	return front.URL
}

// clientFrom is an HTTP client whose connections come from the given loopback address, so
// the proxy sees another peer than 127.0.0.1.
func clientFrom(ip string) *http.Client {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}
}

// Why did this request get this answer? Each case a platform engineer meets, reproduced
// through the proxy: Kong's answer as Kong gives it, and the trace saying why in words.
func TestTroubleshooting(t *testing.T) {
	t.Parallel()
	// 127.0.0.1 (the test client and the load balancer in front) is trusted; 127.0.0.3 is a
	// client connecting directly.
	h := startWith(t, emulator.Options{TrustedIPs: []string{"127.0.0.1"}, RealIPHeader: "X-Forwarded-For"})
	svcID, _, consumerID := keyAuthRoute(t, h) // route "keyed": api.example.com/k, key-auth, alice's key "alice-key"
	route := func(name, path, plugin string) {
		r := h.post("/services/"+svcID+"/routes", `{"name":"`+name+`","paths":["`+path+`"],"hosts":["api.example.com"]}`)
		h.post("/routes/"+r["id"].(string)+"/plugins", plugin)
	}
	route("basic", "/basic", `{"name":"basic-auth"}`)
	route("tokens", "/tokens", `{"name":"jwt","config":{"claims_to_verify":["exp"]}}`)
	route("guarded", "/guarded", `{"name":"ip-restriction","config":{"allow":["203.0.113.0/24"]}}`)
	h.post("/consumers/"+consumerID+"/basic-auth", `{"username":"alice","password":"s3cret"}`)
	idp, impostor := newIdentityProvider(t, "RS256"), newIdentityProvider(t, "RS256")
	cred := trustIdentityProvider(t, h, consumerID, idp)
	proxy := h.proxy()
	api := map[string]string{"Host": "api.example.com"}
	with := func(extra ...string) map[string]string {
		m := map[string]string{"Host": "api.example.com"}
		for i := 0; i+1 < len(extra); i += 2 {
			m[extra[i]] = extra[i+1]
		}
		return m
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:s3cret"))
	bearer := func(token string) string { return "Bearer " + token }
	// traced is the trace of a request, with the route it matched checked.
	traced := func(t *testing.T, resp reply, routeName string) dataplane.TraceView {
		t.Helper()
		tr := h.trace(resp.Header.Get("X-Kong-Request-Id"))
		if tr.Route == nil || tr.Route.Name != routeName {
			t.Fatalf("matched route %+v, want %s (trace %+v)", tr.Route, routeName, tr)
		}
		return tr
	}

	t.Run("no key", func(t *testing.T) {
		resp, body := send(t, proxy, http.MethodGet, "/k", api)
		expectKongAnswer(t, resp, body, http.StatusUnauthorized, `{"message":"No API key found in request"}`, "Key")
		p := decisionOf(t, traced(t, resp, "keyed"), "key-auth")
		if p.Status != http.StatusUnauthorized || p.Decision != "no key in header `apikey`, query `apikey`" {
			t.Fatalf("key-auth: %+v", p)
		}
	})

	t.Run("wrong key", func(t *testing.T) {
		resp, body := send(t, proxy, http.MethodGet, "/k", with("apikey", "bob-key"))
		expectKongAnswer(t, resp, body, http.StatusUnauthorized, `{"message":"Unauthorized"}`, "Key")
		tr := traced(t, resp, "keyed")
		if p := decisionOf(t, tr, "key-auth"); p.Decision != "the key matches no key-auth credential" || tr.Consumer != nil || tr.Upstream != nil {
			t.Fatalf("trace %+v", tr)
		}
	})

	t.Run("key in the wrong header", func(t *testing.T) {
		resp, body := send(t, proxy, http.MethodGet, "/k", with("x-api-key", "alice-key"))
		expectKongAnswer(t, resp, body, http.StatusUnauthorized, `{"message":"No API key found in request"}`, "Key")
		p := decisionOf(t, traced(t, resp, "keyed"), "key-auth")
		if p.Decision != "no key in header `apikey`, query `apikey`; the request has header `X-Api-Key`, which key_names does not name" {
			t.Fatalf("key-auth: %+v", p)
		}
		// The same key under the right name passes.
		if resp, body := send(t, proxy, http.MethodGet, "/k", with("apikey", "alice-key")); resp.StatusCode != http.StatusOK {
			t.Fatalf("the right header: %d %s", resp.StatusCode, body)
		}
	})

	t.Run("expired JWT", func(t *testing.T) {
		resp, body := send(t, proxy, http.MethodGet, "/tokens", with("Authorization", bearer(idp.token(t, idp, time.Now().Add(-2*time.Hour)))))
		expectKongAnswer(t, resp, body, http.StatusUnauthorized, `{"exp":"token expired"}`, `Bearer error="invalid_token"`)
		p := decisionOf(t, traced(t, resp, "tokens"), "jwt")
		mustContain(t, "jwt's decision", p.Decision, "claim exp: token expired (exp ", ", 2h0m", " ago; now ")
	})

	t.Run("JWT with a wrong signature", func(t *testing.T) {
		resp, body := send(t, proxy, http.MethodGet, "/tokens", with("Authorization", bearer(idp.token(t, impostor, time.Now().Add(time.Hour)))))
		expectKongAnswer(t, resp, body, http.StatusUnauthorized, `{"message":"Invalid signature"}`, `Bearer error="invalid_token"`)
		p := decisionOf(t, traced(t, resp, "tokens"), "jwt")
		mustContain(t, "jwt's decision", p.Decision, "Invalid signature: the token's RS256 signature does not verify with the rsa_public_key of jwt credential "+
			cred["id"].(string)+" (key `"+idp.issuer+"`)")
		// Signed by the provider itself, the token passes.
		if resp, body := send(t, proxy, http.MethodGet, "/tokens", with("Authorization", bearer(idp.token(t, idp, time.Now().Add(time.Hour))))); resp.StatusCode != http.StatusOK {
			t.Fatalf("the provider's token: %d %s", resp.StatusCode, body)
		}
	})

	t.Run("Authorization stripped by a proxy in front", func(t *testing.T) {
		stripping := frontProxy(t, proxy, func(pr *httputil.ProxyRequest) { pr.Out.Header.Del("Authorization") })
		for _, c := range []struct {
			route, path, authorization, plugin, challenge, decision string
		}{
			{"basic", "/basic", basic, "basic-auth", `Basic realm="service"`, "no Authorization or Proxy-Authorization header"},
			{"tokens", "/tokens", bearer(idp.token(t, idp, time.Now().Add(time.Hour))), "jwt", "Bearer", "no token in header `authorization` (Bearer), query `jwt`"},
		} {
			// Straight to the proxy the credentials pass; through the front proxy they are gone.
			if resp, body := send(t, proxy, http.MethodGet, c.path, with("Authorization", c.authorization)); resp.StatusCode != http.StatusOK {
				t.Fatalf("%s straight to the proxy: %d %s", c.plugin, resp.StatusCode, body)
			}
			resp, body := send(t, stripping, http.MethodGet, c.path, with("Authorization", c.authorization))
			expectKongAnswer(t, resp, body, http.StatusUnauthorized, `{"message":"Unauthorized"}`, c.challenge)
			p := decisionOf(t, traced(t, resp, c.route), c.plugin)
			if p.Decision != c.decision+"; the request came through a proxy (X-Forwarded-For: 127.0.0.1): check that it passes the Authorization header on" {
				t.Fatalf("%s: %+v", c.plugin, p)
			}
		}
	})

	t.Run("Host rewritten by a proxy in front", func(t *testing.T) {
		rewriting := frontProxy(t, proxy, func(pr *httputil.ProxyRequest) { pr.Out.Host = "api-pool.internal" })
		resp, body := send(t, rewriting, http.MethodGet, "/k", with("apikey", "alice-key"))
		expectKongAnswer(t, resp, body, http.StatusNotFound, `{"message":"no Route matched with those values"}`, "")
		tr := h.trace(resp.Header.Get("X-Kong-Request-Id"))
		if tr.Route != nil || tr.NoRoute == nil || tr.NoRoute.ClosestRoute == nil || tr.NoRoute.ClosestRoute.Name != "keyed" || len(tr.NoRoute.Failed) != 1 {
			t.Fatalf("trace %+v, no route %+v", tr, tr.NoRoute)
		}
		mustContain(t, "the failed rule", tr.NoRoute.Failed[0], `host: "api-pool.internal" (port `, "matches none of api.example.com",
			`X-Forwarded-Host "api.example.com" would match: a proxy in front rewrote Host`)
		mustContain(t, "the summary", tr.Summary, `no route matched; closest route "keyed" failed on host: "api-pool.internal"`)
	})

	t.Run("trusted X-Forwarded-For", func(t *testing.T) {
		resp, body := send(t, proxy, http.MethodGet, "/guarded", with("X-Forwarded-For", "203.0.113.7"))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		tr := traced(t, resp, "guarded")
		p := decisionOf(t, tr, "ip-restriction")
		if tr.ClientIP != "203.0.113.7" || tr.ConnectedFrom != "127.0.0.1" || tr.ClientIPFrom != "from the real-IP header of trusted peer 127.0.0.1" ||
			p.Decision != "client 203.0.113.7 (from the real-IP header of trusted peer 127.0.0.1) may pass" {
			t.Fatalf("trace %+v, ip-restriction %+v", tr, p)
		}
	})

	t.Run("untrusted X-Forwarded-For", func(t *testing.T) {
		// A client connecting straight to the proxy from 127.0.0.3, not a trusted address,
		// claims to be forwarding for an allowed one: its claim counts for nothing.
		resp, body := sendVia(t, clientFrom("127.0.0.3"), proxy, http.MethodGet, "/guarded", with("X-Forwarded-For", "203.0.113.7"))
		expectKongAnswer(t, resp, body, http.StatusForbidden, `{"message":"IP address not allowed: 127.0.0.3"}`, "")
		tr := traced(t, resp, "guarded")
		p := decisionOf(t, tr, "ip-restriction")
		from := "the connecting address; X-Forwarded-For: 203.0.113.7 is ignored because 127.0.0.3 is not in trusted_ips"
		if tr.ClientIP != "127.0.0.3" || tr.ConnectedFrom != "127.0.0.3" || tr.ClientIPFrom != from || p.Status != http.StatusForbidden ||
			p.Decision != "client 127.0.0.3 ("+from+") is not in the allow list (203.0.113.0/24)" {
			t.Fatalf("trace %+v, ip-restriction %+v", tr, p)
		}
	})
}
