package dataplane

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openkonnect/terraform-provider-konnect/internal/pluginschema"
)

// mtlsFixture is a control plane with CA certificates and consumers, and the certificates
// clients present.
type mtlsFixture struct {
	g                       *testGateway
	root, inter, otherRoot  *testCert
	rootID, interID, missID string
}

func newMTLSFixture(t *testing.T) *mtlsFixture {
	t.Helper()
	f := &mtlsFixture{g: newTracedGateway(t)}
	f.root = newTestCert(t, nil, certOptions{cn: "Client Root", ca: true})
	f.inter = newTestCert(t, f.root, certOptions{cn: "Client Intermediate", ca: true})
	f.otherRoot = newTestCert(t, nil, certOptions{cn: "Other Root", ca: true})
	f.rootID = f.g.add("ca_certificates", Entity{"cert": f.root.certPEM()})
	f.interID = f.g.add("ca_certificates", Entity{"cert": f.inter.certPEM()})
	f.missID = "2b7bd5b4-0000-4000-8000-000000000000"
	f.g.add("consumers", Entity{"id": "c-alice", "username": "alice"})
	f.g.add("consumers", Entity{"id": "c-bob", "username": "bob-user", "custom_id": "bob@example.test"})
	f.g.add("consumers", Entity{"id": "c-anon", "username": "anonymous"})
	return f
}

// mtlsRun is one request through mtls-auth: its answer and what it left on the context.
type mtlsRun struct {
	status   int
	message  string
	decision string
	ctx      *Context
}

// run builds mtls-auth with config and runs its access phase on a request whose TLS
// connection carried chain (no TLS at all when tlsState is false).
func (f *mtlsFixture) run(t *testing.T, config map[string]any, tlsState bool, chain []*x509.Certificate) mtlsRun {
	t.Helper()
	snap, err := f.g.proxy.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	h, err := buildPlugin(t, "mtls-auth", normalized(t, "mtls-auth", config))
	if err != nil {
		t.Fatal(err)
	}
	down, _ := http.NewRequest(http.MethodGet, "https://gw.test/x", nil)
	if tlsState {
		down.TLS = &tls.ConnectionState{HandshakeComplete: true, PeerCertificates: chain}
	}
	out, _ := http.NewRequest(http.MethodGet, "https://gw.test/x", nil)
	ctx := &Context{Downstream: down, Request: out, Snapshot: snap, Now: time.Now(), Shared: map[string]any{}, trace: &Trace{}}
	h.(AccessHandler).Access(ctx)
	r := mtlsRun{status: http.StatusOK, decision: ctx.decision, ctx: ctx}
	if ctx.exit != nil {
		r.status = ctx.exit.status
		r.message = ctx.exit.message
		if ctx.exit.raw {
			r.message = string(ctx.exit.body)
		}
	}
	return r
}

// runAfter is run without TLS on a request another plugin identified as consumer id.
func (f *mtlsFixture) runAfter(t *testing.T, config map[string]any, id string) mtlsRun {
	t.Helper()
	snap, _ := f.g.proxy.snapshot()
	consumer, _ := snap.Get("consumers", id)
	h, err := buildPlugin(t, "mtls-auth", normalized(t, "mtls-auth", config))
	if err != nil {
		t.Fatal(err)
	}
	down, _ := http.NewRequest(http.MethodGet, "http://gw.test/x", nil)
	out, _ := http.NewRequest(http.MethodGet, "http://gw.test/x", nil)
	ctx := &Context{Downstream: down, Request: out, Snapshot: snap, Now: time.Now(), trace: &Trace{}}
	ctx.Authenticate(consumer, Entity{"id": "cred"}, "k")
	h.(AccessHandler).Access(ctx)
	r := mtlsRun{status: http.StatusOK, decision: ctx.decision, ctx: ctx}
	if ctx.exit != nil {
		r.status = ctx.exit.status
	}
	return r
}

// normalized is a plugin config completed with its schema's defaults, as the API stores it.
func normalized(t *testing.T, name string, config map[string]any) map[string]any {
	t.Helper()
	schema, ok := pluginschema.Lookup(name)
	if !ok {
		t.Fatalf("no schema for %s", name)
	}
	full, errs := schema.Normalize(config)
	if len(errs) > 0 {
		t.Fatalf("%s config: %v", name, errs)
	}
	return full
}

func TestMTLSAuthRefusals(t *testing.T) {
	t.Parallel()
	f := newMTLSFixture(t)
	alice := newTestCert(t, f.root, certOptions{cn: "alice"})
	stranger := newTestCert(t, f.otherRoot, certOptions{cn: "alice"})
	expired := newTestCert(t, f.root, certOptions{cn: "alice", notBefore: time.Now().Add(-48 * time.Hour), notAfter: time.Now().Add(-time.Hour)})
	nobody := newTestCert(t, f.root, certOptions{cn: "nobody"})
	broken := Entity{"id": "ca-broken", "cert": "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"}
	raw, _ := json.Marshal(broken)
	f.g.addRaw("ca_certificates", broken, raw)
	cfg := map[string]any{"ca_certificates": []any{f.rootID}}
	const noCert = `{"message":"No required TLS certificate was sent"}`
	const failed = `{"message":"TLS certificate failed verification"}`
	for _, c := range []struct {
		name     string
		config   map[string]any
		tls      bool
		chain    []*x509.Certificate
		status   int
		message  string
		decision string
	}{
		{"plain HTTP", cfg, false, nil, 401, noCert, "did not come over TLS"},
		{"TLS without a certificate", cfg, true, nil, 401, noCert, "the client sent no certificate"},
		{"issued by another CA", cfg, true, stranger.peerChain(), 401, failed, "does not verify against ca_certificates " + f.rootID + ": certificate signed by unknown authority"},
		{"expired", cfg, true, expired.peerChain(), 401, failed, "expired"},
		{"no consumer by its names", cfg, true, nobody.peerChain(), 401, failed, "but no consumer has custom_id or username equal to one of its names (nobody)"},
		{"consumer_by empty", map[string]any{"ca_certificates": []any{f.rootID}, "consumer_by": []any{}}, true, alice.peerChain(), 401, failed, "consumer_by is empty"},
		{"a CA certificate that was skipped", map[string]any{"ca_certificates": []any{f.rootID, "ca-broken"}}, true, alice.peerChain(), 500, "An unexpected error occurred", "its CA certificate ca-broken was skipped (its cert does not parse"},
		{"a CA certificate that does not exist", map[string]any{"ca_certificates": []any{f.missID}}, true, alice.peerChain(), 500, "An unexpected error occurred", "its CA certificate " + f.missID + " does not exist"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := f.run(t, c.config, c.tls, c.chain)
			if r.status != c.status || r.message != c.message || !strings.Contains(r.decision, c.decision) {
				t.Errorf("got %d %s (%q), want %d %s (%q)", r.status, r.message, r.decision, c.status, c.message, c.decision)
			}
			if r.ctx.Consumer != nil {
				t.Errorf("consumer %v on a refusal", r.ctx.Consumer)
			}
		})
	}
}

func TestMTLSAuthConsumers(t *testing.T) {
	t.Parallel()
	f := newMTLSFixture(t)
	alice := newTestCert(t, f.root, certOptions{cn: "alice"})
	bob := newTestCert(t, f.root, certOptions{cn: "not-a-consumer", emails: []string{"bob@example.test"}})
	nobody := newTestCert(t, f.root, certOptions{cn: "nobody"})
	viaInter := newTestCert(t, f.inter, certOptions{cn: "alice"})

	cfg := map[string]any{"ca_certificates": []any{f.rootID}}
	r := f.run(t, cfg, true, alice.peerChain())
	if r.status != 200 || Str(r.ctx.Consumer, "id") != "c-alice" || r.ctx.Request.Header.Get("X-Consumer-Username") != "alice" ||
		r.ctx.Request.Header.Get("X-Anonymous-Consumer") != "" || !strings.Contains(r.decision, `consumer matched by username = "alice"`) {
		t.Errorf("alice: %d %v %v %q", r.status, r.ctx.Consumer, r.ctx.Request.Header, r.decision)
	}
	// The subject alternative names come before the common name; custom_id first by default.
	r = f.run(t, cfg, true, bob.peerChain())
	if r.status != 200 || Str(r.ctx.Consumer, "id") != "c-bob" || !strings.Contains(r.decision, `custom_id = "bob@example.test"`) {
		t.Errorf("bob: %d %v %q", r.status, r.ctx.Consumer, r.decision)
	}
	// consumer_by username only: bob's email is no username.
	r = f.run(t, map[string]any{"ca_certificates": []any{f.rootID}, "consumer_by": []any{"username"}}, true, bob.peerChain())
	if r.status != 401 {
		t.Errorf("bob by username: %d", r.status)
	}
	// A chain through an intermediate the client sends verifies against the root.
	r = f.run(t, cfg, true, viaInter.peerChain())
	if r.status != 200 || !strings.Contains(r.decision, "verifies against ca_certificate "+f.rootID) {
		t.Errorf("through the intermediate: %d %q", r.status, r.decision)
	}
	// Trusting only the intermediate needs allow_partial_chain.
	r = f.run(t, map[string]any{"ca_certificates": []any{f.interID}}, true, viaInter.peerChain()[:1])
	if r.status != 401 || !strings.Contains(r.decision, "not a self-signed root, and allow_partial_chain is off") {
		t.Errorf("partial chain refused: %d %q", r.status, r.decision)
	}
	r = f.run(t, map[string]any{"ca_certificates": []any{f.interID}, "allow_partial_chain": true}, true, viaInter.peerChain()[:1])
	if r.status != 200 || !strings.Contains(r.decision, "verifies against ca_certificate "+f.interID) {
		t.Errorf("partial chain allowed: %d %q", r.status, r.decision)
	}
	// With the root in the store too, the intermediate leads on to it.
	r = f.run(t, map[string]any{"ca_certificates": []any{f.interID, f.rootID}}, true, viaInter.peerChain()[:1])
	if r.status != 200 || !strings.Contains(r.decision, "verifies against ca_certificate "+f.rootID) {
		t.Errorf("intermediate and root trusted: %d %q", r.status, r.decision)
	}

	// No consumer matches: anonymous, or default_consumer for a trusted certificate.
	r = f.run(t, map[string]any{"ca_certificates": []any{f.rootID}, "anonymous": "anonymous"}, true, nobody.peerChain())
	if r.status != 200 || Str(r.ctx.Consumer, "id") != "c-anon" || r.ctx.Request.Header.Get("X-Anonymous-Consumer") != "true" ||
		!strings.Contains(r.decision, "going on as the anonymous consumer anonymous") {
		t.Errorf("anonymous: %d %v %q", r.status, r.ctx.Consumer, r.decision)
	}
	r = f.run(t, map[string]any{"ca_certificates": []any{f.rootID}, "anonymous": "c-anon"}, false, nil)
	if r.status != 200 || Str(r.ctx.Consumer, "id") != "c-anon" {
		t.Errorf("anonymous without TLS: %d %v", r.status, r.ctx.Consumer)
	}
	// With anonymous set, a client another plugin already identified is let through as it is.
	r = f.runAfter(t, map[string]any{"ca_certificates": []any{f.rootID}, "anonymous": "anonymous"}, "c-bob")
	if r.status != 200 || Str(r.ctx.Consumer, "id") != "c-bob" || !strings.Contains(r.decision, "already authenticated") {
		t.Errorf("already authenticated: %d %v %q", r.status, r.ctx.Consumer, r.decision)
	}
	r = f.runAfter(t, map[string]any{"ca_certificates": []any{f.rootID}}, "c-bob")
	if r.status != 401 {
		t.Errorf("already authenticated, without anonymous: %d", r.status)
	}
	r = f.run(t, map[string]any{"ca_certificates": []any{f.rootID}, "default_consumer": "alice"}, true, nobody.peerChain())
	if r.status != 200 || Str(r.ctx.Consumer, "id") != "c-alice" || r.ctx.Anonymous || !strings.Contains(r.decision, "default_consumer alice") {
		t.Errorf("default_consumer: %d %v %q", r.status, r.ctx.Consumer, r.decision)
	}
	r = f.run(t, map[string]any{"ca_certificates": []any{f.rootID}, "default_consumer": "alice"}, true,
		newTestCert(t, f.otherRoot, certOptions{cn: "x"}).peerChain())
	if r.status != 401 {
		t.Errorf("default_consumer does not apply to an untrusted certificate: %d", r.status)
	}
}

func TestMTLSAuthSkipConsumerLookup(t *testing.T) {
	t.Parallel()
	f := newMTLSFixture(t)
	cert := newTestCert(t, f.root, certOptions{cn: "svc-a", ou: "payments", dns: []string{"svc-a.internal"}})
	noCN := newTestCert(t, f.root, certOptions{dns: []string{"only-san.internal"}})
	base := map[string]any{"ca_certificates": []any{f.rootID}, "skip_consumer_lookup": true}

	r := f.run(t, base, true, cert.peerChain())
	h := r.ctx.Request.Header
	if r.status != 200 || r.ctx.Consumer != nil || strings.Join(r.ctx.AuthenticatedGroups, ",") != "svc-a" ||
		h.Get("X-Client-Cert-Dn") != "CN=svc-a,OU=payments,O=Emulator Tests" || h.Get("X-Client-Cert-San") != "svc-a.internal,svc-a" {
		t.Errorf("CN: %d %v %v %v", r.status, r.ctx.Consumer, r.ctx.AuthenticatedGroups, h)
	}
	dn := map[string]any{"ca_certificates": []any{f.rootID}, "skip_consumer_lookup": true, "authenticated_group_by": "DN"}
	r = f.run(t, dn, true, cert.peerChain())
	if r.status != 200 || strings.Join(r.ctx.AuthenticatedGroups, "|") != "CN=svc-a,OU=payments,O=Emulator Tests" {
		t.Errorf("DN: %d %v", r.status, r.ctx.AuthenticatedGroups)
	}
	r = f.run(t, base, true, noCN.peerChain())
	if r.status != 401 || r.message != `{"message":"Certificate missing Common Name"}` {
		t.Errorf("no CN: %d %s", r.status, r.message)
	}
}

// TestMTLSAuthThroughTheProxy: over plain HTTP a route with mtls-auth answers Kong's 401, and
// the trace says why; acl then sees the groups of skip_consumer_lookup.
func TestMTLSAuthThroughTheProxy(t *testing.T) {
	t.Parallel()
	f := newMTLSFixture(t)
	routeID, _ := f.g.route("/m")
	f.g.add("plugins", Entity{"name": "mtls-auth", "route": map[string]any{"id": routeID}, "config": map[string]any{"ca_certificates": []any{f.rootID}}})
	resp, body := f.g.get("/m", nil)
	if resp.StatusCode != http.StatusUnauthorized || string(body) != `{"message":"No required TLS certificate was sent"}` ||
		resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("%d %s %v", resp.StatusCode, body, resp.Header)
	}
	tr := f.g.traces()[0]
	if len(tr.Plugins) != 1 || tr.Plugins[0].Name != "mtls-auth" || tr.Plugins[0].Status != 401 ||
		!strings.Contains(tr.Plugins[0].Decision, "did not come over TLS") {
		t.Errorf("trace: %+v", tr.Plugins)
	}
}
