package oidcprovider

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
)

// realmKey is a realm's signing key pair. It is the op.SigningKey (the private half); its
// public half is published at the JWKS endpoint (publicKey).
type realmKey struct {
	id      string
	alg     jose.SignatureAlgorithm
	private crypto.Signer
}

func newRealmKey(algorithm string) (*realmKey, error) {
	var private crypto.Signer
	var err error
	switch algorithm {
	case ES256:
		private, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		private, err = rsa.GenerateKey(rand.Reader, 2048)
	}
	if err != nil {
		return nil, fmt.Errorf("generating a %s key: %w", algorithm, err)
	}
	return &realmKey{id: randomString(12), alg: jose.SignatureAlgorithm(algorithm), private: private}, nil
}

func (k *realmKey) SignatureAlgorithm() jose.SignatureAlgorithm { return k.alg }
func (k *realmKey) Key() any                                    { return k.private }
func (k *realmKey) ID() string                                  { return k.id }

// signer signs JWS with this key, its kid in the header.
func (k *realmKey) signer() (jose.Signer, error) {
	return jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: k.private}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", k.id))
}

// publicKey is the public half of a realmKey, as op.Key.
type publicKey struct{ *realmKey }

func (k publicKey) Algorithm() jose.SignatureAlgorithm { return k.alg }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return k.private.Public() }

func randomString(bytes int) string {
	b := make([]byte, bytes)
	_, _ = rand.Read(b) // crypto/rand.Read does not fail (it panics on a broken system)
	return base64.RawURLEncoding.EncodeToString(b)
}
