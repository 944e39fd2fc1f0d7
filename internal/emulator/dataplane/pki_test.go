package dataplane

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// testCert is a certificate made for a test, with its key and the CA certificates above it
// (nearest first, the root last).
type testCert struct {
	cert  *x509.Certificate
	key   *ecdsa.PrivateKey
	above []*testCert
}

// certSerial numbers test certificates; parallel tests make them at once.
var certSerial atomic.Int64

// certOptions says what a test certificate is.
type certOptions struct {
	cn        string
	dns       []string
	emails    []string
	ca        bool
	notBefore time.Time // zero: an hour ago
	notAfter  time.Time // zero: in a day
	ou        string
}

// newTestCert makes a certificate signed by parent, or self-signed when parent is nil.
func newTestCert(t testing.TB, parent *testCert, o certOptions) *testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1000 + certSerial.Add(1)),
		Subject:      pkix.Name{CommonName: o.cn, Organization: []string{"Emulator Tests"}},
		NotBefore:    o.notBefore, NotAfter: o.notAfter,
		DNSNames: o.dns, EmailAddresses: o.emails,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		KeyUsage:    x509.KeyUsageDigitalSignature,
	}
	if o.ou != "" {
		tmpl.Subject.OrganizationalUnit = []string{o.ou}
	}
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = time.Now().Add(-time.Hour)
	}
	if tmpl.NotAfter.IsZero() {
		tmpl.NotAfter = time.Now().Add(24 * time.Hour)
	}
	for _, name := range o.dns {
		if ip := net.ParseIP(name); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		}
	}
	if o.ca {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	}
	signer, signerKey := tmpl, key
	var above []*testCert
	if parent != nil {
		signer, signerKey = parent.cert, parent.key
		above = append([]*testCert{parent}, parent.above...)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCert{cert: cert, key: key, above: above}
}

func (c *testCert) certPEM() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.cert.Raw}))
}

func (c *testCert) keyPEM(t testing.TB) string {
	t.Helper()
	der, err := x509.MarshalECPrivateKey(c.key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
}

// tlsCert is the certificate for a TLS server or client, sent with its intermediates (every
// CA above it but the root).
func (c *testCert) tlsCert() tls.Certificate {
	chain := [][]byte{c.cert.Raw}
	for i, ca := range c.above {
		if i < len(c.above)-1 {
			chain = append(chain, ca.cert.Raw)
		}
	}
	return tls.Certificate{Certificate: chain, PrivateKey: c.key, Leaf: c.cert}
}

// peerChain is the chain a client sends: the certificate and its intermediates.
func (c *testCert) peerChain() []*x509.Certificate {
	out := []*x509.Certificate{c.cert}
	for i, ca := range c.above {
		if i < len(c.above)-1 {
			out = append(out, ca.cert)
		}
	}
	return out
}
