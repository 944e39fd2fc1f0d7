package emulator_test

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator"
)

// clientCertificate is a client's certificate for a TLS connection: the leaf and the
// intermediates it sends along.
func clientCertificate(leaf *testCert, intermediates ...*testCert) tls.Certificate {
	c := tls.Certificate{Certificate: [][]byte{leaf.cert.Raw}, PrivateKey: leaf.key, Leaf: leaf.cert}
	for _, i := range intermediates {
		c.Certificate = append(c.Certificate, i.cert.Raw)
	}
	return c
}

func withClientCertificate(c tls.Certificate) func(*tls.Config) {
	return func(config *tls.Config) { config.Certificates = []tls.Certificate{c} }
}

// TestMTLSAuthThroughTheTLSListener: configured through the API, mtls-auth verifies the
// certificate a client presents to the HTTPS proxy against a CA certificate, maps it to a
// consumer by its common name, and answers Kong's 401s with the reason in the trace.
func TestMTLSAuthThroughTheTLSListener(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.echoService("/m")
	root := issue(t, nil, "Clients Root CA", true, false)
	intermediate := issue(t, root, "Clients Intermediate CA", true, false)
	alice := issue(t, intermediate, "alice", false, false)
	other := issue(t, nil, "Other Root CA", true, false)
	mallory := issue(t, other, "alice", false, false)
	body, _ := json.Marshal(map[string]string{"cert": root.certPEM})
	caID := h.post("/ca_certificates", string(body))["id"].(string)
	h.post("/consumers", `{"username":"alice"}`)
	h.post("/plugins", fmt.Sprintf(`{"name":"mtls-auth","config":{"ca_certificates":[%q]}}`, caID))
	proxy := h.proxyTLS()

	refused := func(name string, r tlsRequest, message, decision string) {
		t.Helper()
		got := mustTLS(t, proxy, "/m", r)
		if got.StatusCode != http.StatusUnauthorized || string(got.body) != `{"message":"`+message+`"}` {
			t.Errorf("%s: %d %s", name, got.StatusCode, got.body)
			return
		}
		tr := h.trace(got.Header.Get("X-Kong-Request-Id"))
		if len(tr.Plugins) != 1 || !strings.Contains(tr.Plugins[0].Decision, decision) {
			t.Errorf("%s: trace %+v", name, tr.Plugins)
		}
	}
	refused("no certificate", tlsRequest{}, "No required TLS certificate was sent", "the client sent no certificate in the TLS handshake")
	refused("another CA", tlsRequest{tlsConfig: withClientCertificate(clientCertificate(mallory))},
		"TLS certificate failed verification", "does not verify against ca_certificates "+caID+": certificate signed by unknown authority")
	// Without its intermediate the chain cannot reach the root.
	refused("intermediate missing", tlsRequest{tlsConfig: withClientCertificate(clientCertificate(alice))},
		"TLS certificate failed verification", "unknown authority")

	got := mustTLS(t, proxy, "/m", tlsRequest{tlsConfig: withClientCertificate(clientCertificate(alice, intermediate))})
	var echo emulator.Echo
	if got.StatusCode != http.StatusOK || json.Unmarshal(got.body, &echo) != nil || http.Header(echo.Headers).Get("X-Consumer-Username") != "alice" {
		t.Fatalf("alice with her intermediate: %d %s", got.StatusCode, got.body)
	}
	tr := h.trace(got.Header.Get("X-Kong-Request-Id"))
	if tr.Consumer == nil || tr.Consumer.Name != "alice" || !strings.Contains(tr.Plugins[0].Decision, `consumer matched by username = "alice"`) {
		t.Errorf("trace: %+v %+v", tr.Consumer, tr.Plugins)
	}

	// The plain HTTP proxy carries no certificate.
	resp, err := http.Get(h.proxy() + "/m")
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || string(plain) != `{"message":"No required TLS certificate was sent"}` {
		t.Errorf("plain HTTP: %d %s", resp.StatusCode, plain)
	}
}

// TestUpstreamTLSThroughTheAPI: a service created through the API with tls_verify and a CA
// certificate reaches an HTTPS upstream signed by it, presenting its client certificate; with
// another CA the client gets Kong's 502 and GET /_emulator/requests says why.
func TestUpstreamTLSThroughTheAPI(t *testing.T) {
	t.Parallel()
	h := start(t)
	root := issue(t, nil, "Upstream Root CA", true, false)
	server := issue(t, root, "localhost", false, false, "localhost")
	kong := issue(t, root, "kong-client", false, false)
	other := issue(t, nil, "Other Root CA", true, false)
	upstream := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		client := ""
		if len(r.TLS.PeerCertificates) > 0 {
			client = r.TLS.PeerCertificates[0].Subject.CommonName
		}
		_, _ = fmt.Fprintf(w, "sni=%s client=%s", r.TLS.ServerName, client)
	}))
	upstream.TLS = &tls.Config{Certificates: []tls.Certificate{clientCertificate(server)}, ClientAuth: tls.RequestClientCert}
	upstream.Config.ErrorLog = log.New(io.Discard, "", 0)
	upstream.StartTLS()
	t.Cleanup(upstream.Close)
	_, port := hostPort(t, strings.Replace(upstream.URL, "https://", "http://", 1))

	rootBody, _ := json.Marshal(map[string]string{"cert": root.certPEM})
	rootID := h.post("/ca_certificates", string(rootBody))["id"].(string)
	otherBody, _ := json.Marshal(map[string]string{"cert": other.certPEM})
	otherID := h.post("/ca_certificates", string(otherBody))["id"].(string)
	certBody, _ := json.Marshal(map[string]string{"cert": kong.certPEM, "key": kong.keyPEM})
	certID := h.post("/certificates", string(certBody))["id"].(string)
	for path, ca := range map[string]string{"/good": rootID, "/bad": otherID} {
		svc, _ := json.Marshal(map[string]any{"name": strings.Trim(path, "/"), "url": fmt.Sprintf("https://localhost:%d/", port),
			"tls_verify": true, "ca_certificates": []string{ca}, "client_certificate": map[string]string{"id": certID}})
		id := h.post("/services", string(svc))["id"].(string)
		h.post("/routes", fmt.Sprintf(`{"paths":[%q],"service":{"id":%q}}`, path, id))
	}

	resp, err := http.Get(h.proxy() + "/good")
	if err != nil {
		t.Fatal(err)
	}
	good, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(good) != "sni=localhost client=kong-client" {
		t.Errorf("/good: %d %s", resp.StatusCode, good)
	}
	resp, err = http.Get(h.proxy() + "/bad")
	if err != nil {
		t.Fatal(err)
	}
	bad, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway || !strings.HasPrefix(string(bad), "An invalid response was received from the upstream server\n") {
		t.Fatalf("/bad: %d %s", resp.StatusCode, bad)
	}
	tr := h.trace(resp.Header.Get("X-Kong-Request-Id"))
	want := "upstream TLS: certificate signed by unknown authority"
	if tr.Upstream == nil || !strings.Contains(tr.Upstream.Error, want) || !strings.Contains(tr.Upstream.Error, "ca_certificates: "+otherID) ||
		!strings.Contains(tr.Summary, want) {
		t.Errorf("trace: %+v", tr)
	}
}
