package dataplane

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// tlsUpstream is an HTTPS test upstream: it answers what it saw of the TLS connection.
type tlsUpstream struct {
	srv        *httptest.Server
	port       int
	handshakes atomic.Int64
	closed     atomic.Int64 // connections ended, by either side
}

type tlsSeen struct {
	SNI      string `json:"sni"`
	ClientCN string `json:"client_cn"`
	Host     string `json:"host"`
}

// newTLSUpstream serves HTTPS on loopback with cert (and its intermediates); with clientCA,
// it requires a client certificate issued by it.
func newTLSUpstream(t *testing.T, cert *testCert, clientCA *testCert) *tlsUpstream {
	t.Helper()
	u := &tlsUpstream{}
	u.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen := tlsSeen{SNI: r.TLS.ServerName, Host: r.Host}
		if len(r.TLS.PeerCertificates) > 0 {
			seen.ClientCN = r.TLS.PeerCertificates[0].Subject.CommonName
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(seen)
	}))
	u.srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert.tlsCert()}}
	u.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the tests' point
	if clientCA != nil {
		pool := x509.NewCertPool()
		pool.AddCert(clientCA.cert)
		u.srv.TLS.ClientCAs, u.srv.TLS.ClientAuth = pool, tls.RequireAndVerifyClientCert
	}
	u.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			u.handshakes.Add(1)
		case http.StateClosed, http.StateHijacked:
			u.closed.Add(1)
		}
	}
	u.srv.StartTLS()
	t.Cleanup(u.srv.Close)
	_, port, _ := net.SplitHostPort(u.srv.Listener.Addr().String())
	u.port, _ = strconv.Atoi(port)
	return u
}

// httpsRoute adds an https service (host localhost) to the upstream with the given fields and
// a route /path to it; it returns the service's id.
func (g *testGateway) httpsRoute(path string, u *tlsUpstream, fields Entity) string {
	g.t.Helper()
	svc := Entity{"name": "tls" + strings.ReplaceAll(path, "/", "-"), "host": "localhost", "port": u.port, "protocol": "https"}
	for k, v := range fields {
		svc[k] = v
	}
	id := g.add("services", svc)
	g.add("routes", Entity{"paths": []any{path}, "service": map[string]any{"id": id}, "protocols": []any{"http", "https"}})
	return id
}

// upstreamError is the trace's upstream error of the newest request.
func (g *testGateway) upstreamError() string {
	g.t.Helper()
	traces := g.traces()
	if len(traces) == 0 || traces[0].Upstream == nil {
		g.t.Fatalf("no upstream in the newest trace: %+v", traces)
	}
	return traces[0].Upstream.Error
}

// wantBadGateway checks Kong's 502 for a failed upstream (nginx's error page: text/plain
// without Accept) and returns the trace's reason.
func (g *testGateway) wantBadGateway(path string) string {
	g.t.Helper()
	resp, body := g.get(path, nil)
	if resp.StatusCode != http.StatusBadGateway || !strings.HasPrefix(string(body), "An invalid response was received from the upstream server\nrequest_id: ") {
		g.t.Fatalf("%s: %d %q, want Kong's 502", path, resp.StatusCode, body)
	}
	return g.upstreamError()
}

func (g *testGateway) wantTLSOK(path string) tlsSeen {
	g.t.Helper()
	resp, body := g.get(path, nil)
	var seen tlsSeen
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &seen) != nil {
		if traces := g.traces(); len(traces) > 0 {
			g.t.Logf("trace: %s", traces[0].Summary)
		}
		g.t.Fatalf("%s: %d %s, want the upstream's answer", path, resp.StatusCode, body)
	}
	return seen
}

func TestUpstreamTLSVerifyOffAcceptsAnyCertificate(t *testing.T) {
	t.Parallel()
	self := newTestCert(t, nil, certOptions{cn: "self-signed", dns: []string{"localhost"}})
	up := newTLSUpstream(t, self, nil)
	g := newTracedGateway(t)
	g.httpsRoute("/default", up, nil)
	g.httpsRoute("/null", up, Entity{"tls_verify": nil, "tls_verify_depth": nil})
	g.httpsRoute("/off", up, Entity{"tls_verify": false})
	for _, path := range []string{"/default", "/null", "/off"} {
		if seen := g.wantTLSOK(path); seen.SNI != "localhost" {
			t.Errorf("%s: the upstream saw SNI %q, want the service's host", path, seen.SNI)
		}
	}
	g.httpsRoute("/on", up, Entity{"tls_verify": true})
	if why := g.wantBadGateway("/on"); !strings.Contains(why, "upstream TLS: certificate signed by unknown authority") ||
		!strings.Contains(why, "system's roots") {
		t.Errorf("trace: %q", why)
	}
}

func TestUpstreamTLSVerifyAgainstCACertificates(t *testing.T) {
	t.Parallel()
	root := newTestCert(t, nil, certOptions{cn: "Upstream Root", ca: true})
	other := newTestCert(t, nil, certOptions{cn: "Other Root", ca: true})
	leaf := newTestCert(t, root, certOptions{cn: "localhost", dns: []string{"localhost"}})
	up := newTLSUpstream(t, leaf, nil)
	g := newTracedGateway(t)
	rootID := g.add("ca_certificates", Entity{"cert": root.certPEM()})
	otherID := g.add("ca_certificates", Entity{"cert": other.certPEM()})
	g.httpsRoute("/right", up, Entity{"tls_verify": true, "ca_certificates": []any{rootID}})
	g.httpsRoute("/both", up, Entity{"tls_verify": true, "ca_certificates": []any{otherID, rootID}})
	g.httpsRoute("/wrong", up, Entity{"tls_verify": true, "ca_certificates": []any{otherID}})
	g.wantTLSOK("/right")
	g.wantTLSOK("/both")
	why := g.wantBadGateway("/wrong")
	for _, want := range []string{"upstream TLS: certificate signed by unknown authority", `issued by "CN=Upstream Root`,
		"tls_verify on, ca_certificates: " + otherID} {
		if !strings.Contains(why, want) {
			t.Errorf("trace %q lacks %q", why, want)
		}
	}
	if s := g.traces()[0].Summary; !strings.Contains(s, "-> 502") || !strings.Contains(s, "unknown authority") {
		t.Errorf("summary: %s", s)
	}
}

func TestUpstreamTLSVerifyDepth(t *testing.T) {
	t.Parallel()
	root := newTestCert(t, nil, certOptions{cn: "Root", ca: true})
	inter1 := newTestCert(t, root, certOptions{cn: "Intermediate 1", ca: true})
	inter2 := newTestCert(t, inter1, certOptions{cn: "Intermediate 2", ca: true})
	oneDeep := newTLSUpstream(t, newTestCert(t, inter1, certOptions{cn: "localhost", dns: []string{"localhost"}}), nil)
	twoDeep := newTLSUpstream(t, newTestCert(t, inter2, certOptions{cn: "localhost", dns: []string{"localhost"}}), nil)
	g := newTracedGateway(t)
	rootID := g.add("ca_certificates", Entity{"cert": root.certPEM()})
	verify := func(depth any) Entity {
		return Entity{"tls_verify": true, "ca_certificates": []any{rootID}, "tls_verify_depth": depth}
	}
	// nginx's default depth, 1, allows one intermediate CA (as Kong with OpenSSL 3 counts it).
	g.httpsRoute("/one-default", oneDeep, verify(nil))
	g.httpsRoute("/one-depth0", oneDeep, verify(0))
	g.httpsRoute("/two-default", twoDeep, verify(nil))
	g.httpsRoute("/two-depth2", twoDeep, verify(2))
	g.wantTLSOK("/one-default")
	g.wantTLSOK("/two-depth2")
	for path, want := range map[string]string{
		"/one-depth0":  "1 intermediate CA certificates, more than tls_verify_depth 0 allows",
		"/two-default": "2 intermediate CA certificates, more than tls_verify_depth 1 allows",
	} {
		if why := g.wantBadGateway(path); !strings.Contains(why, "upstream TLS: certificate chain too long: "+want) {
			t.Errorf("%s: trace %q", path, why)
		}
	}
}

func TestUpstreamTLSNameAndValidity(t *testing.T) {
	t.Parallel()
	root := newTestCert(t, nil, certOptions{cn: "Root", ca: true})
	up := newTLSUpstream(t, newTestCert(t, root, certOptions{cn: "localhost", dns: []string{"localhost"}}), nil)
	expired := newTLSUpstream(t, newTestCert(t, root, certOptions{cn: "localhost", dns: []string{"localhost"},
		notBefore: time.Now().Add(-48 * time.Hour), notAfter: time.Now().Add(-24 * time.Hour)}), nil)
	g := newTracedGateway(t)
	rootID := g.add("ca_certificates", Entity{"cert": root.certPEM()})
	verify := Entity{"tls_verify": true, "ca_certificates": []any{rootID}}
	svc := g.httpsRoute("/plain", up, verify)
	// With preserve_host the SNI is the client's Host, which the certificate does not name.
	g.add("routes", Entity{"paths": []any{"/preserve"}, "service": map[string]any{"id": svc}, "preserve_host": true, "protocols": []any{"http"}})
	g.httpsRoute("/expired", expired, verify)

	g.wantTLSOK("/plain")
	req, _ := http.NewRequest(http.MethodGet, "/preserve", nil)
	req.Host = "api.example.test"
	resp, _ := g.do(req)
	if why := g.upstreamError(); resp.StatusCode != http.StatusBadGateway || !strings.Contains(why, `not valid for "api.example.test" (the SNI sent)`) {
		t.Errorf("preserve_host: %d, trace %q", resp.StatusCode, why)
	}
	if why := g.wantBadGateway("/expired"); !strings.Contains(why, "expired") {
		t.Errorf("expired: trace %q", why)
	}

	// Without tls_verify the preserved Host is still the SNI the upstream sees.
	off := g.httpsRoute("/off", up, nil)
	g.add("routes", Entity{"paths": []any{"/off-preserve"}, "service": map[string]any{"id": off}, "preserve_host": true, "protocols": []any{"http"}})
	req, _ = http.NewRequest(http.MethodGet, "/off-preserve", nil)
	req.Host = "api.example.test"
	_, body := g.do(req)
	var seen tlsSeen
	if json.Unmarshal(body, &seen) != nil || seen.SNI != "api.example.test" || seen.Host != "api.example.test" {
		t.Errorf("preserve_host without verify: %s", body)
	}
}

func TestUpstreamTLSClientCertificate(t *testing.T) {
	t.Parallel()
	serverRoot := newTestCert(t, nil, certOptions{cn: "Server Root", ca: true})
	clientRoot := newTestCert(t, nil, certOptions{cn: "Client Root", ca: true})
	up := newTLSUpstream(t, newTestCert(t, serverRoot, certOptions{cn: "localhost", dns: []string{"localhost"}}), clientRoot)
	kongCert := newTestCert(t, clientRoot, certOptions{cn: "kong-client"})
	strangerCert := newTestCert(t, nil, certOptions{cn: "stranger"})
	g := newTracedGateway(t)
	certID := g.add("certificates", Entity{"cert": kongCert.certPEM(), "key": kongCert.keyPEM(t)})
	strangerID := g.add("certificates", Entity{"cert": strangerCert.certPEM(), "key": strangerCert.keyPEM(t)})

	g.httpsRoute("/none", up, nil)
	g.httpsRoute("/with", up, Entity{"client_certificate": map[string]any{"id": certID}})
	g.httpsRoute("/stranger", up, Entity{"client_certificate": map[string]any{"id": strangerID}})
	if why := g.wantBadGateway("/none"); !strings.Contains(why, "upstream TLS: the upstream ended the connection right after the TLS handshake") ||
		!strings.Contains(why, "no client certificate presented") {
		t.Errorf("without a client certificate: trace %q", why)
	}
	if seen := g.wantTLSOK("/with"); seen.ClientCN != "kong-client" {
		t.Errorf("the upstream saw client certificate %q", seen.ClientCN)
	}
	if why := g.wantBadGateway("/stranger"); !strings.Contains(why, `client certificate presented: "CN=stranger`) {
		t.Errorf("with a certificate the upstream does not trust: trace %q", why)
	}

	// A service with none presents its upstream's, as Kong falls back to it; the SNI is the
	// target's host, the Host sent.
	upID := g.add("upstreams", Entity{"name": "mtls-backend", "client_certificate": map[string]any{"id": certID}})
	g.add("targets", Entity{"target": "localhost:" + strconv.Itoa(up.port), "upstream": map[string]any{"id": upID}})
	svc := g.add("services", Entity{"name": "via-upstream", "host": "mtls-backend", "port": 443, "protocol": "https"})
	g.add("routes", Entity{"paths": []any{"/via-upstream"}, "service": map[string]any{"id": svc}})
	if seen := g.wantTLSOK("/via-upstream"); seen.ClientCN != "kong-client" || seen.SNI != "localhost" {
		t.Errorf("through the upstream: %+v", seen)
	}
}

func TestUpstreamTLSConnectionsAreReused(t *testing.T) {
	t.Parallel()
	self := newTestCert(t, nil, certOptions{cn: "localhost", dns: []string{"localhost"}, ca: true})
	up := newTLSUpstream(t, newTestCert(t, self, certOptions{cn: "localhost", dns: []string{"localhost"}}), nil)
	g := newTracedGateway(t)
	caID := g.add("ca_certificates", Entity{"cert": self.certPEM()})
	svc := g.httpsRoute("/r", up, Entity{"tls_verify": true, "ca_certificates": []any{caID}})
	for range 5 {
		g.wantTLSOK("/r")
	}
	if n := up.handshakes.Load(); n != 1 {
		t.Errorf("%d TLS connections for 5 sequential requests, want 1 kept alive", n)
	}
	snap, _ := g.proxy.snapshot()
	ut := snap.upstreamTLS[svc]
	if ut == nil {
		t.Fatal("the service has no TLS settings in the snapshot")
	}
	if first, again := ut.config("localhost"), ut.config("localhost"); first != again {
		t.Error("the service's TLS settings are not kept in the snapshot")
	}
}

func TestUpstreamTLSBrokenCertificatesAreSkipped(t *testing.T) {
	t.Parallel()
	root := newTestCert(t, nil, certOptions{cn: "Root", ca: true})
	up := newTLSUpstream(t, newTestCert(t, root, certOptions{cn: "localhost", dns: []string{"localhost"}}), nil)
	other := newTestCert(t, nil, certOptions{cn: "other"})
	g := newTracedGateway(t)
	// PEM blocks whose contents are no certificate, and a key that is not the certificate's:
	// entities an older writer could have stored.
	badCA := Entity{"id": "ca-broken", "cert": "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"}
	raw, _ := json.Marshal(badCA)
	g.addRaw("ca_certificates", badCA, raw)
	badPair := Entity{"id": "cert-mismatched", "cert": root.certPEM(), "key": other.keyPEM(t)}
	raw, _ = json.Marshal(badPair)
	g.addRaw("certificates", badPair, raw)
	goodID := g.add("ca_certificates", Entity{"cert": root.certPEM()})
	// Kong accepts only CA certificates (basicConstraints CA:TRUE) as ca_certificates.
	leafID := g.add("ca_certificates", Entity{"cert": other.certPEM()})
	g.httpsRoute("/not-a-ca", up, Entity{"tls_verify": true, "ca_certificates": []any{leafID}})

	g.httpsRoute("/bad-ca", up, Entity{"tls_verify": true, "ca_certificates": []any{"ca-broken", goodID}})
	g.httpsRoute("/bad-cert", up, Entity{"client_certificate": map[string]any{"id": "cert-mismatched"}})
	g.httpsRoute("/fine", up, Entity{"tls_verify": true, "ca_certificates": []any{goodID}})

	g.wantTLSOK("/fine")
	if why := g.wantBadGateway("/bad-ca"); !strings.Contains(why, "its ca_certificate ca-broken was skipped (its cert does not parse") {
		t.Errorf("trace %q", why)
	}
	if why := g.wantBadGateway("/bad-cert"); !strings.Contains(why, "its client_certificate cert-mismatched was skipped (cert and key do not make a TLS certificate") {
		t.Errorf("trace %q", why)
	}
	if why := g.wantBadGateway("/not-a-ca"); !strings.Contains(why, "its ca_certificate "+leafID+" was skipped (its cert is not a CA certificate") {
		t.Errorf("trace %q", why)
	}
	skipped := map[string]string{}
	for _, s := range g.proxy.Skipped() {
		skipped[s.Kind+"/"+s.ID] = s.Reason
	}
	if !strings.Contains(skipped["ca_certificates/ca-broken"], "does not parse") ||
		!strings.Contains(skipped["certificates/cert-mismatched"], "do not make a TLS certificate") ||
		!strings.Contains(skipped["ca_certificates/"+leafID], "not a CA certificate") || len(skipped) != 3 {
		t.Errorf("skipped: %v", skipped)
	}
}

// TestUpstreamTLSHandshakeFailureTriesTheNextTarget: as nginx after a failed connect, a
// failed handshake is retried on the next target of the upstream.
func TestUpstreamTLSHandshakeFailureTriesTheNextTarget(t *testing.T) {
	t.Parallel()
	root := newTestCert(t, nil, certOptions{cn: "Root", ca: true})
	other := newTestCert(t, nil, certOptions{cn: "Other", ca: true})
	good := newTLSUpstream(t, newTestCert(t, root, certOptions{cn: "localhost", dns: []string{"localhost"}}), nil)
	bad := newTLSUpstream(t, newTestCert(t, other, certOptions{cn: "localhost", dns: []string{"localhost"}}), nil)
	g := newTracedGateway(t)
	rootID := g.add("ca_certificates", Entity{"cert": root.certPEM()})
	upID := g.add("upstreams", Entity{"name": "pair"})
	for _, u := range []*tlsUpstream{good, bad} {
		g.add("targets", Entity{"target": "localhost:" + strconv.Itoa(u.port), "upstream": map[string]any{"id": upID}})
	}
	svc := g.add("services", Entity{"name": "pair", "host": "pair", "port": 443, "protocol": "https", "tls_verify": true, "ca_certificates": []any{rootID}})
	g.add("routes", Entity{"paths": []any{"/pair"}, "service": map[string]any{"id": svc}})
	for range 4 {
		g.wantTLSOK("/pair")
	}
	if bad.handshakes.Load() == 0 {
		t.Error("the target with the untrusted certificate was never tried")
	}
}

// TestUpstreamTLSIdleConnectionsOfOldSettingsAreClosed: once a service's TLS settings change,
// the idle connections made with the old ones, which no request can use any more, are closed.
func TestUpstreamTLSIdleConnectionsOfOldSettingsAreClosed(t *testing.T) {
	t.Parallel()
	self := newTestCert(t, nil, certOptions{cn: "localhost", dns: []string{"localhost"}})
	up := newTLSUpstream(t, self, nil)
	g := newTracedGateway(t)
	svc := g.httpsRoute("/r", up, nil)
	g.wantTLSOK("/r")
	g.wantTLSOK("/r")
	if n, closed := up.handshakes.Load(), up.closed.Load(); n != 1 || closed != 0 {
		t.Fatalf("%d connections, %d closed, want 1 kept alive", n, closed)
	}
	g.add("services", Entity{"id": svc, "name": "tls-r", "host": "localhost", "port": up.port, "protocol": "https", "tls_verify_depth": 2})
	g.wantTLSOK("/r")
	if n := up.handshakes.Load(); n != 2 {
		t.Fatalf("%d connections after the change, want a new one with the new settings", n)
	}
	for deadline := time.Now().Add(5 * time.Second); up.closed.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if closed := up.closed.Load(); closed != 1 {
		t.Errorf("%d connections closed after the change, want the one made with the old settings", closed)
	}
	g.proxy.upstreams.mu.Lock()
	pools := len(g.proxy.upstreams.idle)
	g.proxy.upstreams.mu.Unlock()
	if pools != 1 {
		t.Errorf("%d pools of idle connections, want the new settings' only", pools)
	}
}

// TestUpstreamTLSConfigsAreBounded: with preserve_host every client Host is a server name;
// the configurations kept for them are bounded, while a kept one is still reused.
func TestUpstreamTLSConfigsAreBounded(t *testing.T) {
	t.Parallel()
	ut := newUpstreamTLS(Entity{}, nil, &tlsMaterial{})
	first := ut.config("host-0.test")
	for i := range 3 * maxCachedConfigs {
		if c := ut.config("host-" + strconv.Itoa(i) + ".test"); c.ServerName != "host-"+strconv.Itoa(i)+".test" {
			t.Fatalf("config for host-%d has server name %q", i, c.ServerName)
		}
	}
	kept := 0
	ut.configs.Range(func(any, any) bool { kept++; return true })
	if kept > maxCachedConfigs {
		t.Errorf("%d configurations kept, want at most %d", kept, maxCachedConfigs)
	}
	if ut.config("host-0.test") != first {
		t.Error("a kept configuration is not reused")
	}
}

// TestUpstreamPoolClosesConnectionsOfSettingsGone: a connection that comes back from a
// request that ran on an older snapshot, with TLS settings no longer configured, is closed;
// an emptied pool leaves the map.
func TestUpstreamPoolClosesConnectionsOfSettingsGone(t *testing.T) {
	t.Parallel()
	var pool upstreamPool
	pool.keepTLS(map[string]*upstreamTLS{"svc": {key: "current"}})
	ours, theirs := net.Pipe()
	pool.put(&upstreamConn{pool: "a|localhost|old", tlsKey: "old", conn: ours})
	_ = theirs.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := theirs.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Errorf("the connection of old settings was not closed: %v", err)
	}
	kept, _ := net.Pipe()
	pool.put(&upstreamConn{pool: "a|localhost|current", tlsKey: "current", conn: kept})
	if c := pool.get("a|localhost|current"); c == nil || c.conn != kept {
		t.Fatalf("the connection of current settings was not kept: %+v", c)
	}
	if len(pool.idle) != 0 {
		t.Errorf("pools left after their last connection was taken: %v", pool.idle)
	}
}

// TestUpstreamTLSBadAnswerIsNotBlamedOnTheClientCertificate: over a new TLS connection, an
// answer the proxy cannot take (malformed, or beyond its size limit) is a 502 whose trace
// says so, not that the upstream refused the client certificate.
func TestUpstreamTLSBadAnswerIsNotBlamedOnTheClientCertificate(t *testing.T) {
	t.Parallel()
	cert := newTestCert(t, nil, certOptions{cn: "localhost", dns: []string{"localhost"}})
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert.tlsCert()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer func() { _ = conn.Close() }()
				req, err := http.ReadRequest(bufio.NewReader(conn))
				if err != nil {
					return
				}
				if strings.HasPrefix(req.URL.Path, "/malformed") {
					_, _ = conn.Write([]byte("NOT HTTP AT ALL\r\n\r\n"))
				} else {
					_, _ = conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + strings.Repeat("x", 5000)))
				}
				// Wait for the proxy to end the connection, so it sees no end before the answer.
				_, _ = io.Copy(io.Discard, conn)
			}()
		}
	}()
	_, portText, _ := net.SplitHostPort(ln.Addr().String())
	port, _ := strconv.Atoi(portText)
	g := newTracedGateway(t)
	g.proxy.upstreams.maxResponseBody = 1000
	svc := g.add("services", Entity{"name": "bad", "host": "localhost", "port": port, "protocol": "https"})
	g.add("routes", Entity{"paths": []any{"/malformed", "/big"}, "service": map[string]any{"id": svc}, "strip_path": false})
	for path, want := range map[string]string{"/malformed": "invalid response", "/big": "body size exceeds the given limit"} {
		why := g.wantBadGateway(path)
		if strings.Contains(why, "client certificate") || strings.Contains(why, "ended the connection") || !strings.Contains(why, want) {
			t.Errorf("%s: trace %q", path, why)
		}
	}
}

// TestUpstreamTLSSettingsMadeWhenMissing: a service whose TLS settings are not in the
// snapshot still gets its own (tls_verify against its ca_certificates), not verification off.
func TestUpstreamTLSSettingsMadeWhenMissing(t *testing.T) {
	t.Parallel()
	other := newTestCert(t, nil, certOptions{cn: "Other Root", ca: true})
	up := newTLSUpstream(t, newTestCert(t, nil, certOptions{cn: "localhost", dns: []string{"localhost"}}), nil)
	g := newTracedGateway(t)
	otherID := g.add("ca_certificates", Entity{"cert": other.certPEM()})
	svc := g.httpsRoute("/r", up, Entity{"tls_verify": true, "ca_certificates": []any{otherID}})
	snap, err := g.proxy.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	delete(snap.upstreamTLS, svc)
	if why := g.wantBadGateway("/r"); !strings.Contains(why, "certificate signed by unknown authority") || !strings.Contains(why, "ca_certificates: "+otherID) {
		t.Errorf("trace %q", why)
	}
}
