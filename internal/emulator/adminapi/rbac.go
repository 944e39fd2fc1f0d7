package adminapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/crypto/bcrypt"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// Kong Enterprise's RBAC of the Admin API (enforce_rbac, rbac_auth_header): users with tokens,
// roles, and the endpoint and entity permissions of roles.

// The enforce_rbac modes.
const (
	RBACOff    = "off"    // no authorization
	RBACOn     = "on"     // endpoint permissions
	RBACEntity = "entity" // entity permissions
	RBACBoth   = "both"   // both
)

// DefaultRBACHeader is Kong's rbac_auth_header.
const DefaultRBACHeader = "Kong-Admin-Token"

// BootstrapAdmin is the super admin created with the admin token, as Kong names the one it
// creates from KONG_PASSWORD.
const BootstrapAdmin = "kong_admin"

const defaultWorkspace = "default"

// bcryptCost is the cost Kong hashes user tokens with ($2b$09$).
const bcryptCost = 9

// RBACOptions configures RBAC.
type RBACOptions struct {
	Enforce string // off (default), on, entity or both
	Header  string // the header carrying a user token; DefaultRBACHeader when empty
	// AdminToken, when set, is the user_token of a super-admin user (BootstrapAdmin) created
	// at start.
	AdminToken string
}

// action is one of Kong's permission bits.
type action uint8

const (
	actRead action = 1 << iota
	actCreate
	actUpdate
	actDelete
	actAll = actRead | actCreate | actUpdate | actDelete
)

var actionNames = []struct {
	name string
	bit  action
}{{"read", actRead}, {"create", actCreate}, {"update", actUpdate}, {"delete", actDelete}}

func (a action) names() []string {
	out := []string{}
	for _, n := range actionNames {
		if a&n.bit != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

func (a action) String() string {
	for _, n := range actionNames {
		if a == n.bit {
			return n.name
		}
	}
	return strings.Join(a.names(), ",")
}

// actionOf maps a request method to the action it needs: reads, creates (POST), updates (PUT,
// PATCH) and deletes.
func actionOf(method string) action {
	switch method {
	case http.MethodPost:
		return actCreate
	case http.MethodPut, http.MethodPatch:
		return actUpdate
	case http.MethodDelete:
		return actDelete
	}
	return actRead
}

type rbacUser struct {
	id, name, comment string
	enabled           bool
	hash              []byte
	ident             string
	createdAt         int64
	updatedAt         int64
	roles             []string // role ids
}

type rbacRole struct {
	id, name, comment string
	isDefault         bool
	createdAt         int64
	endpoints         []*endpointPerm
	entities          []*entityPerm
}

type endpointPerm struct {
	workspace, endpoint, comment string
	actions                      action
	negative                     bool
	createdAt                    int64
}

type entityPerm struct {
	entityID, entityType, comment string
	actions                       action
	negative                      bool
	createdAt                     int64
}

// rbac is the RBAC state and its checks. Tokens are kept as bcrypt hashes; a token once
// verified is remembered by its SHA-256 so that bcrypt is not paid on every request.
type rbac struct {
	mode   string
	header string

	mu       sync.RWMutex
	users    []*rbacUser
	roles    []*rbacRole
	verified map[[sha256.Size]byte]string // token digest -> user id
}

func newRBAC(opts RBACOptions) (*rbac, error) {
	r := &rbac{mode: opts.Enforce, header: opts.Header, verified: map[[sha256.Size]byte]string{}}
	if r.mode == "" {
		r.mode = RBACOff
	}
	switch r.mode {
	case RBACOff, RBACOn, RBACEntity, RBACBoth:
	default:
		return nil, fmt.Errorf("enforce_rbac: %q is not one of on, entity, both, off", opts.Enforce)
	}
	if r.header == "" {
		r.header = DefaultRBACHeader
	}
	r.defaultRoles()
	if opts.AdminToken != "" {
		u, err := r.newUser(BootstrapAdmin, opts.AdminToken, "the super admin created at start")
		if err != nil {
			return nil, err
		}
		r.users = append(r.users, u)
		r.giveDefaultRole(u)
		u.roles = append(u.roles, r.roleNamed("super-admin").id)
	}
	return r, nil
}

// defaultRoles are Kong's: read-only reads everything; admin does everything but RBAC (and
// the other admin endpoints); super-admin does everything.
func (r *rbac) defaultRoles() {
	now := time.Now().Unix()
	all := func(a action) *endpointPerm {
		return &endpointPerm{workspace: "*", endpoint: "*", actions: a, createdAt: now}
	}
	anyEntity := func(a action) *entityPerm {
		return &entityPerm{entityID: "*", entityType: "wildcard", actions: a, createdAt: now}
	}
	adminDenied := []*endpointPerm{all(actAll)}
	for _, e := range []string{"/rbac", "/rbac/*", "/rbac/*/*", "/rbac/*/*/*", "/rbac/*/*/*/*", "/rbac/*/*/*/*/*", "/admins", "/admins/*", "/groups", "/groups/*"} {
		adminDenied = append(adminDenied, &endpointPerm{workspace: "*", endpoint: e, actions: actAll, negative: true, createdAt: now})
	}
	r.roles = []*rbacRole{
		{id: uuid.NewString(), name: "read-only", comment: "Read access to all endpoints, across all workspaces", createdAt: now,
			endpoints: []*endpointPerm{all(actRead)}, entities: []*entityPerm{anyEntity(actRead)}},
		{id: uuid.NewString(), name: "admin", comment: "Full access to all endpoints, across all workspaces—except RBAC Admin API", createdAt: now,
			endpoints: adminDenied, entities: []*entityPerm{anyEntity(actAll)}},
		{id: uuid.NewString(), name: "super-admin", comment: "Full access to all endpoints, across all workspaces", createdAt: now,
			endpoints: []*endpointPerm{all(actAll)}, entities: []*entityPerm{anyEntity(actAll)}},
	}
}

func (r *rbac) newUser(name, token, comment string) (*rbacUser, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(token), bcryptCost)
	if err != nil {
		return nil, fmt.Errorf("hashing a user token: %w", err)
	}
	now := time.Now().Unix()
	return &rbacUser{id: uuid.NewString(), name: name, comment: comment, enabled: true, hash: hash,
		ident: tokenIdent(token), createdAt: now, updatedAt: now}, nil
}

// tokenIdent is a short digest that finds the candidate users of a token without revealing it.
func tokenIdent(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])[:5]
}

func (r *rbac) roleNamed(idOrName string) *rbacRole {
	for _, role := range r.roles {
		if role.id == idOrName || role.name == idOrName {
			return role
		}
	}
	return nil
}

func (r *rbac) userNamed(idOrName string) *rbacUser {
	for _, u := range r.users {
		if u.id == idOrName || u.name == idOrName {
			return u
		}
	}
	return nil
}

// giveDefaultRole gives a new user the role of its own name, as Kong does: an existing role
// of that name (a user named super-admin is a super admin), or a new default role. Under
// entity-level RBAC the entities the user creates are added to that role.
func (r *rbac) giveDefaultRole(u *rbacUser) {
	role := r.roleNamed(u.name)
	if role == nil {
		role = &rbacRole{id: uuid.NewString(), name: u.name, isDefault: true, createdAt: time.Now().Unix()}
		r.roles = append(r.roles, role)
	}
	u.roles = append(u.roles, role.id)
}

// own adds an entity the request's user just created to the user's default role, with every
// action, so that under entity-level RBAC its creator may use it.
func (r *rbac) own(req *http.Request, id, entityType string) {
	if !r.entityChecks() {
		return
	}
	u, _ := req.Context().Value(userKey{}).(*rbacUser)
	if u == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	role := r.roleNamed(u.name)
	if role == nil || findEntityPerm(role, id) != nil {
		return
	}
	role.entities = append(role.entities, &entityPerm{entityID: id, entityType: entityType, actions: actAll, createdAt: time.Now().Unix()})
}

// authenticate finds the enabled user a token belongs to.
func (r *rbac) authenticate(token string) (*rbacUser, bool) {
	if token == "" {
		return nil, false
	}
	digest := sha256.Sum256([]byte(token))
	r.mu.RLock()
	if id, ok := r.verified[digest]; ok {
		u := r.userNamed(id)
		r.mu.RUnlock()
		return u, u != nil && u.enabled
	}
	ident := tokenIdent(token)
	var candidates []*rbacUser
	for _, u := range r.users {
		if u.ident == ident {
			candidates = append(candidates, u)
		}
	}
	r.mu.RUnlock()
	for _, u := range candidates {
		if bcrypt.CompareHashAndPassword(u.hash, []byte(token)) == nil {
			r.mu.Lock()
			r.verified[digest] = u.id
			r.mu.Unlock()
			return u, u.enabled
		}
	}
	return nil, false
}

// forget drops remembered tokens after users or their tokens change.
func (r *rbac) forget() { r.verified = map[[sha256.Size]byte]string{} }

type userKey struct{}

// authorize puts a route behind RBAC: a known, enabled user's token, and under on and both,
// an endpoint permission for the request's action.
func (s *Server) authorize(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.rbac.mode == RBACOff {
			h.ServeHTTP(w, r)
			return
		}
		user, ok := s.rbac.authenticate(r.Header.Get(s.rbac.header))
		if !ok {
			writeError(w, messageError(http.StatusUnauthorized, "Invalid RBAC credentials"))
			return
		}
		act := actionOf(r.Method)
		if (s.rbac.mode == RBACOn || s.rbac.mode == RBACBoth) && !s.rbac.endpointAllowed(user, r.URL.Path, act) {
			writeError(w, forbidden(user, act))
			return
		}
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey{}, user)))
	})
}

func forbidden(u *rbacUser, act action) *kongError {
	return messageError(http.StatusForbidden, fmt.Sprintf("%s, you do not have permissions to %s this resource", u.name, act))
}

// endpointAllowed evaluates the user's endpoint permissions, most specific first: this
// endpoint in this workspace, in any workspace, then any endpoint in this workspace, in any.
// The first of these that says anything about the action decides, and within it a negative
// permission wins. An endpoint matches exactly, or with "*" standing for one segment.
func (r *rbac) endpointAllowed(u *rbacUser, path string, act action) bool {
	path = strings.TrimSuffix(path, "/")
	if path == "" {
		path = "/"
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	var perms []*endpointPerm
	for _, id := range u.roles {
		if role := r.roleNamed(id); role != nil {
			perms = append(perms, role.endpoints...)
		}
	}
	exact := func(p *endpointPerm) bool { return p.endpoint == path }
	pattern := func(p *endpointPerm) bool {
		return p.endpoint != "*" && p.endpoint != path && segmentsMatch(p.endpoint, path)
	}
	anyEndpoint := func(p *endpointPerm) bool { return p.endpoint == "*" }
	for _, matches := range []func(*endpointPerm) bool{exact, pattern, anyEndpoint} {
		for _, ws := range []string{defaultWorkspace, "*"} {
			var pos, neg action
			for _, p := range perms {
				if p.workspace == ws && matches(p) {
					if p.negative {
						neg |= p.actions
					} else {
						pos |= p.actions
					}
				}
			}
			switch {
			case neg&act != 0:
				return false
			case pos&act != 0:
				return true
			}
		}
	}
	return false
}

// segmentsMatch matches a permission endpoint whose "*" segments stand for one segment each.
func segmentsMatch(endpoint, path string) bool {
	e := strings.Split(strings.TrimSuffix(endpoint, "/"), "/")
	p := strings.Split(path, "/")
	if len(e) != len(p) {
		return false
	}
	for i := range e {
		if e[i] != "*" && e[i] != p[i] {
			return false
		}
	}
	return true
}

// entityAllowed evaluates the user's entity permissions for one entity: its own id first,
// then "*"; a negative permission wins within each.
func (r *rbac) entityAllowed(u *rbacUser, id string, act action) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, target := range []string{id, "*"} {
		var pos, neg action
		for _, roleID := range u.roles {
			role := r.roleNamed(roleID)
			if role == nil {
				continue
			}
			for _, p := range role.entities {
				if p.entityID != target {
					continue
				}
				if p.negative {
					neg |= p.actions
				} else {
					pos |= p.actions
				}
			}
		}
		switch {
		case neg&act != 0:
			return false
		case pos&act != 0:
			return true
		}
	}
	return false
}

func (r *rbac) entityChecks() bool { return r.mode == RBACEntity || r.mode == RBACBoth }

// checkEntity refuses, under entity and both, an entity the request's user may not act on.
func (r *rbac) checkEntity(req *http.Request, id string) error {
	if !r.entityChecks() {
		return nil
	}
	u, _ := req.Context().Value(userKey{}).(*rbacUser)
	if u == nil {
		return nil
	}
	act := actionOf(req.Method)
	if !r.entityAllowed(u, id, act) {
		return forbidden(u, act)
	}
	return nil
}

// readable keeps, under entity and both, the records the request's user may read.
func (r *rbac) readable(req *http.Request, records []*store.Record) []*store.Record {
	if !r.entityChecks() {
		return records
	}
	u, _ := req.Context().Value(userKey{}).(*rbacUser)
	if u == nil {
		return records
	}
	out := make([]*store.Record, 0, len(records))
	for _, rec := range records {
		if r.entityAllowed(u, rec.ID, actRead) {
			out = append(out, rec)
		}
	}
	return out
}
