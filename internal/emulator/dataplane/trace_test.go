package dataplane

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// TestTraceRedactsTheClientsQuerySecrets: the client's URL in the trace, its summary and the
// debug log keeps its path and plain arguments but not the values of secret ones (OAuth's
// access_token, client_secret and callback code).
func TestTraceRedactsTheClientsQuerySecrets(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	g := newTestGatewayConfigured(t, logger, Settings{Traces: NewTraceLog(100)})
	g.route("/ok")
	// An upstream that refuses connections: its failure is logged with the URL sent.
	g.add("services", Entity{"id": "svc-down", "host": "127.0.0.1", "port": 1, "protocol": "http", "retries": 0})
	g.add("routes", Entity{"paths": []any{"/down"}, "service": map[string]any{"id": "svc-down"}})

	secrets := []string{"SECRET-ACCESS", "SECRET-CLIENT", "SECRET-CODE", "SECRET-ID-TOKEN"}
	query := "?access_token=SECRET-ACCESS&client_secret=SECRET-CLIENT&code=SECRET-CODE&id_token=SECRET-ID-TOKEN&x=1&country_code=fr"
	if resp, body := g.get("/ok/callback"+query, nil); resp.StatusCode != http.StatusOK || !strings.Contains(g.echo(body).Query, "SECRET-CODE") {
		t.Fatalf("the upstream did not get the query as sent: %d %s", resp.StatusCode, body)
	}
	if resp, _ := g.get("/down/callback"+query, nil); resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("the refusing upstream: %d, want 502", resp.StatusCode)
	}
	for _, view := range g.traces() {
		shown, _ := json.Marshal(view)
		for _, s := range secrets {
			if strings.Contains(string(shown), s) {
				t.Errorf("the trace shows %s: %s", s, shown)
			}
		}
		if !strings.Contains(view.URL, "/callback?") || !strings.Contains(view.URL, "x=1") || !strings.Contains(view.URL, "country_code=fr") ||
			!strings.Contains(view.Summary, "x=1") {
			t.Errorf("the trace lost the path or the plain arguments: url %q, summary %q", view.URL, view.Summary)
		}
	}
	mu.Lock()
	logged := logs.String()
	mu.Unlock()
	if !strings.Contains(logged, "request trace") || !strings.Contains(logged, "upstream failed") || !strings.Contains(logged, "x=1") {
		t.Fatalf("no request trace and upstream failure with the plain arguments in the debug log:\n%s", logged)
	}
	for _, s := range secrets {
		if strings.Contains(logged, s) {
			t.Errorf("the debug log shows %s:\n%s", s, logged)
		}
	}
}

// TestTraceKeepsNoPrivateKey: a kept trace of a request over TLS names the certificate the
// server name got, but holds none of the certificate entity's private key.
func TestTraceKeepsNoPrivateKey(t *testing.T) {
	t.Parallel()
	g := newTracedGateway(t)
	g.route("/ok")
	cert := newTestCert(t, nil, certOptions{cn: "secure.test", dns: []string{"secure.test"}})
	keyPEM := cert.keyPEM(t)
	certID := g.add("certificates", Entity{"cert": cert.certPEM(), "key": keyPEM, "cert_alt": cert.certPEM(), "key_alt": keyPEM,
		"snis": []any{"secure.test"}})
	fallback, err := DefaultCertificate()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(g.proxy.Handle, nil)
	go func() { _ = srv.Serve(tls.NewListener(ln, NewTLSConfig(func() *Proxy { return g.proxy }, fallback))) }()
	t.Cleanup(func() { _ = srv.Shutdown() })
	tr := &http.Transport{TLSClientConfig: &tls.Config{ServerName: "secure.test", InsecureSkipVerify: true}} //nolint:gosec // the test checks the trace, not the certificate
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get("https://" + ln.Addr().String() + "/ok")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.TLS == nil || resp.TLS.PeerCertificates[0].Subject.CommonName != "secure.test" {
		t.Fatalf("the proxy did not serve the configured certificate: %+v", resp.TLS)
	}

	kept := g.proxy.settings.Traces.Traces(nil, 1)
	if len(kept) != 1 || kept[0].TLS == nil {
		t.Fatalf("no trace of the TLS request: %+v", kept)
	}
	if v := kept[0].View(); v.TLS == nil || v.TLS.Certificate != "certificate "+certID+` by SNI "secure.test"` {
		t.Errorf("the trace does not name the certificate: %+v", v.TLS)
	}
	// The key's base64 body, as the trace would print or encode it.
	keyBody := strings.Split(strings.TrimSpace(keyPEM), "\n")[1]
	if dump := fmt.Sprintf("%+v", *kept[0].TLS); strings.Contains(dump, keyBody) || strings.Contains(dump, "PRIVATE KEY") {
		t.Errorf("the kept trace holds the certificate's private key: %s", dump)
	}
}
