package dataplane

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"strings"
	"time"
)

// defaultSNI is the SNI name whose certificate Kong serves to a client whose server name no
// other SNI matches, before its own default certificate.
const defaultSNI = "*"

// servedCertificate is a certificate entity ready for TLS handshakes: its main pair (cert
// and key, the chain as given) and, when set, its alternate pair (cert_alt and key_alt,
// usually ECDSA beside RSA); the handshake takes the first the client supports.
type servedCertificate struct {
	id    string
	pairs []tls.Certificate
}

// certificateMatch is the certificate chosen for a server name and the SNI name that chose
// it ("" for the default certificate).
type certificateMatch struct {
	cert *servedCertificate
	sni  string
}

// loadCertificates parses the certificates and indexes them by SNI name: the snis entities,
// and the names a certificate lists in its own snis field. A certificate whose PEM does not
// parse (or whose key is not its certificate's) is left out and listed as skipped, as are
// the SNIs naming it: their server names get the default certificate.
func (s *Snapshot) loadCertificates() {
	byID := map[string]*servedCertificate{}
	s.filter("certificates", func(e Entity) string {
		c, err := parseCertificate(e)
		if err != nil {
			return err.Error()
		}
		byID[c.id] = c
		return ""
	})
	s.certsByName = map[string]*servedCertificate{}
	for _, c := range s.byKind["certificates"] {
		for _, name := range Strings(c, "snis") {
			s.certsByName[strings.ToLower(name)] = byID[Str(c, "id")]
		}
	}
	s.filter("snis", func(e Entity) string {
		id := RefID(e["certificate"])
		c, ok := byID[id]
		if !ok {
			return "its certificate " + id + " is missing or was skipped: its server name gets the default certificate"
		}
		s.certsByName[strings.ToLower(Str(e, "name"))] = c
		return ""
	})
}

// parseCertificate reads a certificate entity's PEM: cert may hold the whole chain (leaf
// first, then intermediates), which is served as given.
func parseCertificate(e Entity) (*servedCertificate, error) {
	c := &servedCertificate{id: Str(e, "id")}
	pair, err := tls.X509KeyPair([]byte(Str(e, "cert")), []byte(Str(e, "key")))
	if err != nil {
		return nil, fmt.Errorf("cert and key do not make a TLS certificate: %w", err)
	}
	c.pairs = append(c.pairs, pair)
	if Str(e, "cert_alt") != "" && Str(e, "key_alt") != "" {
		alt, err := tls.X509KeyPair([]byte(Str(e, "cert_alt")), []byte(Str(e, "key_alt")))
		if err != nil {
			return nil, fmt.Errorf("cert_alt and key_alt do not make a TLS certificate: %w", err)
		}
		c.pairs = append(c.pairs, alt)
	}
	return c, nil
}

// certificateFor chooses a certificate as Kong does for a TLS server name: the SNI of that
// exact name, then the prefix wildcard (*.example.com for www.example.com), then the suffix
// wildcard (www.example.* for www.example.com), then the SNI named "*". No server name, or
// no match, gives nil: the default certificate.
func (s *Snapshot) certificateFor(serverName string) certificateMatch {
	if serverName == "" || len(s.certsByName) == 0 {
		return certificateMatch{}
	}
	name := strings.ToLower(strings.TrimSuffix(serverName, "."))
	prefix, suffix := wildcardSNIs(name)
	for _, candidate := range []string{name, prefix, suffix, defaultSNI} {
		if candidate == "" {
			continue
		}
		if c, ok := s.certsByName[candidate]; ok {
			return certificateMatch{cert: c, sni: candidate}
		}
	}
	return certificateMatch{}
}

// wildcardSNIs are the wildcard SNI names Kong looks up for a server name: the first label
// replaced by "*" when at least two labels remain (so "example.com" has none), and the last
// label replaced by "*" when there are at least two labels.
func wildcardSNIs(name string) (prefix, suffix string) {
	if first := strings.IndexByte(name, '.'); first > 0 {
		if rest := name[first+1:]; strings.IndexByte(rest, '.') > 0 && !strings.HasSuffix(rest, ".") {
			prefix = "*" + name[first:]
		}
	}
	if last := strings.LastIndexByte(name, '.'); last > 0 && last < len(name)-1 && name[last-1] != '.' {
		suffix = name[:last+1] + "*"
	}
	return prefix, suffix
}

// pick returns the pair the client supports, the main one when it supports neither (the
// handshake then fails as it would with nginx).
func (c *servedCertificate) pick(hello *tls.ClientHelloInfo) *tls.Certificate {
	for i := range c.pairs {
		if hello == nil || hello.SupportsCertificate(&c.pairs[i]) == nil {
			return &c.pairs[i]
		}
	}
	return &c.pairs[0]
}

// Certificate is the certificate the proxy presents for a TLS handshake, from the current
// configuration (a certificate changed through the API serves the next handshake), or nil
// when none is configured for the client's server name.
func (p *Proxy) Certificate(hello *tls.ClientHelloInfo) *tls.Certificate {
	s, err := p.snapshot()
	if err != nil {
		p.logger.Warn("loading the configuration for a TLS handshake", "error", err)
		return nil
	}
	m := s.certificateFor(hello.ServerName)
	if m.cert == nil {
		return nil
	}
	return m.cert.pick(hello)
}

// NewTLSConfig is the TLS configuration of a proxy's HTTPS listener: the certificate chosen
// by the client's server name from the configuration of the proxy serving the listener
// (proxy is asked on each handshake: the default listener changes proxy on a reset), or
// fallback. As Kong's proxy, it asks the client for a certificate without requiring or
// checking one, so plugins (mtls-auth) can read it.
func NewTLSConfig(proxy func() *Proxy, fallback *tls.Certificate) *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12, // Kong's ssl_protocols: TLSv1.2 TLSv1.3
		NextProtos: []string{"http/1.1"},
		ClientAuth: tls.RequestClientCert,
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			if p := proxy(); p != nil {
				if c := p.Certificate(hello); c != nil {
					return c, nil
				}
			}
			return fallback, nil
		},
	}
}

// DefaultCertificate makes the certificate served when no configured one matches, as Kong
// generates its own at start: self-signed, for localhost (and the loopback addresses).
func DefaultCertificate() (*tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("default certificate: generating a key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return nil, fmt.Errorf("default certificate: serial number: %w", err)
	}
	now := time.Now()
	template := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{CommonName: "localhost", Organization: []string{"Kong"}, OrganizationalUnit: []string{"IT Department"},
			Country: []string{"US"}, Province: []string{"California"}, Locality: []string{"San Francisco"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(20, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("default certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("default certificate: %w", err)
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}
