package dataplane

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// tlsMaterial is a snapshot's certificates, parsed once: the ca_certificates (services'
// ca_certificates, mtls-auth's trust) and the certificates with their keys (client
// certificates presented to upstreams). An entity whose PEM does not parse is listed in
// Skipped, and why in broken, so that what references it can say so.
type tlsMaterial struct {
	cas map[string]*x509.Certificate
	// certificates are the certificate entities that parse; clients the pairs of those used
	// as client certificates, parsed when first referenced.
	certificates map[string]Entity
	clients      map[string]*tls.Certificate
	broken       map[string]string // "kind\x00id" -> why the entity is not usable
}

func (m *tlsMaterial) why(kind, id string) string { return m.broken[kind+"\x00"+id] }

// loadTLSMaterial parses the snapshot's ca_certificates and takes the client certificates
// from its certificates; it runs after loadCertificates.
func (s *Snapshot) loadTLSMaterial() {
	m := &tlsMaterial{cas: map[string]*x509.Certificate{}, certificates: map[string]Entity{},
		clients: map[string]*tls.Certificate{}, broken: map[string]string{}}
	skip := func(kind string, e Entity, why string) {
		m.broken[kind+"\x00"+Str(e, "id")] = why
		s.Skipped = append(s.Skipped, Skipped{Kind: kind, ID: Str(e, "id"), Reason: why})
	}
	for _, e := range s.byKind["ca_certificates"] {
		cert, err := parseCertificatePEM(Str(e, "cert"))
		switch {
		case err != nil:
			skip("ca_certificates", e, "its cert does not parse: "+err.Error())
		case !cert.IsCA:
			// Kong's schema refuses a certificate that is not a CA (basicConstraints CA:TRUE).
			skip("ca_certificates", e, "its cert is not a CA certificate (no basicConstraints CA:TRUE)")
		default:
			m.cas[Str(e, "id")] = cert
		}
	}
	// loadCertificates has left out (and listed) the certificates that do not parse.
	for _, sk := range s.Skipped {
		if sk.Kind == "certificates" {
			m.broken["certificates\x00"+sk.ID] = sk.Reason
		}
	}
	for _, e := range s.byKind["certificates"] {
		m.certificates[Str(e, "id")] = e
	}
	s.tls = m
	s.upstreamTLS = map[string]*upstreamTLS{}
	upstreams := map[string]Entity{}
	for _, u := range s.byKind["upstreams"] {
		upstreams[Str(u, "name")] = u
	}
	for _, svc := range s.byKind["services"] {
		if Str(svc, "protocol") == "https" {
			s.upstreamTLS[Str(svc, "id")] = newUpstreamTLS(svc, upstreams[Str(svc, "host")], m)
		}
	}
}

// clientCertificate is the main pair (cert and key) of a certificate entity, or nil when
// there is no such certificate or it was left out.
func (m *tlsMaterial) clientCertificate(id string) *tls.Certificate {
	if pair, ok := m.clients[id]; ok {
		return pair
	}
	e, ok := m.certificates[id]
	if !ok {
		return nil
	}
	pair, err := tls.X509KeyPair([]byte(Str(e, "cert")), []byte(Str(e, "key")))
	if err != nil { // loadCertificates made the same pair, so this does not happen
		m.broken["certificates\x00"+id] = "cert and key do not make a TLS certificate: " + err.Error()
		return nil
	}
	m.clients[id] = &pair
	return &pair
}

// parseCertificatePEM reads the first certificate of a PEM text.
func parseCertificatePEM(text string) (*x509.Certificate, error) {
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	if block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("a PEM block of type %q, not CERTIFICATE", block.Type)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parsing the certificate: %w", err)
	}
	return cert, nil
}

// nginxVerifyDepth is nginx's proxy_ssl_verify_depth default, which a service's
// tls_verify_depth of null leaves in force.
const nginxVerifyDepth = 1

// upstreamTLS is how the proxy speaks TLS to one https service's upstream, built once per
// snapshot: Kong's tls_verify (off unless set: the node's proxy_ssl_verify default),
// tls_verify_depth, ca_certificates (else the node's trusted certificates, which for the
// emulator are the system's roots) and client_certificate (the service's, else its upstream's).
type upstreamTLS struct {
	verify bool
	// depth is the most intermediate CA certificates allowed between the upstream's
	// certificate and the trust anchor (OpenSSL's verify depth, as Kong's OpenSSL 3 counts it).
	depth int
	roots *x509.CertPool // nil: the system's roots
	// trustWords says what the certificate is checked against, for the trace.
	trustWords string
	client     *tls.Certificate
	// broken is why the service cannot be proxied to over TLS (an entity it references was
	// skipped), or "".
	broken string
	// key names these settings in the upstream connection pool, so that connections made with
	// one service's settings are not used for another's.
	key string

	sessions tls.ClientSessionCache
	configs  sync.Map // server name -> *tls.Config
	// cachedConfigs counts configs: with preserve_host the server name is the client's Host,
	// so past maxCachedConfigs names a config is made for the connection and not kept.
	cachedConfigs atomic.Int32
}

// maxCachedConfigs bounds the TLS client configurations kept per service's settings.
const maxCachedConfigs = 64

func newUpstreamTLS(svc, upstream Entity, m *tlsMaterial) *upstreamTLS {
	u := &upstreamTLS{verify: Bool(svc, "tls_verify"), depth: nginxVerifyDepth, sessions: tls.NewLRUClientSessionCache(64)}
	if svc["tls_verify_depth"] != nil {
		u.depth = int(Num(svc, "tls_verify_depth"))
	}
	var fingerprint strings.Builder
	fmt.Fprintf(&fingerprint, "verify=%v depth=%d", u.verify, u.depth)
	caIDs := Strings(svc, "ca_certificates")
	if len(caIDs) > 0 {
		u.roots = x509.NewCertPool()
		u.trustWords = "ca_certificates: " + strings.Join(caIDs, ", ")
		for _, id := range caIDs {
			cert, ok := m.cas[id]
			if !ok {
				u.fail("its ca_certificate " + id + " " + missing(m, "ca_certificates", id))
				continue
			}
			u.roots.AddCert(cert)
			sum := sha256.Sum256(cert.Raw)
			fingerprint.WriteString(" ca=" + hex.EncodeToString(sum[:8]))
		}
	} else {
		u.trustWords = "no ca_certificates: the node's trusted certificates, here the system's roots"
	}
	certRef, owner := svc["client_certificate"], "its client_certificate"
	if RefID(certRef) == "" && upstream != nil {
		// Kong falls back to the upstream's client_certificate when the service has none.
		certRef, owner = upstream["client_certificate"], "its upstream's client_certificate"
	}
	if id := RefID(certRef); id != "" {
		if pair := m.clientCertificate(id); pair != nil {
			u.client = pair
			fingerprint.WriteString(" client=" + id)
			if len(pair.Certificate) > 0 {
				sum := sha256.Sum256(pair.Certificate[0])
				fingerprint.WriteString(hex.EncodeToString(sum[:8]))
			}
		} else {
			u.fail(owner + " " + id + " " + missing(m, "certificates", id))
		}
	}
	sum := sha256.Sum256([]byte(fingerprint.String()))
	u.key = hex.EncodeToString(sum[:8])
	return u
}

func (u *upstreamTLS) fail(why string) {
	if u.broken == "" {
		u.broken = why
	}
}

// missing says why a referenced entity is not in the snapshot's material.
func missing(m *tlsMaterial, kind, id string) string {
	if why := m.why(kind, id); why != "" {
		return "was skipped (" + why + ")"
	}
	return "does not exist"
}

// config is the TLS client configuration for a connection whose server name (SNI, and the
// name the certificate must carry) is serverName; it is made once per server name.
func (u *upstreamTLS) config(serverName string) *tls.Config {
	if c, ok := u.configs.Load(serverName); ok {
		return c.(*tls.Config)
	}
	c := &tls.Config{
		ServerName:         serverName,
		ClientSessionCache: u.sessions,
		// The certificate is checked by verifyPeer, which applies Kong's depth and says why
		// a check failed.
		InsecureSkipVerify: true, //nolint:gosec // verified in VerifyConnection when tls_verify is on
	}
	if u.verify {
		c.VerifyConnection = func(cs tls.ConnectionState) error { return u.verifyPeer(cs, serverName) }
	}
	if u.client != nil {
		c.Certificates = []tls.Certificate{*u.client}
	}
	if u.cachedConfigs.Add(1) > maxCachedConfigs {
		u.cachedConfigs.Add(-1)
		return c
	}
	actual, loaded := u.configs.LoadOrStore(serverName, c)
	if loaded {
		u.cachedConfigs.Add(-1)
	}
	return actual.(*tls.Config)
}

// upstreamTLSError is a failed TLS handshake with an upstream, in words.
type upstreamTLSError struct {
	reason string
	err    error
	// handshake: the handshake failed, so nothing was sent; nginx tries the next peer
	// (proxy_next_upstream error), as after a failed connect.
	handshake bool
}

func (e *upstreamTLSError) Error() string { return "upstream TLS: " + e.reason }
func (e *upstreamTLSError) Unwrap() error { return e.err }

// verifyPeer checks the upstream's certificate chain as nginx's proxy_ssl_verify does: against
// the trusted certificates, for the server name, within the verify depth.
func (u *upstreamTLS) verifyPeer(cs tls.ConnectionState, serverName string) error {
	certs := cs.PeerCertificates
	if len(certs) == 0 {
		return errors.New("the upstream sent no certificate")
	}
	// The chain first, then the name, in OpenSSL's order.
	opts := x509.VerifyOptions{Roots: u.roots, Intermediates: x509.NewCertPool()}
	for _, c := range certs[1:] {
		opts.Intermediates.AddCert(c)
	}
	chains, err := certs[0].Verify(opts)
	if err != nil {
		return err
	}
	if err := certs[0].VerifyHostname(serverName); err != nil {
		return err
	}
	shortest := chains[0]
	for _, ch := range chains[1:] {
		if len(ch) < len(shortest) {
			shortest = ch
		}
	}
	// A chain holds the leaf, its intermediates and the trust anchor.
	if intermediates := len(shortest) - 2; intermediates > u.depth {
		return fmt.Errorf("certificate chain too long: %d intermediate CA certificates, more than tls_verify_depth %d allows", intermediates, u.depth)
	}
	return nil
}

// handshakeError puts a failed handshake in words: what failed and against what it was
// checked.
func (u *upstreamTLS) handshakeError(err error, serverName string) *upstreamTLSError {
	var reason string
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknown):
		reason = "certificate signed by unknown authority"
		if c := unknown.Cert; c != nil {
			reason += " (the upstream's certificate " + strconv.Quote(c.Subject.String()) + " was issued by " + strconv.Quote(c.Issuer.String()) + ")"
		}
	case errors.As(err, &hostname):
		reason = "the upstream's certificate is not valid for " + strconv.Quote(serverName) + " (the SNI sent): " + hostname.Error()
	case errors.As(err, &invalid):
		reason = invalid.Error()
	default:
		reason = err.Error()
	}
	return &upstreamTLSError{reason: reason + u.settingsWords(), err: err}
}

// closedAfterHandshake puts in words an upstream that ended a new TLS connection once the
// handshake was done: with TLS 1.3 that is how an upstream refuses the client certificate
// (none, or one it does not trust), which the client learns only when it reads.
func (u *upstreamTLS) closedAfterHandshake(err error) *upstreamTLSError {
	reason := "the upstream ended the connection right after the TLS handshake (" + err.Error() +
		"); an upstream that requires a client certificate does so when it gets none or one it does not trust"
	return &upstreamTLSError{reason: reason + u.settingsWords(), err: err}
}

// settingsWords are the service's TLS settings, for a failure's reason.
func (u *upstreamTLS) settingsWords() string {
	var b strings.Builder
	if u.verify {
		b.WriteString(" (tls_verify on, " + u.trustWords + ", tls_verify_depth " + strconv.Itoa(u.depth))
	} else {
		b.WriteString(" (tls_verify off")
	}
	if u.client != nil && u.client.Leaf != nil {
		b.WriteString("; client certificate presented: " + strconv.Quote(u.client.Leaf.Subject.String()))
	} else {
		b.WriteString("; no client certificate presented")
	}
	b.WriteString(")")
	return b.String()
}
