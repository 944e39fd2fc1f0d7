package emulator_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator"
)

// testCert is a certificate made for a test, with its key, in PEM.
type testCert struct {
	cert    *x509.Certificate
	key     crypto.Signer
	certPEM string
	keyPEM  string
}

var testSerial atomic.Int64

// issue makes a certificate for names signed by parent (self-signed when parent is nil); a CA
// when isCA. The key is ECDSA P-256 unless rsaKey.
func issue(t *testing.T, parent *testCert, cn string, isCA, rsaKey bool, names ...string) *testCert {
	t.Helper()
	var key crypto.Signer
	var err error
	if rsaKey {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(testSerial.Add(1)),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		DNSNames:     names,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if isCA {
		template.IsCA, template.BasicConstraintsValid = true, true
		template.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
		template.ExtKeyUsage = nil
	}
	signer, signerKey := template, key
	if parent != nil {
		signer, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, template, signer, key.Public(), signerKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return &testCert{cert: cert, key: key,
		certPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		keyPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))}
}

// addCertificate stores a certificate (cert is the PEM served: a leaf, or a leaf and its
// intermediates) with SNIs naming it, and returns its id.
func (h *harness) addCertificate(cert, key string, snis ...string) string {
	h.t.Helper()
	body, _ := json.Marshal(map[string]string{"cert": cert, "key": key})
	id := h.post("/certificates", string(body))["id"].(string)
	for _, name := range snis {
		h.post("/snis", fmt.Sprintf(`{"name":%q,"certificate":{"id":%q}}`, name, id))
	}
	return id
}

// proxyTLS is the harness control plane's HTTPS proxy.
func (h *harness) proxyTLS() string {
	h.t.Helper()
	status, info := h.raw(http.MethodGet, "/_emulator/control-planes/"+h.cp.String(), "")
	url, _ := info["proxy_tls_url"].(string)
	if status != http.StatusOK || !strings.HasPrefix(url, "https://127.0.0.1:") {
		h.t.Fatalf("control plane info: %d %v", status, info)
	}
	return url
}

// echoService points a service at the emulator's echo upstream, with a route for paths, and
// returns the service's id.
func (h *harness) echoService(paths ...string) string {
	h.t.Helper()
	host, port := hostPort(h.t, h.emu.URL)
	svc := h.post("/services", fmt.Sprintf(`{"host":%q,"port":%d,"path":"/_emulator/echo"}`, host, port))["id"].(string)
	body, _ := json.Marshal(map[string]any{"paths": paths, "service": map[string]string{"id": svc}})
	h.post("/routes", string(body))
	return svc
}

// tlsRequest is one request over a new TLS connection: serverName is the SNI sent (none
// when "", as for an IP address) and the Host header; roots nil accepts any certificate.
type tlsRequest struct {
	serverName string
	roots      *x509.CertPool
	header     map[string]string
	tlsConfig  func(*tls.Config)
}

type tlsReply struct {
	reply
	body  []byte
	chain []*x509.Certificate // as the proxy sent it
}

func sendTLS(t *testing.T, proxyTLS, method, path string, r tlsRequest) (tlsReply, error) {
	t.Helper()
	config := &tls.Config{ServerName: r.serverName, RootCAs: r.roots, InsecureSkipVerify: r.roots == nil}
	if r.tlsConfig != nil {
		r.tlsConfig(config)
	}
	tr := &http.Transport{TLSClientConfig: config, DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequest(method, proxyTLS+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.serverName != "" {
		req.Host = r.serverName
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return tlsReply{}, err
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	return tlsReply{reply: reply{resp.StatusCode, resp.Header}, body: body, chain: resp.TLS.PeerCertificates}, nil
}

func mustTLS(t *testing.T, proxyTLS, path string, r tlsRequest) tlsReply {
	t.Helper()
	got, err := sendTLS(t, proxyTLS, http.MethodGet, path, r)
	if err != nil {
		t.Fatalf("GET %s with SNI %q: %v", path, r.serverName, err)
	}
	return got
}

// TestTLSProxyChoosesCertificateBySNI: the certificate served is the SNI's of the exact name,
// then of a prefix wildcard, then of a suffix wildcard, else the emulator's default one (for
// localhost); a certificate added through the API serves the next handshake.
func TestTLSProxyChoosesCertificateBySNI(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.echoService("/")
	exact := issue(t, nil, "exact", false, false, "api.example.test")
	wildcard := issue(t, nil, "wildcard", false, false, "*.example.test")
	suffix := issue(t, nil, "suffix", false, false, "shop.test")
	h.addCertificate(exact.certPEM, exact.keyPEM, "api.example.test")
	wildID := h.addCertificate(wildcard.certPEM, wildcard.keyPEM, "*.example.test")
	h.addCertificate(suffix.certPEM, suffix.keyPEM, "shop.*")
	proxy := h.proxyTLS()

	for _, c := range []struct{ sni, wantCN string }{
		{"api.example.test", "exact"},
		{"API.Example.Test", "exact"},
		{"www.example.test", "wildcard"},
		{"shop.test", "suffix"},
		{"example.test", "localhost"}, // *.example.test needs a label before it
		{"unknown.test", "localhost"},
		{"", "localhost"}, // no SNI: the client connects to 127.0.0.1
	} {
		got := mustTLS(t, proxy, "/hello", tlsRequest{serverName: c.sni})
		if cn := got.chain[0].Subject.CommonName; cn != c.wantCN || got.StatusCode != http.StatusOK {
			t.Errorf("SNI %q: certificate %q (want %q), status %d %s", c.sni, cn, c.wantCN, got.StatusCode, got.body)
		}
	}
	// The trace tells which certificate the server name gets, and the client's certificate.
	client := issue(t, nil, "a client", false, false)
	presented, err := tls.X509KeyPair([]byte(client.certPEM), []byte(client.keyPEM))
	if err != nil {
		t.Fatal(err)
	}
	withClientCert := func(c *tls.Config) { c.Certificates = []tls.Certificate{presented} }
	for sni, want := range map[string]string{
		"www.example.test": "certificate " + wildID + ` by SNI "*.example.test"`,
		"unknown.test":     "the default certificate: no SNI matches the server name",
	} {
		got := mustTLS(t, proxy, "/traced", tlsRequest{serverName: sni, tlsConfig: withClientCert})
		tr := h.trace(got.Header.Get("X-Kong-Request-Id"))
		if tr.TLS == nil || tr.TLS.Certificate != want || tr.TLS.ServerName != sni || tr.TLS.ClientCertificate != "CN=a client" || tr.TLS.Version != "TLS 1.3" {
			t.Errorf("trace of a request with SNI %s: %+v", sni, tr.TLS)
		}
	}
	if tr := h.trace(mustTLS(t, proxy, "/traced", tlsRequest{}).Header.Get("X-Kong-Request-Id")); tr.TLS == nil || !strings.Contains(tr.TLS.Certificate, "no server name") {
		t.Errorf("trace of a request without SNI: %+v", tr.TLS)
	}
	if resp, _ := send(t, h.proxy(), "GET", "/plain", nil); h.trace(resp.Header.Get("X-Kong-Request-Id")).TLS != nil {
		t.Error("a plain HTTP request's trace tells of TLS")
	}

	// The default certificate is for localhost and the loopback addresses, as Kong's.
	def := mustTLS(t, proxy, "/", tlsRequest{}).chain[0]
	if err := def.VerifyHostname("127.0.0.1"); err != nil || def.VerifyHostname("localhost") != nil {
		t.Errorf("default certificate: %v, names %v %v", err, def.DNSNames, def.IPAddresses)
	}

	// Without restart: a new exact SNI takes precedence over the wildcard, and deleting the
	// wildcard's certificate (and its SNIs with it) falls back to the default.
	later := issue(t, nil, "later", false, false, "late.example.test")
	h.addCertificate(later.certPEM, later.keyPEM, "late.example.test")
	if cn := mustTLS(t, proxy, "/", tlsRequest{serverName: "late.example.test"}).chain[0].Subject.CommonName; cn != "later" {
		t.Errorf("after adding an SNI: %q", cn)
	}
	if status, out := h.raw(http.MethodDelete, h.core("/certificates/"+wildID), ""); status != http.StatusNoContent {
		t.Fatalf("delete: %d %v", status, out)
	}
	if cn := mustTLS(t, proxy, "/", tlsRequest{serverName: "www.example.test"}).chain[0].Subject.CommonName; cn != "localhost" {
		t.Errorf("after deleting the wildcard certificate: %q", cn)
	}
}

// TestTLSProxyDefaultControlPlaneAndSNIStar: the default control plane's HTTPS listener is
// Emulator.ProxyTLSURL; an SNI named "*" serves every server name no other SNI matches.
func TestTLSProxyDefaultControlPlaneAndSNIStar(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.cp = uuid.MustParse(h.emu.DefaultControlPlaneID())
	if h.proxyTLS() != h.emu.ProxyTLSURL {
		t.Fatalf("proxy_tls_url %s, ProxyTLSURL %s", h.proxyTLS(), h.emu.ProxyTLSURL)
	}
	star := issue(t, nil, "star", false, false, "anything.test")
	h.addCertificate(star.certPEM, star.keyPEM, "*")
	if cn := mustTLS(t, h.emu.ProxyTLSURL, "/", tlsRequest{serverName: "anything.test"}).chain[0].Subject.CommonName; cn != "star" {
		t.Errorf("SNI \"*\": %q", cn)
	}
	// No SNI at all gets Kong's default certificate, not the "*" one.
	if cn := mustTLS(t, h.emu.ProxyTLSURL, "/", tlsRequest{}).chain[0].Subject.CommonName; cn != "localhost" {
		t.Errorf("no SNI: %q", cn)
	}
}

// TestTLSWithAndWithoutTheIntermediateCertificate: a client that trusts only the root
// verifies a leaf served with its intermediate, and cannot verify one served alone.
func TestTLSWithAndWithoutTheIntermediateCertificate(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.echoService("/")
	root := issue(t, nil, "Test Root CA", true, false)
	intermediate := issue(t, root, "Test Intermediate CA", true, false)
	chained := issue(t, intermediate, "chained", false, false, "chained.example.test")
	alone := issue(t, intermediate, "alone", false, false, "alone.example.test")
	h.addCertificate(chained.certPEM+intermediate.certPEM, chained.keyPEM, "chained.example.test")
	h.addCertificate(alone.certPEM, alone.keyPEM, "alone.example.test")
	roots := x509.NewCertPool()
	roots.AddCert(root.cert)
	proxy := h.proxyTLS()

	got, err := sendTLS(t, proxy, http.MethodGet, "/", tlsRequest{serverName: "chained.example.test", roots: roots})
	if err != nil || got.StatusCode != http.StatusOK {
		t.Fatalf("leaf with its intermediate: %v", err)
	}
	if len(got.chain) != 2 || got.chain[1].Subject.CommonName != "Test Intermediate CA" {
		t.Errorf("chain served: %d certificates", len(got.chain))
	}
	_, err = sendTLS(t, proxy, http.MethodGet, "/", tlsRequest{serverName: "alone.example.test", roots: roots})
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) || unknown.Cert.Subject.CommonName != "alone" {
		t.Fatalf("leaf without its intermediate: %v, want x509: certificate signed by unknown authority", err)
	}
	if !strings.Contains(err.Error(), "certificate signed by unknown authority") {
		t.Errorf("error: %v", err)
	}
}

// TestTLSCertificateAlternate: cert_alt and key_alt are served to a client that supports
// only their kind of key, as Kong's alternate certificate.
func TestTLSCertificateAlternate(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.echoService("/")
	rsaCert := issue(t, nil, "rsa", false, true, "dual.example.test")
	ecCert := issue(t, nil, "ecdsa", false, false, "dual.example.test")
	body, _ := json.Marshal(map[string]any{"cert": rsaCert.certPEM, "key": rsaCert.keyPEM, "cert_alt": ecCert.certPEM, "key_alt": ecCert.keyPEM,
		"snis": []string{"dual.example.test"}})
	h.post("/certificates", string(body))
	proxy := h.proxyTLS()
	if cn := mustTLS(t, proxy, "/", tlsRequest{serverName: "dual.example.test"}).chain[0].Subject.CommonName; cn != "rsa" {
		t.Errorf("a client taking both: %q", cn)
	}
	ecdsaOnly := func(c *tls.Config) {
		c.MaxVersion = tls.VersionTLS12
		c.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}
	}
	if cn := mustTLS(t, proxy, "/", tlsRequest{serverName: "dual.example.test", tlsConfig: ecdsaOnly}).chain[0].Subject.CommonName; cn != "ecdsa" {
		t.Errorf("an ECDSA-only client: %q", cn)
	}
}

// TestTLSBadCertificateIsSkipped: a certificate whose PEM is not a certificate, or whose key
// is another's, is listed as skipped (with its SNIs) and its names get the default
// certificate; the listener serves on.
func TestTLSBadCertificateIsSkipped(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.echoService("/")
	good := issue(t, nil, "good", false, false, "good.example.test")
	other := issue(t, nil, "other", false, false)
	notDER := "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"
	garbled := h.addCertificate(notDER, good.keyPEM, "garbled.example.test")
	mismatched := h.addCertificate(good.certPEM, other.keyPEM, "mismatched.example.test")
	h.addCertificate(good.certPEM, good.keyPEM, "good.example.test")
	proxy := h.proxyTLS()

	for sni, want := range map[string]string{"garbled.example.test": "localhost", "mismatched.example.test": "localhost", "good.example.test": "good"} {
		got := mustTLS(t, proxy, "/", tlsRequest{serverName: sni})
		if cn := got.chain[0].Subject.CommonName; cn != want || got.StatusCode != http.StatusOK {
			t.Errorf("SNI %s: %q %d, want %q", sni, cn, got.StatusCode, want)
		}
	}
	status, info := h.raw(http.MethodGet, "/_emulator/control-planes/"+h.cp.String(), "")
	if status != http.StatusOK {
		t.Fatalf("info: %d", status)
	}
	skipped := map[string]string{}
	for _, s := range info["skipped"].([]any) {
		e := s.(map[string]any)
		name, _ := e["name"].(string)
		if name == "" {
			name = e["id"].(string)
		}
		skipped[e["kind"].(string)+" "+name] = e["reason"].(string)
	}
	for key, want := range map[string]string{
		"certificates " + garbled:    "cert and key do not make a TLS certificate",
		"certificates " + mismatched: "private key does not match public key",
		"snis garbled.example.test":  "is missing or was skipped",
	} {
		if !strings.Contains(skipped[key], want) {
			t.Errorf("skipped %q with %q: not in %v", key, want, skipped)
		}
	}
}

// TestTLSRoutesProtocolsAndSNIs: an https-only route answers plain http with Kong's 426, or
// its https_redirect_status_code's redirect, and serves over TLS with X-Forwarded-Proto
// https and the TLS port; a route's snis match the TLS server name; the traces say why.
func TestTLSRoutesProtocolsAndSNIs(t *testing.T) {
	t.Parallel()
	h := start(t)
	svc := h.echoService("/open")
	ref := map[string]string{"id": svc}
	for _, route := range []map[string]any{
		{"name": "secure", "paths": []string{"/secure"}, "protocols": []string{"https"}, "service": ref},
		{"name": "moved", "paths": []string{"/moved"}, "protocols": []string{"https"}, "https_redirect_status_code": 301, "service": ref},
		{"name": "by-sni", "paths": []string{"/sni"}, "protocols": []string{"https"}, "snis": []string{"api.example.test"}, "service": ref},
	} {
		body, _ := json.Marshal(route)
		h.post("/routes", string(body))
	}
	plain, proxy := h.proxy(), h.proxyTLS()
	_, tlsPort := hostPort(t, strings.Replace(proxy, "https://", "http://", 1))

	resp, body := send(t, plain, "GET", "/secure/x", nil)
	if resp.StatusCode != http.StatusUpgradeRequired || !strings.Contains(string(body), `"message":"Please use HTTPS protocol"`) ||
		resp.Header.Get("Upgrade") != "TLS/1.2, HTTP/1.1" || resp.Header.Get("Connection") != "Upgrade" {
		t.Errorf("https-only route over http: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	tr := h.trace(resp.Header.Get("X-Kong-Request-Id"))
	if !strings.Contains(tr.Summary, `via route "secure": the route takes protocols https (https only) and the request came over http: answered 426`) {
		t.Errorf("trace: %s", tr.Summary)
	}
	req, _ := http.NewRequest(http.MethodGet, plain+"/moved/y?a=1", nil)
	req.Host = "shop.example.test:8000"
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	moved, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = moved.Body.Close()
	// As Kong: the host without its port, and the request URI.
	if moved.StatusCode != http.StatusMovedPermanently || moved.Header.Get("Location") != "https://shop.example.test/moved/y?a=1" {
		t.Errorf("redirecting route over http: %d %v", moved.StatusCode, moved.Header)
	}
	if tr := h.trace(moved.Header.Get("X-Kong-Request-Id")); !strings.Contains(tr.Summary, "redirected to https with its https_redirect_status_code 301") {
		t.Errorf("trace: %s", tr.Summary)
	}

	for _, path := range []string{"/secure/x", "/moved/y", "/open"} {
		got := mustTLS(t, proxy, path, tlsRequest{serverName: "shop.example.test"})
		seen := upstreamSaw(t, got.body)
		if got.StatusCode != http.StatusOK || first(seen.Headers["X-Forwarded-Proto"]) != "https" || first(seen.Headers["X-Forwarded-Port"]) != fmt.Sprint(tlsPort) {
			t.Errorf("%s over TLS: %d %v", path, got.StatusCode, seen.Headers)
		}
	}

	if got := mustTLS(t, proxy, "/sni", tlsRequest{serverName: "api.example.test"}); got.StatusCode != http.StatusOK {
		t.Errorf("route snis, matching SNI: %d %s", got.StatusCode, got.body)
	}
	got := mustTLS(t, proxy, "/sni", tlsRequest{serverName: "other.example.test"})
	if got.StatusCode != http.StatusNotFound {
		t.Fatalf("route snis, another SNI: %d %s", got.StatusCode, got.body)
	}
	tr = h.trace(got.Header.Get("X-Kong-Request-Id"))
	if tr.NoRoute == nil || !strings.Contains(strings.Join(tr.NoRoute.Failed, "; "), `snis: "other.example.test" is not one of api.example.test`) {
		t.Errorf("trace: %+v", tr.NoRoute)
	}
}

// TestTLSForwardedProtoBehindTrustedPeer: over TLS, X-Forwarded-Proto is https unless a
// trusted peer says otherwise; an untrusted peer's header is replaced.
func TestTLSForwardedProtoBehindTrustedPeer(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		trusted   []string
		wantProto string
	}{{nil, "https"}, {[]string{"127.0.0.1"}, "http"}} {
		h := startWith(t, emulator.Options{TrustedIPs: c.trusted})
		h.echoService("/")
		got := mustTLS(t, h.proxyTLS(), "/", tlsRequest{header: map[string]string{"X-Forwarded-Proto": "http"}})
		if proto := first(upstreamSaw(t, got.body).Headers["X-Forwarded-Proto"]); proto != c.wantProto {
			t.Errorf("trusted %v: X-Forwarded-Proto %q, want %q", c.trusted, proto, c.wantProto)
		}
	}
}

func first(values []string) string {
	if len(values) == 0 {
		return ""
	}
	return values[0]
}

// BenchmarkTLSHandshakeAndRequest: one request on a new connection through the HTTPS
// listener (TCP, TLS handshake with the default ECDSA certificate, request) against the same
// on the plain listener, alternated in one loop; tls/plain is their ratio.
func BenchmarkTLSHandshakeAndRequest(b *testing.B) {
	emu, err := emulator.Start(context.Background(), emulator.Options{TraceBuffer: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = emu.Close() }()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
	defer up.Close()
	host, port, _ := strings.Cut(strings.TrimPrefix(up.URL, "http://"), ":")
	core := emu.URL + "/v2/control-planes/" + emu.DefaultControlPlaneID() + "/core-entities"
	for _, step := range []struct{ path, body string }{
		{"/services", fmt.Sprintf(`{"name":"bench","host":%q,"port":%s}`, host, port)},
		{"/services/bench/routes", `{"paths":["/b"]}`},
	} {
		req, _ := http.NewRequest(http.MethodPost, core+step.path, strings.NewReader(step.body))
		req.Header.Set("Authorization", "Bearer "+emulator.DevelopmentToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusCreated {
			b.Fatalf("POST %s: %v %v", step.path, err, resp)
		}
		_ = resp.Body.Close()
	}
	plain := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	secure := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	get := func(c *http.Client, url string) time.Duration {
		began := time.Now()
		resp, err := c.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("%s: %d", url, resp.StatusCode)
		}
		return time.Since(began)
	}
	var plainTime, tlsTime time.Duration
	for b.Loop() {
		plainTime += get(plain, emu.ProxyURL+"/b")
		tlsTime += get(secure, emu.ProxyTLSURL+"/b")
	}
	b.ReportMetric(float64(plainTime.Microseconds())/float64(b.N), "plain-µs/req")
	b.ReportMetric(float64(tlsTime.Microseconds())/float64(b.N), "tls-µs/req")
	b.ReportMetric(float64(tlsTime)/float64(plainTime), "tls/plain")
}
