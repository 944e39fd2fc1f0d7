package emulator

// Who may do what: every API request is made as a principal (identity.Authenticate finds it
// from the bearer token) and checked against the table below, keyed by path, before anything
// else reads it. Paths the table does not know (a future API) are refused to everyone but the
// organization's admins, so nothing new is ever open by mistake.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/identity"
)

// createDenied is Konnect's refusal of a control plane create without the Creator role.
const createDenied = "Insufficient role-set to create control planes."

// guardedCollection is a top-level list of entities whose roles are granted per entity: a
// create needs the Creator role (and makes the creator admin of what it creates), the list
// shows only what the principal sees, and everything under /{id} needs a role on that id.
type guardedCollection struct {
	path       []string // the collection's path segments
	entityType string
	// writeRoles says which roles, besides Admin, may write what lies under an entity at
	// rest (the path after the entity's id); nil means Admin only.
	writeRoles func(rest []string) []string
	// listFiltered says the list handler applies Principal.Sees itself, with correct paging;
	// otherwise the answer's data is filtered here.
	listFiltered bool
}

var guardedCollections = []guardedCollection{
	{path: []string{"v2", "control-planes"}, entityType: identity.EntityControlPlanes, writeRoles: coreEntityWriteRoles, listFiltered: true},
	{path: []string{"v1", "mesh", "control-planes"}, entityType: identity.EntityMeshControlPlanes},
}

// coreEntityWriteRoles are Konnect's per-entity admin roles: which role writes which core
// entity (the last collection named in the path, so a service's plugins are plugins).
var coreEntityWriteRoles = func() func(rest []string) []string {
	consumer := []string{"Consumer Admin"}
	byCollection := map[string][]string{
		"services":        {"Gateway Service Admin", "Deployer"},
		"routes":          {"Route Admin", "Deployer"},
		"plugins":         {"Plugin Admin", "Deployer"},
		"consumers":       consumer,
		"consumer_groups": consumer,
		"key-auth":        consumer, "key-auths": consumer,
		"basic-auth": consumer, "basic-auths": consumer,
		"jwt": consumer, "jwts": consumer,
		"hmac-auth": consumer, "hmac-auths": consumer,
		"acls":            consumer,
		"certificates":    {"Certificate Admin"},
		"ca_certificates": {"Certificate Admin"},
		"snis":            {"SNI Admin"},
		"upstreams":       {"Upstream Admin"},
		"targets":         {"Upstream Admin"},
	}
	return func(rest []string) []string {
		if len(rest) < 2 || rest[0] != "core-entities" {
			return nil // the control plane itself, or its other APIs: Admin only
		}
		collection := ""
		for i := 1; i < len(rest); i += 2 {
			collection = rest[i]
		}
		return byCollection[collection]
	}
}()

// openIdentityPaths are the identity endpoints every principal may call.
var openIdentityPaths = [][]string{{"v3", "users", "me"}, {"v3", "roles"}}

// verdict is what the access check decided.
type verdict struct {
	allowed bool
	detail  string // why not, in Konnect's words
	// collection is set for a guarded list or create, whose answer is post-processed.
	collection *guardedCollection
}

func allow() verdict               { return verdict{allowed: true} }
func deny(detail string) verdict   { return verdict{detail: detail} }
func isRead(method string) bool    { return method == http.MethodGet || method == http.MethodHead }
func segmentsOf(p string) []string { return strings.Split(strings.Trim(path.Clean("/"+p), "/"), "/") }
func hasPrefix(s, p []string) bool { return len(s) >= len(p) && slices.Equal(s[:len(p)], p) }

// decide checks one request of a principal.
func decide(p *identity.Principal, method, urlPath string) verdict {
	segs := segmentsOf(urlPath)
	for i := range guardedCollections {
		c := &guardedCollections[i]
		if !hasPrefix(segs, c.path) {
			continue
		}
		rest := segs[len(c.path):]
		switch {
		case len(rest) == 0 && isRead(method):
			return verdict{allowed: true, collection: c}
		case len(rest) == 0 && method == http.MethodPost:
			if !p.MayCreate(c.entityType) {
				return deny(createDenied)
			}
			return verdict{allowed: true, collection: c}
		case len(rest) == 0:
			return allow() // other methods: the router answers 405
		}
		id, under := rest[0], rest[1:]
		switch {
		case isRead(method) && p.Sees(c.entityType, id):
			return allow()
		case !isRead(method) && p.Has(c.entityType, id, writeRolesFor(c, under)...):
			return allow()
		}
		return deny(identity.DetailForbidden)
	}
	if hasPrefix(segs, []string{"v3"}) {
		if slices.ContainsFunc(openIdentityPaths, func(o []string) bool { return slices.Equal(segs, o) }) ||
			p.Has(identity.EntityIdentity, "*", identity.RoleAdmin) {
			return allow()
		}
		return deny(identity.DetailForbidden)
	}
	if p.AllowsEverything() {
		return allow()
	}
	return deny(identity.DetailForbidden)
}

func writeRolesFor(c *guardedCollection, under []string) []string {
	roles := []string{identity.RoleAdmin}
	if c.writeRoles != nil {
		roles = append(roles, c.writeRoles(under)...)
	}
	return roles
}

// authenticate finds the request's principal from its bearer token; a missing, unknown,
// expired or deleted token gets the API's 401.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, bearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		p, ok := s.identity.Authenticate(token)
		if !bearer || !ok {
			s.unauthenticated(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(identity.WithPrincipal(r.Context(), p)))
	})
}

func (s *Server) unauthenticated(w http.ResponseWriter, r *http.Request) {
	switch {
	case isKonnectNativePath(r.URL.Path):
		identity.WriteUnauthenticated(w, r)
	case isControlPlanePath(r.URL.Path):
		writeProblem(w, newProblem(r, http.StatusUnauthorized, "Invalid credentials"))
	default:
		writeJSON(w, http.StatusUnauthorized, client.GatewayUnauthorizedError{Message: "Unauthorized", Status: http.StatusUnauthorized})
	}
}

// isKonnectNativePath tells the identity and mesh APIs, which answer problem+json.
func isKonnectNativePath(p string) bool {
	return strings.HasPrefix(p, "/v3/") || strings.HasPrefix(p, "/v1/mesh/")
}

// authorize refuses what the principal may not do (403 in the API's format), records the
// creator of a control plane, and filters lists the handler does not filter itself.
func (s *Server) authorize(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := identity.PrincipalFrom(r.Context())
		v := decide(p, r.Method, r.URL.Path)
		if !v.allowed {
			s.forbidden(w, r, v.detail)
			return
		}
		c := v.collection
		switch {
		case c == nil || p.AllowsEverything():
			next.ServeHTTP(w, r)
		case r.Method == http.MethodPost:
			s.recordCreator(w, r, next, p, c)
		case !c.listFiltered:
			s.filterList(w, r, next, p, c)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

func (s *Server) forbidden(w http.ResponseWriter, r *http.Request, why string) {
	switch {
	case isKonnectNativePath(r.URL.Path) || isControlPlanePath(r.URL.Path):
		identity.WriteForbidden(w, r, why)
	default:
		// The core-entity API's format, with gRPC's PERMISSION_DENIED code.
		writeAPIError(w, newAPIError(http.StatusForbidden, codeUsageConstraint, "permission denied", detail(detailEntity, "", why)))
	}
}

// recordCreator makes a Creator admin of the entity its create made.
func (s *Server) recordCreator(w http.ResponseWriter, r *http.Request, next http.Handler, p *identity.Principal, c *guardedCollection) {
	rec := &bufferedResponse{header: http.Header{}, status: http.StatusOK}
	next.ServeHTTP(rec, r)
	if rec.status == http.StatusCreated {
		var created struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(rec.body.Bytes(), &created); err != nil || created.ID == "" {
			s.internalError(w, r, fmt.Errorf("reading the id of a created %s: %w", c.entityType, errors.Join(err, errors.New("no id"))))
			return
		}
		if err := s.identity.RecordCreation(p, c.entityType, created.ID); err != nil {
			s.internalError(w, r, err)
			return
		}
	}
	rec.flush(w)
}

// filterList drops from a list answer the entities the principal does not see. The page's
// meta is the handler's: its total counts entities the principal does not see.
func (s *Server) filterList(w http.ResponseWriter, r *http.Request, next http.Handler, p *identity.Principal, c *guardedCollection) {
	rec := &bufferedResponse{header: http.Header{}, status: http.StatusOK}
	next.ServeHTTP(rec, r)
	if rec.status != http.StatusOK {
		rec.flush(w)
		return
	}
	var list map[string]json.RawMessage
	var items []json.RawMessage
	if json.Unmarshal(rec.body.Bytes(), &list) != nil || json.Unmarshal(list["data"], &items) != nil {
		rec.flush(w)
		return
	}
	visible := items[:0]
	for _, item := range items {
		var e struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(item, &e) == nil && p.Sees(c.entityType, e.ID) {
			visible = append(visible, item)
		}
	}
	list["data"], _ = json.Marshal(visible)
	body, _ := json.Marshal(list)
	rec.body.Reset()
	rec.body.Write(body)
	rec.header.Set("Content-Length", strconv.Itoa(len(body)))
	rec.flush(w)
}

// bufferedResponse holds an answer so that it can be looked at before it is sent.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header         { return b.header }
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferedResponse) WriteHeader(status int)      { b.status = status }

func (b *bufferedResponse) flush(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	w.WriteHeader(b.status)
	_, _ = w.Write(b.body.Bytes())
}
