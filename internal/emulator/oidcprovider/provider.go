// Package oidcprovider is a local OpenID Connect provider for the emulator: realms, each an
// OpenID provider with its own issuer, signing key, clients and users, for trying the
// gateway's openid-connect plugin (or any OIDC client) without an identity provider.
//
// The protocol is zitadel's op package (github.com/zitadel/oidc/v3/pkg/op) over an in-memory
// op.Storage (the realm). Under {base}/_emulator/oidc/{realm} (the realm's issuer) it serves
// discovery (/.well-known/openid-configuration), JWKS (/keys), the token endpoint
// (/oauth/token: client_credentials, password, authorization_code with optional PKCE,
// refresh_token), authorization (/authorize, with a minimal login form at /login and op's
// /authorize/callback), introspection (/oauth/introspect, RFC 7662, client auth by HTTP Basic
// or form), userinfo (/userinfo), revocation (/revoke) and end_session (/end_session). op has
// no password grant; servePasswordGrant does it with op's token functions.
//
// Access tokens are JWTs signed with the realm's key (RS256 or ES256), so a gateway can verify
// them by JWKS. They carry iss, sub, aud (the client's audience, or its client_id), exp, iat,
// nbf, jti, client_id, scope (space separated; a request without scope gets the client's
// scopes), the client's extra claims and the user's claims with preferred_username (the
// user's win). A user's sub is the username; a client_credentials token's sub is the
// client_id. ID tokens (scope openid) and userinfo carry every claim of the user, whatever
// the scopes. Refresh tokens come with the password grant when the client may use
// refresh_token, and with the code flow when offline_access is asked too (op's rule); they
// are single use (each refresh gives a new one).
//
// Configuration is JSON over HTTP (the emulator puts it behind its API token; the protocol
// endpoints above are open, see IsProtocolPath):
//
//	GET    /_emulator/oidc                             realms
//	PUT    /_emulator/oidc/{realm}                     create a realm or replace its settings
//	GET    /_emulator/oidc/{realm}                     a realm's settings and URLs
//	DELETE /_emulator/oidc/{realm}                     delete a realm and all in it
//	GET    /_emulator/oidc/{realm}/clients             clients (and /users: users)
//	PUT    /_emulator/oidc/{realm}/clients/{client_id} create or replace a client (users/{username}: a user)
//	GET    /_emulator/oidc/{realm}/clients/{client_id} a client (users/{username}: a user)
//	DELETE /_emulator/oidc/{realm}/clients/{client_id} delete a client (users/{username}: a user)
//	POST   /_emulator/oidc/{realm}/tokens              mint an access token with any claims
//
// A realm named "default" exists from the start, empty, signing with RS256; other realms are
// created by their first PUT. Replacing a realm's settings keeps its clients, users and
// tokens; a new signing algorithm gives it a new key (tokens signed with the old one then
// fail verification). State is in memory; Reset empties it.
package oidcprovider

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
)

// PathPrefix is where the provider is served on the emulator's API server.
const PathPrefix = "/_emulator/oidc"

// DefaultRealm is the realm that exists from the start.
const DefaultRealm = "default"

// configSegments are the sub-paths of a realm that are configuration, not protocol.
var configSegments = []string{"clients", "users", "tokens"}

// IsProtocolPath reports whether a (cleaned) path is one of a realm's protocol endpoints,
// which OIDC clients and gateways call without the emulator's API token. The configuration
// endpoints (the realm itself, its clients, users and token minting) are not.
func IsProtocolPath(p string) bool {
	rest, ok := strings.CutPrefix(p, PathPrefix+"/")
	if !ok {
		return false
	}
	_, sub, ok := strings.Cut(rest, "/")
	if !ok || sub == "" {
		return false
	}
	first, _, _ := strings.Cut(sub, "/")
	return !slices.Contains(configSegments, first)
}

// Provider holds the realms and serves everything under PathPrefix.
type Provider struct {
	baseURL string

	mu     sync.RWMutex
	realms map[string]*realm
}

// New makes a provider whose issuers are baseURL + PathPrefix + "/" + realm (baseURL is the
// emulator's API URL, such as http://127.0.0.1:8080), with the empty default realm.
func New(baseURL string) (*Provider, error) {
	p := &Provider{baseURL: strings.TrimSuffix(baseURL, "/")}
	if err := p.Reset(); err != nil {
		return nil, err
	}
	return p, nil
}

// Reset drops every realm and recreates the empty default realm.
func (p *Provider) Reset() error {
	def, err := newRealm(DefaultRealm, p.Issuer(DefaultRealm), RealmSettings{SigningAlgorithm: RS256})
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.realms = map[string]*realm{DefaultRealm: def}
	return nil
}

// Issuer is a realm's issuer URL (whether the realm exists or not).
func (p *Provider) Issuer(realm string) string { return p.baseURL + PathPrefix + "/" + realm }

// ErrNotFound is returned for an unknown realm, client or user.
var ErrNotFound = errors.New("not found")

// InvalidError is bad configuration input; it is answered with 400.
type InvalidError struct{ err error }

// Error is what is wrong with the input, as the 400 answer says it.
func (e *InvalidError) Error() string { return e.err.Error() }

// Unwrap is the cause, for errors.Is and errors.As.
func (e *InvalidError) Unwrap() error { return e.err }

func invalid(err error) error { return &InvalidError{err: err} }

func (p *Provider) realm(name string) (*realm, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	r, ok := p.realms[name]
	if !ok {
		return nil, fmt.Errorf("realm %q: %w", name, ErrNotFound)
	}
	return r, nil
}

// PutRealm creates a realm or replaces its settings; it reports whether it created it.
func (p *Provider) PutRealm(name string, settings RealmSettings) (bool, error) {
	if err := validName("realm", name); err != nil {
		return false, invalid(err)
	}
	if err := settings.normalize(); err != nil {
		return false, invalid(err)
	}
	if r, err := p.realm(name); err == nil {
		return false, r.update(settings)
	}
	r, err := newRealm(name, p.Issuer(name), settings)
	if err != nil {
		return false, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if existing, ok := p.realms[name]; ok {
		// Created meanwhile by another request: that one stays, with these settings.
		return false, existing.update(settings)
	}
	p.realms[name] = r
	return true, nil
}

// Realm describes a realm.
func (p *Provider) Realm(name string) (RealmInfo, error) {
	r, err := p.realm(name)
	if err != nil {
		return RealmInfo{}, err
	}
	return r.info(), nil
}

// Realms describes every realm, by name.
func (p *Provider) Realms() []RealmInfo {
	p.mu.RLock()
	realms := make([]*realm, 0, len(p.realms))
	for _, r := range p.realms {
		realms = append(realms, r)
	}
	p.mu.RUnlock()
	out := make([]RealmInfo, 0, len(realms))
	for _, r := range realms {
		out = append(out, r.info())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// DeleteRealm deletes a realm with its clients, users and tokens.
func (p *Provider) DeleteRealm(name string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.realms[name]; !ok {
		return fmt.Errorf("realm %q: %w", name, ErrNotFound)
	}
	delete(p.realms, name)
	return nil
}

// PutClient creates or replaces a client of a realm; it reports whether it created it.
func (p *Provider) PutClient(realmName string, c Client) (bool, error) {
	r, err := p.realm(realmName)
	if err != nil {
		return false, err
	}
	if err := c.normalize(); err != nil {
		return false, invalid(err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	_, existed := r.clients[c.ID]
	r.clients[c.ID] = &c
	return !existed, nil
}

// PutUser creates or replaces a user of a realm; it reports whether it created it.
func (p *Provider) PutUser(realmName string, u User) (bool, error) {
	r, err := p.realm(realmName)
	if err != nil {
		return false, err
	}
	if err := u.normalize(); err != nil {
		return false, invalid(err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	_, existed := r.users[u.Username]
	r.users[u.Username] = &u
	return !existed, nil
}

// Client returns a client of a realm.
func (p *Provider) Client(realmName, id string) (Client, error) {
	r, err := p.realm(realmName)
	if err != nil {
		return Client{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.clients[id]
	if !ok {
		return Client{}, fmt.Errorf("client %q of realm %q: %w", id, realmName, ErrNotFound)
	}
	return *c, nil
}

// User returns a user of a realm.
func (p *Provider) User(realmName, username string) (User, error) {
	r, err := p.realm(realmName)
	if err != nil {
		return User{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	u, ok := r.users[username]
	if !ok {
		return User{}, fmt.Errorf("user %q of realm %q: %w", username, realmName, ErrNotFound)
	}
	return *u, nil
}

// Clients lists a realm's clients by id.
func (p *Provider) Clients(realmName string) ([]Client, error) {
	r, err := p.realm(realmName)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Client, 0, len(r.clients))
	for _, c := range r.clients {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Users lists a realm's users by username.
func (p *Provider) Users(realmName string) ([]User, error) {
	r, err := p.realm(realmName)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]User, 0, len(r.users))
	for _, u := range r.users {
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Username < out[j].Username })
	return out, nil
}

// DeleteClient deletes a client; the tokens it got stop being active at introspection.
func (p *Provider) DeleteClient(realmName, id string) error {
	r, err := p.realm(realmName)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.clients[id]; !ok {
		return fmt.Errorf("client %q of realm %q: %w", id, realmName, ErrNotFound)
	}
	delete(r.clients, id)
	for tid, t := range r.accessTokens {
		if t.ClientID == id && !t.minted {
			delete(r.accessTokens, tid)
		}
	}
	for v, t := range r.refreshTokens {
		if t.ClientID == id {
			delete(r.refreshTokens, v)
		}
	}
	return nil
}

// DeleteUser deletes a user; their tokens stop being active at introspection.
func (p *Provider) DeleteUser(realmName, username string) error {
	r, err := p.realm(realmName)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.users[username]; !ok {
		return fmt.Errorf("user %q of realm %q: %w", username, realmName, ErrNotFound)
	}
	delete(r.users, username)
	for v, t := range r.refreshTokens {
		if t.Username == username {
			delete(r.refreshTokens, v)
		}
	}
	return nil
}

// ServeHTTP serves the configuration endpoints and the realms' protocol endpoints, all
// under PathPrefix. It checks no token: whoever mounts it guards the configuration paths
// (those for which IsProtocolPath is false).
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	clean := path.Clean("/" + r.URL.Path)
	rest, ok := strings.CutPrefix(clean, PathPrefix)
	if !ok || (rest != "" && !strings.HasPrefix(rest, "/")) {
		writeMessage(w, http.StatusNotFound, "not found")
		return
	}
	segments := strings.Split(strings.TrimPrefix(rest, "/"), "/")
	if rest == "" || rest == "/" {
		p.serveRealms(w, r)
		return
	}
	name := segments[0]
	if IsProtocolPath(clean) {
		rl, err := p.realm(name)
		if err != nil {
			writeOAuthError(w, http.StatusNotFound, "not_found", fmt.Sprintf("no OpenID Connect realm %q", name))
			return
		}
		http.StripPrefix(PathPrefix+"/"+name, rl.handler).ServeHTTP(w, r)
		return
	}
	switch {
	case len(segments) == 1:
		p.serveRealm(w, r, name)
	case segments[1] == "tokens" && len(segments) == 2:
		p.serveMint(w, r, name)
	case segments[1] == "clients" && len(segments) <= 3:
		p.serveClients(w, r, name, segments[2:])
	case segments[1] == "users" && len(segments) <= 3:
		p.serveUsers(w, r, name, segments[2:])
	default:
		writeMessage(w, http.StatusNotFound, "not found")
	}
}

func (p *Provider) serveRealms(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w, http.MethodGet)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": p.Realms()})
}

func (p *Provider) serveRealm(w http.ResponseWriter, r *http.Request, name string) {
	switch r.Method {
	case http.MethodGet:
		info, err := p.Realm(name)
		if err != nil {
			writeConfigError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, info)
	case http.MethodPut:
		var settings RealmSettings
		if !decodeBody(w, r, &settings) {
			return
		}
		created, err := p.PutRealm(name, settings)
		if err != nil {
			writeConfigError(w, err)
			return
		}
		info, err := p.Realm(name)
		if err != nil {
			writeConfigError(w, err)
			return
		}
		writeJSON(w, createdStatus(created), info)
	case http.MethodDelete:
		if err := p.DeleteRealm(name); err != nil {
			writeConfigError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		methodNotAllowed(w, "GET, PUT, DELETE")
	}
}

func (p *Provider) serveClients(w http.ResponseWriter, r *http.Request, realmName string, rest []string) {
	if len(rest) == 0 {
		if r.Method != http.MethodGet {
			methodNotAllowed(w, http.MethodGet)
			return
		}
		clients, err := p.Clients(realmName)
		if err != nil {
			writeConfigError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": clients})
		return
	}
	id := rest[0]
	switch r.Method {
	case http.MethodGet:
		c, err := p.Client(realmName, id)
		if err != nil {
			writeConfigError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, c)
	case http.MethodPut:
		var c Client
		if !decodeBody(w, r, &c) {
			return
		}
		if c.ID != "" && c.ID != id {
			writeMessage(w, http.StatusBadRequest, fmt.Sprintf("client_id %q in the body differs from %q in the path", c.ID, id))
			return
		}
		c.ID = id
		created, err := p.PutClient(realmName, c)
		if err != nil {
			writeConfigError(w, err)
			return
		}
		stored, err := p.Client(realmName, id)
		if err != nil {
			writeConfigError(w, err)
			return
		}
		writeJSON(w, createdStatus(created), stored)
	case http.MethodDelete:
		if err := p.DeleteClient(realmName, id); err != nil {
			writeConfigError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		methodNotAllowed(w, "GET, PUT, DELETE")
	}
}

func (p *Provider) serveUsers(w http.ResponseWriter, r *http.Request, realmName string, rest []string) {
	if len(rest) == 0 {
		if r.Method != http.MethodGet {
			methodNotAllowed(w, http.MethodGet)
			return
		}
		users, err := p.Users(realmName)
		if err != nil {
			writeConfigError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": users})
		return
	}
	username := rest[0]
	switch r.Method {
	case http.MethodGet:
		u, err := p.User(realmName, username)
		if err != nil {
			writeConfigError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, u)
	case http.MethodPut:
		var u User
		if !decodeBody(w, r, &u) {
			return
		}
		if u.Username != "" && u.Username != username {
			writeMessage(w, http.StatusBadRequest, fmt.Sprintf("username %q in the body differs from %q in the path", u.Username, username))
			return
		}
		u.Username = username
		created, err := p.PutUser(realmName, u)
		if err != nil {
			writeConfigError(w, err)
			return
		}
		stored, err := p.User(realmName, username)
		if err != nil {
			writeConfigError(w, err)
			return
		}
		writeJSON(w, createdStatus(created), stored)
	case http.MethodDelete:
		if err := p.DeleteUser(realmName, username); err != nil {
			writeConfigError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		methodNotAllowed(w, "GET, PUT, DELETE")
	}
}

func createdStatus(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}

// decodeBody decodes a JSON body strictly (unknown fields are refused), answering 400 itself.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if r.Body == nil || r.Body == http.NoBody {
		// An empty body is an empty object: every field takes its default.
		return true
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return true
		}
		writeMessage(w, http.StatusBadRequest, "invalid JSON body: "+err.Error())
		return false
	}
	if dec.More() {
		writeMessage(w, http.StatusBadRequest, "invalid JSON body: more than one value")
		return false
	}
	return true
}

func writeConfigError(w http.ResponseWriter, err error) {
	var inv *InvalidError
	switch {
	case errors.As(err, &inv):
		writeMessage(w, http.StatusBadRequest, inv.Error())
	case errors.Is(err, ErrNotFound):
		writeMessage(w, http.StatusNotFound, err.Error())
	default:
		writeMessage(w, http.StatusInternalServerError, err.Error())
	}
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	writeMessage(w, http.StatusMethodNotAllowed, "method not allowed")
}

// writeMessage answers a configuration request as the emulator's other endpoints do.
func writeMessage(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg})
}

// writeOAuthError answers in OAuth 2.0's error shape (RFC 6749 section 5.2).
func writeOAuthError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
