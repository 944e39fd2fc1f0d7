package oidcprovider

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

// MintRequest asks for an access token with chosen claims (POST /_emulator/oidc/{realm}/tokens),
// for tests that need tokens a client could not get: expired, for another audience, without
// a scope, from another issuer, or with a wrong signature.
type MintRequest struct {
	// Subject is sub; it defaults to Username, then ClientID. One of the three is needed.
	Subject string `json:"sub,omitempty"`
	// Username, when set, names a user of the realm whose claims the token carries.
	Username string `json:"username,omitempty"`
	// ClientID is the client_id claim; the client need not exist.
	ClientID string `json:"client_id,omitempty"`
	// Audience is aud (a string or a list); it defaults to the client's audience when the
	// client exists, then to [client_id], and is left out otherwise.
	Audience Audience `json:"aud,omitempty"`
	// Scope is the scope claim (a space-separated string or a list).
	Scope StringList `json:"scope,omitempty"`
	// ExpiresIn is exp as seconds from now, possibly negative (an expired token); ExpiresAt
	// (exp as a Unix time) wins over it. Neither: the realm's access token lifetime.
	ExpiresIn *int64 `json:"expires_in,omitempty"`
	ExpiresAt *int64 `json:"exp,omitempty"`
	// IssuedAt is iat as a Unix time; now by default.
	IssuedAt *int64 `json:"iat,omitempty"`
	// Issuer overrides iss (the realm's issuer by default), for a token from elsewhere.
	Issuer string `json:"iss,omitempty"`
	// Claims are any other claims (nbf and jti included); they win over the user's claims.
	Claims map[string]any `json:"claims,omitempty"`
	// WrongSignature signs with a throwaway key under the realm key's kid, so the signature
	// does not verify.
	WrongSignature bool `json:"wrong_signature,omitempty"`
}

// MintedToken is the answer to a MintRequest.
type MintedToken struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	// ExpiresIn is seconds until exp, negative for an expired token.
	ExpiresIn int64 `json:"expires_in"`
	// Claims are the token's claims, as signed.
	Claims map[string]any `json:"claims"`
}

// StringList is a JSON string or list of strings; a string is split on spaces, as OAuth
// scopes are.
type StringList []string

// UnmarshalJSON reads a string as its space-separated words, or a list of strings.
func (l *StringList) UnmarshalJSON(b []byte) error {
	return decodeStringOrList(b, (*[]string)(l), strings.Fields)
}

// Audience is a JSON string (one audience) or list of strings.
type Audience []string

// UnmarshalJSON reads a string as one audience, or a list of strings.
func (a *Audience) UnmarshalJSON(b []byte) error {
	return decodeStringOrList(b, (*[]string)(a), func(s string) []string { return []string{s} })
}

// decodeStringOrList decodes a JSON list of strings, or a string that split makes a list.
func decodeStringOrList(b []byte, into *[]string, split func(string) []string) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*into = split(s)
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return errors.New("expected a string or a list of strings")
	}
	*into = list
	return nil
}

// mintFixedClaims are set by MintRequest's own fields, not through Claims.
var mintFixedClaims = []string{"iss", "sub", "aud", "exp", "iat", "scope", "client_id"}

// Mint signs an access token with the realm's key. The token is known to the realm, so
// introspection and userinfo answer for it as for an issued one.
func (p *Provider) Mint(realmName string, m MintRequest) (MintedToken, error) {
	r, err := p.realm(realmName)
	if err != nil {
		return MintedToken{}, err
	}
	for k := range m.Claims {
		if slices.Contains(mintFixedClaims, k) {
			return MintedToken{}, invalid(fmt.Errorf("claims: set %q with its own field, not in claims", k))
		}
	}
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	subject := cmp.Or(m.Subject, m.Username, m.ClientID)
	if subject == "" {
		return MintedToken{}, invalid(errors.New("sub, username or client_id is needed to name the token's subject"))
	}
	claims := map[string]any{}
	if m.Username != "" {
		if _, ok := r.users[m.Username]; !ok {
			return MintedToken{}, invalid(fmt.Errorf("username: no user %q in realm %q", m.Username, r.name))
		}
		maps.Copy(claims, r.userClaimsLocked(m.Username))
	}
	maps.Copy(claims, m.Claims)
	audience := []string(m.Audience)
	if len(audience) == 0 && m.ClientID != "" {
		audience = []string{m.ClientID}
		if c, ok := r.clients[m.ClientID]; ok {
			audience = c.audience()
		}
	}
	expiration := now.Add(r.accessTokenLifetime())
	if m.ExpiresIn != nil {
		expiration = now.Add(time.Duration(*m.ExpiresIn) * time.Second)
	}
	if m.ExpiresAt != nil {
		expiration = time.Unix(*m.ExpiresAt, 0)
	}
	issuedAt := now
	if m.IssuedAt != nil {
		issuedAt = time.Unix(*m.IssuedAt, 0)
	}
	t := &accessToken{
		grant:    grant{ClientID: m.ClientID, Username: m.Username, Subject: subject, Audience: audience, Scopes: slices.Clone(m.Scope), AuthTime: now},
		ID:       randomString(16),
		IssuedAt: issuedAt, Expiration: expiration, minted: true,
	}
	if jti, ok := m.Claims["jti"].(string); ok && jti != "" {
		t.ID = jti
	}
	claims["jti"] = t.ID
	claims["iss"] = cmp.Or(m.Issuer, r.issuer)
	claims["sub"] = subject
	claims["exp"] = expiration.Unix()
	claims["iat"] = issuedAt.Unix()
	if len(audience) == 1 {
		claims["aud"] = audience[0]
	} else if len(audience) > 1 {
		claims["aud"] = audience
	}
	if len(m.Scope) > 0 {
		claims["scope"] = strings.Join(m.Scope, " ")
	}
	if m.ClientID != "" {
		claims["client_id"] = m.ClientID
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return MintedToken{}, invalid(fmt.Errorf("claims: %w", err))
	}
	key := r.key
	if m.WrongSignature {
		if key, err = newRealmKey(string(r.key.alg)); err != nil {
			return MintedToken{}, err
		}
		key.id = r.key.id
	}
	signer, err := key.signer()
	if err != nil {
		return MintedToken{}, fmt.Errorf("signing a token: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return MintedToken{}, fmt.Errorf("signing a token: %w", err)
	}
	token, err := jws.CompactSerialize()
	if err != nil {
		return MintedToken{}, fmt.Errorf("signing a token: %w", err)
	}
	t.Claims = map[string]any{}
	for k, v := range claims {
		if !slices.Contains(registeredClaims, k) {
			t.Claims[k] = v
		}
	}
	if !m.WrongSignature {
		r.pruneLocked(now)
		r.accessTokens[t.ID] = t
	}
	// The answer shows the claims as a JSON client reads them back.
	var shown map[string]any
	_ = json.Unmarshal(payload, &shown)
	return MintedToken{AccessToken: token, TokenType: "Bearer", ExpiresIn: int64(time.Until(expiration).Round(time.Second) / time.Second), Claims: shown}, nil
}

func (p *Provider) serveMint(w http.ResponseWriter, r *http.Request, realmName string) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, http.MethodPost)
		return
	}
	var m MintRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil && !errors.Is(err, io.EOF) {
		writeMessage(w, http.StatusBadRequest, "invalid JSON body: "+err.Error())
		return
	}
	minted, err := p.Mint(realmName, m)
	if err != nil {
		writeConfigError(w, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, minted)
}
