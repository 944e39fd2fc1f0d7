package dataplane

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// mtls-auth (Kong Enterprise): authenticates the client by the certificate it presented in the
// TLS handshake, verified against the configured CA certificates, and maps it to a consumer.

func init() { RegisterTyped("mtls-auth", newMTLSAuth) }

// mtlsAuthConfig is the part of mtls-auth's config the data plane acts on. Not declared, so
// reported as not enforced: revocation_check_mode (no OCSP or CRL check is made) with what
// only serves it (cert_cache_ttl, http_timeout, http(s)_proxy_host/port, ssl_verify),
// send_ca_dn (the handshake is the TLS listener's), san_dirname_matcher (directory-name
// SANs are not read) and cache_ttl (nothing is cached across configuration changes: every
// snapshot reads the consumers afresh). mtls-auth credentials (manual subject-name
// mappings) are not an entity of the emulator, so only consumer_by matches consumers.
type mtlsAuthConfig struct {
	CACertificates       []string `json:"ca_certificates"`
	AllowPartialChain    bool     `json:"allow_partial_chain"`
	ConsumerBy           []string `json:"consumer_by"`
	SkipConsumerLookup   bool     `json:"skip_consumer_lookup"`
	AuthenticatedGroupBy *string  `json:"authenticated_group_by"`
	Anonymous            string   `json:"anonymous"`
	DefaultConsumer      string   `json:"default_consumer"`
}

// Kong's answers.
const (
	mtlsNoCertificate = "No required TLS certificate was sent"
	mtlsFailed        = "TLS certificate failed verification"
)

type mtlsAuth struct {
	cfg mtlsAuthConfig

	// The trust store is made from the snapshot's CA certificates on first use; the handler
	// lives as long as its snapshot.
	once  sync.Once
	trust *mtlsTrust
}

// mtlsTrust is the configured CA certificates, or why they cannot be used.
type mtlsTrust struct {
	pool *x509.CertPool
	// also holds the CA certificates: OpenSSL goes on from a CA certificate of the store that
	// is not self-signed to its issuer, when partial chains are not allowed.
	also   *x509.CertPool
	byRaw  map[string]string // a CA certificate's DER -> its id
	broken string
}

func newMTLSAuth(c mtlsAuthConfig, _ Instance) (Handler, error) {
	return &mtlsAuth{cfg: c}, nil
}

// trustFrom builds the trust store from the snapshot's parsed CA certificates.
func (m *mtlsAuth) trustFrom(s *Snapshot) *mtlsTrust {
	m.once.Do(func() {
		t := &mtlsTrust{pool: x509.NewCertPool(), also: x509.NewCertPool(), byRaw: map[string]string{}}
		var material *tlsMaterial
		if s != nil {
			material = s.tls
		}
		for _, id := range m.cfg.CACertificates {
			var cert *x509.Certificate
			if material != nil {
				cert = material.cas[id]
			}
			if cert == nil {
				why := "does not exist"
				if material != nil {
					why = missing(material, "ca_certificates", id)
				}
				t.broken = "its CA certificate " + id + " " + why
				break
			}
			t.pool.AddCert(cert)
			t.also.AddCert(cert)
			t.byRaw[string(cert.Raw)] = id
		}
		m.trust = t
	})
	return m.trust
}

// clientTLS is the client's TLS connection as the downstream request carries it.
func clientTLS(ctx *Context) *tls.ConnectionState {
	if ctx.Downstream != nil && ctx.Downstream.TLS != nil {
		return ctx.Downstream.TLS
	}
	if ctx.Request != nil {
		return ctx.Request.TLS
	}
	return nil
}

func (m *mtlsAuth) Access(ctx *Context) {
	if m.cfg.Anonymous != "" && ctx.Authenticated() {
		// Another auth plugin identified the client: with anonymous set, Kong's logical OR.
		ctx.Decide("the request is already authenticated by another plugin")
		return
	}
	failure, status := m.authenticate(ctx)
	if failure == "" {
		return
	}
	if status == http.StatusInternalServerError {
		ctx.Exit(status, "", nil)
		return
	}
	if m.cfg.Anonymous != "" && ctx.Tracing() {
		ctx.Decide(ctx.decision + "; going on as the anonymous consumer " + m.cfg.Anonymous)
	}
	ctx.AnonymousOr(m.cfg.Anonymous, func() {
		ctx.ExitJSON(http.StatusUnauthorized, cjsonEncode(map[string]string{"message": failure}), nil)
	})
}

// authenticate verifies the client's certificate and finds its consumer. It returns Kong's
// message for a refusal (and its status), or "" when the request may go on.
func (m *mtlsAuth) authenticate(ctx *Context) (string, int) {
	state := clientTLS(ctx)
	if state == nil {
		ctx.Decide("the request did not come over TLS, so it carries no client certificate")
		return mtlsNoCertificate, http.StatusUnauthorized
	}
	if len(state.PeerCertificates) == 0 {
		ctx.Decide("the client sent no certificate in the TLS handshake")
		return mtlsNoCertificate, http.StatusUnauthorized
	}
	trust := m.trustFrom(ctx.Snapshot)
	if trust.broken != "" {
		if ctx.Tracing() {
			ctx.Decide("the plugin cannot verify certificates: " + trust.broken + "; 500 as Kong answers")
		}
		return "An unexpected error occurred", http.StatusInternalServerError
	}
	leaf := state.PeerCertificates[0]
	caID, why := m.verify(ctx, trust, state.PeerCertificates)
	if caID == "" {
		if ctx.Tracing() {
			ctx.Decide("the client certificate " + strconv.Quote(leaf.Subject.String()) + " does not verify against ca_certificates " +
				strings.Join(m.cfg.CACertificates, ", ") + ": " + why)
		}
		return mtlsFailed, http.StatusUnauthorized
	}
	names := certificateNames(leaf)
	verified := ""
	if ctx.Tracing() {
		verified = "the client certificate " + strconv.Quote(leaf.Subject.String()) + " verifies against ca_certificate " + caID
	}
	if m.cfg.SkipConsumerLookup {
		if m.cfg.AuthenticatedGroupBy != nil {
			switch *m.cfg.AuthenticatedGroupBy {
			case "DN":
				ctx.AuthenticatedGroups = []string{leaf.Subject.String()}
			default: // CN
				if leaf.Subject.CommonName == "" {
					if ctx.Tracing() {
						ctx.Decide(verified + ", but it has no common name to use as the authenticated group")
					}
					return "Certificate missing Common Name", http.StatusUnauthorized
				}
				ctx.AuthenticatedGroups = []string{leaf.Subject.CommonName}
			}
		}
		h := ctx.Request.Header
		h.Set("X-Client-Cert-Dn", leaf.Subject.String())
		if len(names) > 0 {
			h.Set("X-Client-Cert-San", strings.Join(names, ","))
		}
		if ctx.Tracing() {
			ctx.Decide(verified + "; consumer lookup skipped, authenticated groups " + strings.Join(ctx.AuthenticatedGroups, ", "))
		}
		return "", 0
	}
	for _, name := range names {
		for _, field := range m.cfg.ConsumerBy {
			if consumer, ok := ctx.Snapshot.Lookup("consumers", field, name); ok {
				ctx.Authenticate(consumer, Entity{"id": Str(consumer, "id")}, "")
				if ctx.Tracing() {
					ctx.Decide(verified + "; consumer matched by " + field + " = " + strconv.Quote(name))
				}
				return "", 0
			}
		}
	}
	if m.cfg.DefaultConsumer != "" {
		consumer, ok := ctx.Snapshot.Get("consumers", m.cfg.DefaultConsumer)
		if !ok {
			consumer, ok = ctx.Snapshot.Lookup("consumers", "username", m.cfg.DefaultConsumer)
		}
		if ok {
			ctx.Authenticate(consumer, Entity{"id": Str(consumer, "id")}, "")
			if ctx.Tracing() {
				ctx.Decide(verified + "; no consumer matches its names, so the default_consumer " + m.cfg.DefaultConsumer)
			}
			return "", 0
		}
	}
	if ctx.Tracing() {
		by := "consumer_by is empty, so no consumer is looked up"
		if len(m.cfg.ConsumerBy) > 0 {
			by = "no consumer has " + strings.Join(m.cfg.ConsumerBy, " or ") + " equal to one of its names (" + strings.Join(names, ", ") + ")"
		}
		ctx.Decide(verified + ", but " + by)
	}
	return mtlsFailed, http.StatusUnauthorized
}

// verify checks the client's chain (its certificate, then the intermediates it sent) against
// the trust store, as OpenSSL does: the chain must end at a self-signed CA certificate of the
// store, or, with allow_partial_chain, at any certificate of the store. It returns the id of
// the CA certificate the chain ends at, or "" and why.
func (m *mtlsAuth) verify(ctx *Context, trust *mtlsTrust, peer []*x509.Certificate) (string, string) {
	opts := x509.VerifyOptions{Roots: trust.pool, Intermediates: trust.also.Clone(), CurrentTime: ctx.Now,
		// OpenSSL's store verify, which Kong calls, checks no purpose.
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}
	for _, c := range peer[1:] {
		opts.Intermediates.AddCert(c)
	}
	chains, err := peer[0].Verify(opts)
	if err != nil {
		return "", strings.TrimPrefix(err.Error(), "x509: ")
	}
	for _, chain := range chains {
		anchor := chain[len(chain)-1]
		if !m.cfg.AllowPartialChain && !selfSigned(anchor) {
			continue
		}
		if id := trust.byRaw[string(anchor.Raw)]; id != "" {
			return id, ""
		}
	}
	anchor := chains[0][len(chains[0])-1]
	return "", "the chain ends at " + strconv.Quote(anchor.Subject.String()) +
		", which is not a self-signed root, and allow_partial_chain is off"
}

// selfSigned tells whether a certificate is its own issuer.
func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil
}

// certificateNames are the names a certificate is matched to consumers by, as Kong reads
// them: its subject alternative names, then its common name.
func certificateNames(c *x509.Certificate) []string {
	names := make([]string, 0, len(c.DNSNames)+len(c.EmailAddresses)+2)
	names = append(names, c.DNSNames...)
	names = append(names, c.EmailAddresses...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	for _, u := range c.URIs {
		names = append(names, u.String())
	}
	if c.Subject.CommonName != "" {
		names = append(names, c.Subject.CommonName)
	}
	return names
}
