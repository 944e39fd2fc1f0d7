package adminapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// The RBAC endpoints: /rbac/users, /rbac/users/{user}/roles, /rbac/roles and a role's
// endpoint and entity permissions.
func (s *Server) rbacRoutes() {
	s.handle("GET /rbac/users", s.listUsers)
	s.handle("POST /rbac/users", s.createUser)
	s.handle("GET /rbac/users/{user}", s.getUser)
	s.handle("PATCH /rbac/users/{user}", s.patchUser)
	s.handle("DELETE /rbac/users/{user}", s.deleteUser)
	s.handle("GET /rbac/users/{user}/roles", s.userRoles)
	s.handle("POST /rbac/users/{user}/roles", s.addUserRoles)
	s.handle("DELETE /rbac/users/{user}/roles", s.removeUserRoles)
	s.handle("GET /rbac/roles", s.listRoles)
	s.handle("POST /rbac/roles", s.createRole)
	s.handle("GET /rbac/roles/{role}", s.getRole)
	s.handle("PATCH /rbac/roles/{role}", s.patchRole)
	s.handle("DELETE /rbac/roles/{role}", s.deleteRole)
	s.handle("GET /rbac/roles/{role}/endpoints", s.listEndpoints)
	s.handle("POST /rbac/roles/{role}/endpoints", s.createEndpoint)
	s.handle("GET /rbac/roles/{role}/endpoints/{workspace}/{endpoint...}", s.getEndpoint)
	s.handle("PATCH /rbac/roles/{role}/endpoints/{workspace}/{endpoint...}", s.patchEndpoint)
	s.handle("DELETE /rbac/roles/{role}/endpoints/{workspace}/{endpoint...}", s.deleteEndpoint)
	s.handle("GET /rbac/roles/{role}/entities", s.listEntityPerms)
	s.handle("POST /rbac/roles/{role}/entities", s.createEntityPerm)
	s.handle("GET /rbac/roles/{role}/entities/{entity}", s.getEntityPerm)
	s.handle("PATCH /rbac/roles/{role}/entities/{entity}", s.patchEntityPerm)
	s.handle("DELETE /rbac/roles/{role}/entities/{entity}", s.deleteEntityPerm)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func userBody(u *rbacUser) map[string]any {
	return map[string]any{"id": u.id, "name": u.name, "comment": nullable(u.comment), "enabled": u.enabled,
		"user_token_ident": u.ident, "created_at": u.createdAt, "updated_at": u.updatedAt}
}

func roleBody(r *rbacRole) map[string]any {
	return map[string]any{"id": r.id, "name": r.name, "comment": nullable(r.comment), "is_default": r.isDefault, "created_at": r.createdAt}
}

func endpointBody(role *rbacRole, p *endpointPerm) map[string]any {
	return map[string]any{"role": map[string]any{"id": role.id}, "workspace": p.workspace, "endpoint": p.endpoint,
		"actions": p.actions.names(), "negative": p.negative, "comment": nullable(p.comment), "created_at": p.createdAt}
}

func entityPermBody(role *rbacRole, p *entityPerm) map[string]any {
	return map[string]any{"role": map[string]any{"id": role.id}, "entity_id": p.entityID, "entity_type": p.entityType,
		"actions": p.actions.names(), "negative": p.negative, "comment": nullable(p.comment), "created_at": p.createdAt}
}

func listOf(items []map[string]any) map[string]any {
	data := make([]any, len(items))
	for i, x := range items {
		data[i] = x
	}
	return map[string]any{"data": data, "next": nil}
}

func uniqueName(name string) *kongError {
	return uniqueError(&domain.UniqueViolation{Field: "name", Value: name}, domain.Entity{"name": name})
}

// rbacBody reads an RBAC request body; fields are strings in a form, typed in JSON.
func rbacBody(w http.ResponseWriter, r *http.Request) (domain.Entity, bool) {
	in, err := decodeBody(r)
	if err != nil {
		writeError(w, bodyError(err))
		return nil, false
	}
	return in.fields, true
}

// fieldString, fieldBool read a body field of either kind of body.
func fieldString(e domain.Entity, name string) (string, bool, *kongError) {
	v, ok := e[name]
	if !ok || v == nil {
		return "", false, nil
	}
	s, isString := v.(string)
	if !isString {
		return "", true, schemaError([]domain.FieldError{{Field: name, Message: "expected a string"}})
	}
	return s, true, nil
}

func fieldBool(e domain.Entity, name string) (bool, bool, *kongError) {
	switch v := e[name].(type) {
	case nil:
		return false, false, nil
	case bool:
		return v, true, nil
	case string:
		switch v {
		case "true":
			return true, true, nil
		case "false":
			return false, true, nil
		}
	}
	return false, true, schemaError([]domain.FieldError{{Field: name, Message: "expected a boolean"}})
}

// parseActions reads "read,create", ["read", "create"] or "*".
func parseActions(v any) (action, *kongError) {
	var names []string
	switch tv := v.(type) {
	case string:
		names = strings.Split(tv, ",")
	case []any:
		names = domain.StringList(tv)
	}
	var out action
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "*" {
			out |= actAll
			continue
		}
		found := false
		for _, a := range actionNames {
			if a.name == n {
				out |= a.bit
				found = true
			}
		}
		if !found {
			return 0, schemaError([]domain.FieldError{{Field: "actions", Message: "unknown action '" + n + "'"}})
		}
	}
	if out == 0 {
		return 0, schemaError([]domain.FieldError{{Field: "actions", Message: "required field missing"}})
	}
	return out, nil
}

// --- users

func (s *Server) listUsers(w http.ResponseWriter, _ *http.Request) {
	s.rbac.mu.RLock()
	defer s.rbac.mu.RUnlock()
	items := make([]map[string]any, 0, len(s.rbac.users))
	for _, u := range s.rbac.users {
		items = append(items, userBody(u))
	}
	writeJSON(w, http.StatusOK, listOf(items))
}

// createUser answers the user with its token, the one time it is shown; it is kept hashed.
func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	e, ok := rbacBody(w, r)
	if !ok {
		return
	}
	name, _, ke := fieldString(e, "name")
	token, _, ke2 := fieldString(e, "user_token")
	enabled, enabledSet, ke3 := fieldBool(e, "enabled")
	comment, _, ke4 := fieldString(e, "comment")
	for _, k := range []*kongError{ke, ke2, ke3, ke4} {
		if k != nil {
			writeError(w, k)
			return
		}
	}
	var missing []domain.FieldError
	if name == "" {
		missing = append(missing, domain.FieldError{Field: "name", Message: "required field missing"})
	}
	if token == "" {
		missing = append(missing, domain.FieldError{Field: "user_token", Message: "required field missing"})
	}
	if len(missing) > 0 {
		writeError(w, schemaError(missing))
		return
	}
	u, err := s.rbac.newUser(name, token, comment)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	if enabledSet {
		u.enabled = enabled
	}
	s.rbac.mu.Lock()
	if s.rbac.userNamed(name) != nil {
		s.rbac.mu.Unlock()
		writeError(w, uniqueName(name))
		return
	}
	s.rbac.users = append(s.rbac.users, u)
	s.rbac.giveDefaultRole(u)
	body := userBody(u)
	s.rbac.mu.Unlock()
	body["user_token"] = token
	writeJSON(w, http.StatusCreated, body)
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	s.rbac.mu.RLock()
	defer s.rbac.mu.RUnlock()
	u := s.rbac.userNamed(r.PathValue("user"))
	if u == nil {
		writeError(w, notFound)
		return
	}
	writeJSON(w, http.StatusOK, userBody(u))
}

func (s *Server) patchUser(w http.ResponseWriter, r *http.Request) {
	e, ok := rbacBody(w, r)
	if !ok {
		return
	}
	name, nameSet, ke := fieldString(e, "name")
	token, tokenSet, ke2 := fieldString(e, "user_token")
	enabled, enabledSet, ke3 := fieldBool(e, "enabled")
	comment, commentSet, ke4 := fieldString(e, "comment")
	for _, k := range []*kongError{ke, ke2, ke3, ke4} {
		if k != nil {
			writeError(w, k)
			return
		}
	}
	var fresh *rbacUser
	if tokenSet {
		var err error
		if fresh, err = s.rbac.newUser("", token, ""); err != nil {
			s.internalError(w, r, err)
			return
		}
	}
	s.rbac.mu.Lock()
	defer s.rbac.mu.Unlock()
	u := s.rbac.userNamed(r.PathValue("user"))
	if u == nil {
		writeError(w, notFound)
		return
	}
	if nameSet && name != u.name {
		if s.rbac.userNamed(name) != nil {
			writeError(w, uniqueName(name))
			return
		}
		u.name = name
	}
	if fresh != nil {
		u.hash, u.ident = fresh.hash, fresh.ident
	}
	if enabledSet {
		u.enabled = enabled
	}
	if commentSet {
		u.comment = comment
	}
	u.updatedAt = time.Now().Unix()
	s.rbac.forget()
	writeJSON(w, http.StatusOK, userBody(u))
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) {
	s.rbac.mu.Lock()
	defer s.rbac.mu.Unlock()
	if u := s.rbac.userNamed(r.PathValue("user")); u != nil {
		s.rbac.users = removeFirst(s.rbac.users, u)
		// Its default role goes with it.
		if role := s.rbac.roleNamed(u.name); role != nil && role.isDefault {
			s.rbac.roles = removeFirst(s.rbac.roles, role)
		}
		s.rbac.forget()
	}
	w.WriteHeader(http.StatusNoContent)
}

func removeFirst[T comparable](list []T, x T) []T {
	for i, v := range list {
		if v == x {
			return append(list[:i:i], list[i+1:]...)
		}
	}
	return list
}

func (s *Server) userRolesBody(u *rbacUser) map[string]any {
	roles := []any{}
	for _, id := range u.roles {
		if role := s.rbac.roleNamed(id); role != nil {
			roles = append(roles, roleBody(role))
		}
	}
	return map[string]any{"user": userBody(u), "roles": roles}
}

func (s *Server) userRoles(w http.ResponseWriter, r *http.Request) {
	s.rbac.mu.RLock()
	defer s.rbac.mu.RUnlock()
	u := s.rbac.userNamed(r.PathValue("user"))
	if u == nil {
		writeError(w, notFound)
		return
	}
	writeJSON(w, http.StatusOK, s.userRolesBody(u))
}

// roleNames reads {"roles": "a,b"} or a list.
func roleNames(e domain.Entity) []string {
	var names []string
	switch v := e["roles"].(type) {
	case string:
		names = strings.Split(v, ",")
	case []any:
		names = domain.StringList(v)
	}
	out := names[:0]
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

func (s *Server) addUserRoles(w http.ResponseWriter, r *http.Request) {
	s.changeUserRoles(w, r, true)
}

func (s *Server) removeUserRoles(w http.ResponseWriter, r *http.Request) {
	s.changeUserRoles(w, r, false)
}

func (s *Server) changeUserRoles(w http.ResponseWriter, r *http.Request, add bool) {
	e, ok := rbacBody(w, r)
	if !ok {
		return
	}
	names := roleNames(e)
	if len(names) == 0 {
		writeError(w, messageError(http.StatusBadRequest, "must provide >= 1 role"))
		return
	}
	s.rbac.mu.Lock()
	defer s.rbac.mu.Unlock()
	u := s.rbac.userNamed(r.PathValue("user"))
	if u == nil {
		writeError(w, notFound)
		return
	}
	roles := make([]*rbacRole, 0, len(names))
	for _, n := range names {
		role := s.rbac.roleNamed(n)
		if role == nil {
			writeError(w, messageError(http.StatusBadRequest, "role not found with name '"+n+"'"))
			return
		}
		roles = append(roles, role)
	}
	for _, role := range roles {
		has := false
		for _, id := range u.roles {
			has = has || id == role.id
		}
		switch {
		case add && !has:
			u.roles = append(u.roles, role.id)
		case !add && has:
			u.roles = removeFirst(u.roles, role.id)
		}
	}
	if !add {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusCreated, s.userRolesBody(u))
}

// --- roles

func (s *Server) listRoles(w http.ResponseWriter, _ *http.Request) {
	s.rbac.mu.RLock()
	defer s.rbac.mu.RUnlock()
	items := make([]map[string]any, 0, len(s.rbac.roles))
	for _, role := range s.rbac.roles {
		items = append(items, roleBody(role))
	}
	writeJSON(w, http.StatusOK, listOf(items))
}

func (s *Server) createRole(w http.ResponseWriter, r *http.Request) {
	e, ok := rbacBody(w, r)
	if !ok {
		return
	}
	name, _, ke := fieldString(e, "name")
	comment, _, ke2 := fieldString(e, "comment")
	for _, k := range []*kongError{ke, ke2} {
		if k != nil {
			writeError(w, k)
			return
		}
	}
	if name == "" {
		writeError(w, schemaError([]domain.FieldError{{Field: "name", Message: "required field missing"}}))
		return
	}
	s.rbac.mu.Lock()
	defer s.rbac.mu.Unlock()
	if s.rbac.roleNamed(name) != nil {
		writeError(w, uniqueName(name))
		return
	}
	role := &rbacRole{id: uuid.NewString(), name: name, comment: comment, createdAt: time.Now().Unix()}
	s.rbac.roles = append(s.rbac.roles, role)
	writeJSON(w, http.StatusCreated, roleBody(role))
}

func (s *Server) getRole(w http.ResponseWriter, r *http.Request) {
	s.rbac.mu.RLock()
	defer s.rbac.mu.RUnlock()
	role := s.rbac.roleNamed(r.PathValue("role"))
	if role == nil {
		writeError(w, notFound)
		return
	}
	writeJSON(w, http.StatusOK, roleBody(role))
}

func (s *Server) patchRole(w http.ResponseWriter, r *http.Request) {
	e, ok := rbacBody(w, r)
	if !ok {
		return
	}
	name, nameSet, ke := fieldString(e, "name")
	comment, commentSet, ke2 := fieldString(e, "comment")
	for _, k := range []*kongError{ke, ke2} {
		if k != nil {
			writeError(w, k)
			return
		}
	}
	s.rbac.mu.Lock()
	defer s.rbac.mu.Unlock()
	role := s.rbac.roleNamed(r.PathValue("role"))
	if role == nil {
		writeError(w, notFound)
		return
	}
	if nameSet && name != role.name {
		if s.rbac.roleNamed(name) != nil {
			writeError(w, uniqueName(name))
			return
		}
		role.name = name
	}
	if commentSet {
		role.comment = comment
	}
	writeJSON(w, http.StatusOK, roleBody(role))
}

// deleteRole removes the role from its users too.
func (s *Server) deleteRole(w http.ResponseWriter, r *http.Request) {
	s.rbac.mu.Lock()
	defer s.rbac.mu.Unlock()
	if role := s.rbac.roleNamed(r.PathValue("role")); role != nil {
		s.rbac.roles = removeFirst(s.rbac.roles, role)
		for _, u := range s.rbac.users {
			u.roles = removeFirst(u.roles, role.id)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// --- endpoint permissions

// withRole runs fn with the path's role, under the write lock; 404 without it.
func (s *Server) withRole(w http.ResponseWriter, r *http.Request, fn func(*rbacRole)) {
	s.rbac.mu.Lock()
	defer s.rbac.mu.Unlock()
	role := s.rbac.roleNamed(r.PathValue("role"))
	if role == nil {
		writeError(w, notFound)
		return
	}
	fn(role)
}

func (s *Server) listEndpoints(w http.ResponseWriter, r *http.Request) {
	s.withRole(w, r, func(role *rbacRole) {
		items := make([]map[string]any, 0, len(role.endpoints))
		for _, p := range role.endpoints {
			items = append(items, endpointBody(role, p))
		}
		writeJSON(w, http.StatusOK, listOf(items))
	})
}

// normalizeEndpoint gives an endpoint its leading slash ("services" is "/services").
func normalizeEndpoint(e string) string {
	if e == "*" || strings.HasPrefix(e, "/") {
		return e
	}
	return "/" + e
}

func (s *Server) createEndpoint(w http.ResponseWriter, r *http.Request) {
	e, ok := rbacBody(w, r)
	if !ok {
		return
	}
	endpoint, _, ke := fieldString(e, "endpoint")
	workspace, wsSet, ke2 := fieldString(e, "workspace")
	negative, _, ke3 := fieldBool(e, "negative")
	comment, _, ke4 := fieldString(e, "comment")
	for _, k := range []*kongError{ke, ke2, ke3, ke4} {
		if k != nil {
			writeError(w, k)
			return
		}
	}
	if endpoint == "" {
		writeError(w, schemaError([]domain.FieldError{{Field: "endpoint", Message: "required field missing"}}))
		return
	}
	if !wsSet || workspace == "" {
		workspace = defaultWorkspace
	}
	actions := actAll
	if v, set := e["actions"]; set {
		a, ke := parseActions(v)
		if ke != nil {
			writeError(w, ke)
			return
		}
		actions = a
	}
	p := &endpointPerm{workspace: workspace, endpoint: normalizeEndpoint(endpoint), actions: actions, negative: negative, comment: comment, createdAt: time.Now().Unix()}
	s.withRole(w, r, func(role *rbacRole) {
		for _, other := range role.endpoints {
			if other.workspace == p.workspace && other.endpoint == p.endpoint {
				writeError(w, uniqueError(&domain.UniqueViolation{Field: "endpoint"}, domain.Entity{"endpoint": p.endpoint}))
				return
			}
		}
		role.endpoints = append(role.endpoints, p)
		writeJSON(w, http.StatusCreated, endpointBody(role, p))
	})
}

// findEndpoint is the role's permission named by the path's workspace and endpoint.
func findEndpoint(role *rbacRole, r *http.Request) *endpointPerm {
	ws, ep := r.PathValue("workspace"), normalizeEndpoint(r.PathValue("endpoint"))
	for _, p := range role.endpoints {
		if p.workspace == ws && p.endpoint == ep {
			return p
		}
	}
	return nil
}

func (s *Server) getEndpoint(w http.ResponseWriter, r *http.Request) {
	s.withRole(w, r, func(role *rbacRole) {
		if p := findEndpoint(role, r); p != nil {
			writeJSON(w, http.StatusOK, endpointBody(role, p))
			return
		}
		writeError(w, notFound)
	})
}

func (s *Server) patchEndpoint(w http.ResponseWriter, r *http.Request) {
	e, ok := rbacBody(w, r)
	if !ok {
		return
	}
	s.withRole(w, r, func(role *rbacRole) {
		p := findEndpoint(role, r)
		if p == nil {
			writeError(w, notFound)
			return
		}
		if ke := patchPermission(e, &p.actions, &p.negative, &p.comment); ke != nil {
			writeError(w, ke)
			return
		}
		writeJSON(w, http.StatusOK, endpointBody(role, p))
	})
}

// patchPermission applies actions, negative and comment from a PATCH body.
func patchPermission(e domain.Entity, actions *action, negative *bool, comment *string) *kongError {
	if v, set := e["actions"]; set {
		a, ke := parseActions(v)
		if ke != nil {
			return ke
		}
		*actions = a
	}
	neg, negSet, ke := fieldBool(e, "negative")
	if ke != nil {
		return ke
	}
	c, cSet, ke := fieldString(e, "comment")
	if ke != nil {
		return ke
	}
	if negSet {
		*negative = neg
	}
	if cSet {
		*comment = c
	}
	return nil
}

func (s *Server) deleteEndpoint(w http.ResponseWriter, r *http.Request) {
	s.withRole(w, r, func(role *rbacRole) {
		if p := findEndpoint(role, r); p != nil {
			role.endpoints = removeFirst(role.endpoints, p)
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// --- entity permissions

func (s *Server) listEntityPerms(w http.ResponseWriter, r *http.Request) {
	s.withRole(w, r, func(role *rbacRole) {
		items := make([]map[string]any, 0, len(role.entities))
		for _, p := range role.entities {
			items = append(items, entityPermBody(role, p))
		}
		writeJSON(w, http.StatusOK, listOf(items))
	})
}

// entityTypeOf finds the table of the entity with the id in the served control plane.
func (s *Server) entityTypeOf(id string) (string, bool) {
	cp := s.cp()
	if id == "*" {
		return "wildcard", true
	}
	found := ""
	_ = s.opts.Store.Read(func(tx store.Reader) error {
		for _, k := range domain.All {
			if _, ok := tx.Get(cp, k.Name, id); ok {
				found = tableName(k.Name)
				return nil
			}
		}
		return nil
	})
	return found, found != ""
}

func (s *Server) createEntityPerm(w http.ResponseWriter, r *http.Request) {
	e, ok := rbacBody(w, r)
	if !ok {
		return
	}
	id, _, ke := fieldString(e, "entity_id")
	negative, _, ke2 := fieldBool(e, "negative")
	comment, _, ke3 := fieldString(e, "comment")
	for _, k := range []*kongError{ke, ke2, ke3} {
		if k != nil {
			writeError(w, k)
			return
		}
	}
	if id == "" {
		writeError(w, schemaError([]domain.FieldError{{Field: "entity_id", Message: "required field missing"}}))
		return
	}
	typ, found := s.entityTypeOf(id)
	if !found {
		writeError(w, schemaError([]domain.FieldError{{Field: "entity_id", Message: "no entity with this id"}}))
		return
	}
	actions := actAll
	if v, set := e["actions"]; set {
		a, ke := parseActions(v)
		if ke != nil {
			writeError(w, ke)
			return
		}
		actions = a
	}
	p := &entityPerm{entityID: id, entityType: typ, actions: actions, negative: negative, comment: comment, createdAt: time.Now().Unix()}
	s.withRole(w, r, func(role *rbacRole) {
		for _, other := range role.entities {
			if other.entityID == id {
				writeError(w, uniqueError(&domain.UniqueViolation{Field: "entity_id"}, domain.Entity{"entity_id": id}))
				return
			}
		}
		role.entities = append(role.entities, p)
		writeJSON(w, http.StatusCreated, entityPermBody(role, p))
	})
}

func findEntityPerm(role *rbacRole, id string) *entityPerm {
	for _, p := range role.entities {
		if p.entityID == id {
			return p
		}
	}
	return nil
}

func (s *Server) getEntityPerm(w http.ResponseWriter, r *http.Request) {
	s.withRole(w, r, func(role *rbacRole) {
		if p := findEntityPerm(role, r.PathValue("entity")); p != nil {
			writeJSON(w, http.StatusOK, entityPermBody(role, p))
			return
		}
		writeError(w, notFound)
	})
}

func (s *Server) patchEntityPerm(w http.ResponseWriter, r *http.Request) {
	e, ok := rbacBody(w, r)
	if !ok {
		return
	}
	s.withRole(w, r, func(role *rbacRole) {
		p := findEntityPerm(role, r.PathValue("entity"))
		if p == nil {
			writeError(w, notFound)
			return
		}
		if ke := patchPermission(e, &p.actions, &p.negative, &p.comment); ke != nil {
			writeError(w, ke)
			return
		}
		writeJSON(w, http.StatusOK, entityPermBody(role, p))
	})
}

func (s *Server) deleteEntityPerm(w http.ResponseWriter, r *http.Request) {
	s.withRole(w, r, func(role *rbacRole) {
		if p := findEntityPerm(role, r.PathValue("entity")); p != nil {
			role.entities = removeFirst(role.entities, p)
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
