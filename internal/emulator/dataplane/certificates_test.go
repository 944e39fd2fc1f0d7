package dataplane

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// TestWildcardSNIs: the wildcard names Kong looks a server name up by.
func TestWildcardSNIs(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, prefix, suffix string }{
		{"domain.test", "", "domain.*"},
		{"www.domain.test", "*.domain.test", "www.domain.*"},
		{"foo.www.domain.test", "*.www.domain.test", "foo.www.domain.*"},
		{"localhost", "", ""},
	} {
		if prefix, suffix := wildcardSNIs(c.name); prefix != c.prefix || suffix != c.suffix {
			t.Errorf("%s: %q %q, want %q %q", c.name, prefix, suffix, c.prefix, c.suffix)
		}
	}
}

// TestRequestsCarryTheClientTLSState: over the HTTPS listener, the requests plugins see
// (Downstream, and Request, which mtls-auth reads) carry the TLS connection's state with the
// certificate the client presented, which the listener asks for without requiring it; over
// plain HTTP they carry none.
func TestRequestsCarryTheClientTLSState(t *testing.T) {
	t.Parallel()
	serverCert, err := DefaultCertificate()
	if err != nil {
		t.Fatal(err)
	}
	clientCert, err := DefaultCertificate() // any certificate will do: the listener checks none
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(func(fc *fasthttp.RequestCtx) {
		down, out, err := downstreamRequests(fc)
		switch {
		case err != nil:
			fc.SetBodyString(err.Error())
		case down.TLS == nil || out.TLS == nil:
			fc.SetBodyString("no TLS state")
		case len(out.TLS.PeerCertificates) == 0:
			fc.SetBodyString("TLS, no client certificate, SNI " + down.TLS.ServerName)
		default:
			fc.SetBodyString("client certificate " + out.TLS.PeerCertificates[0].Subject.CommonName)
		}
	}, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	plainLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(tls.NewListener(ln, NewTLSConfig(func() *Proxy { return nil }, serverCert))) }()
	go func() { _ = srv.Serve(plainLn) }()
	t.Cleanup(func() { _ = srv.Shutdown() })

	get := func(url string, config *tls.Config) string {
		t.Helper()
		tr := &http.Transport{TLSClientConfig: config}
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr}).Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		body, _ := io.ReadAll(resp.Body)
		return string(body)
	}
	roots := x509.NewCertPool()
	roots.AddCert(serverCert.Leaf)
	tlsURL := "https://" + ln.Addr().String()
	if got := get(tlsURL, &tls.Config{RootCAs: roots, ServerName: "localhost", Certificates: []tls.Certificate{*clientCert}}); got != "client certificate localhost" {
		t.Errorf("with a client certificate: %s", got)
	}
	if got := get(tlsURL, &tls.Config{RootCAs: roots, ServerName: "localhost"}); got != "TLS, no client certificate, SNI localhost" {
		t.Errorf("without a client certificate: %s", got)
	}
	if got := get("http://"+plainLn.Addr().String(), nil); !strings.Contains(got, "no TLS state") {
		t.Errorf("plain HTTP: %s", got)
	}
}
