package adminapi

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
)

// collection is one entity collection of the Admin API: its path, the kind it holds, and the
// parent named in the path for nested ones (/consumers/{parent}/key-auth).
type collection struct {
	path   string
	kind   *domain.Kind
	parent *domain.Kind
	field  string // the kind's reference to the parent
}

// collections are Kong's entity endpoints: top level, then nested under their parent.
var collections = func() []collection {
	top := []struct {
		path string
		kind *domain.Kind
	}{
		{"/services", domain.Services}, {"/routes", domain.Routes}, {"/consumers", domain.Consumers},
		{"/consumer_groups", domain.ConsumerGroups}, {"/plugins", domain.Plugins},
		{"/upstreams", domain.Upstreams}, {"/certificates", domain.Certificates}, {"/snis", domain.SNIs},
		{"/ca_certificates", domain.CACertificates}, {"/vaults", domain.Vaults}, {"/keys", domain.Keys},
		{"/key-sets", domain.KeySets}, {"/partials", domain.Partials},
		{"/key-auths", domain.KeyAuth}, {"/basic-auths", domain.BasicAuth}, {"/jwts", domain.JWT},
		{"/hmac-auths", domain.HMACAuth}, {"/acls", domain.ACLs},
	}
	nested := []struct {
		parentPath string
		parent     *domain.Kind
		path       string
		kind       *domain.Kind
	}{
		{"/services", domain.Services, "routes", domain.Routes},
		{"/services", domain.Services, "plugins", domain.Plugins},
		{"/routes", domain.Routes, "plugins", domain.Plugins},
		{"/consumers", domain.Consumers, "plugins", domain.Plugins},
		{"/consumer_groups", domain.ConsumerGroups, "plugins", domain.Plugins},
		{"/consumers", domain.Consumers, "key-auth", domain.KeyAuth},
		{"/consumers", domain.Consumers, "basic-auth", domain.BasicAuth},
		{"/consumers", domain.Consumers, "jwt", domain.JWT},
		{"/consumers", domain.Consumers, "hmac-auth", domain.HMACAuth},
		{"/consumers", domain.Consumers, "acls", domain.ACLs},
		{"/upstreams", domain.Upstreams, "targets", domain.Targets},
		{"/certificates", domain.Certificates, "snis", domain.SNIs},
		{"/key-sets", domain.KeySets, "keys", domain.Keys},
	}
	var out []collection
	for _, t := range top {
		out = append(out, collection{path: t.path, kind: t.kind})
	}
	for _, n := range nested {
		ref, ok := n.kind.RefTo(n.parent.Name)
		if !ok {
			panic("adminapi: " + n.kind.Name + " has no reference to " + n.parent.Name)
		}
		out = append(out, collection{path: n.parentPath + "/{parent}/" + n.path, kind: n.kind, parent: n.parent, field: ref.Field})
	}
	return out
}()

// routes registers every endpoint.
func (s *Server) routes() {
	for _, c := range collections {
		c := c
		item := c.path + "/{id}"
		s.handle("GET "+c.path, func(w http.ResponseWriter, r *http.Request) { s.list(w, r, c) })
		s.handle("POST "+c.path, func(w http.ResponseWriter, r *http.Request) { s.write(w, r, c, "", false) })
		if c.kind == domain.ConsumerGroups {
			s.handle("GET "+item, s.getConsumerGroup)
		} else {
			s.handle("GET "+item, func(w http.ResponseWriter, r *http.Request) { s.get(w, r, c) })
		}
		s.handle("PUT "+item, func(w http.ResponseWriter, r *http.Request) { s.write(w, r, c, r.PathValue("id"), false) })
		s.handle("PATCH "+item, func(w http.ResponseWriter, r *http.Request) { s.write(w, r, c, r.PathValue("id"), true) })
		s.handle("DELETE "+item, func(w http.ResponseWriter, r *http.Request) { s.delete(w, r, c) })
	}
	s.memberRoutes()
	s.rbacRoutes()
	s.handle("GET /{$}", s.info)
	s.handle("GET /status", s.status)
	s.handle("POST /config", s.postConfig)
	s.handle("/", s.unrouted)
}

// unrouted answers a path no route serves (404), or a method the path does not take (405).
func (s *Server) unrouted(w http.ResponseWriter, r *http.Request) {
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "/" && pattern != "" {
			writeError(w, messageError(http.StatusMethodNotAllowed, "Method not allowed"))
			return
		}
	}
	writeError(w, notFound)
}

// parentOf is the parent named in the request's path, if the collection is nested.
func (c collection) parentOf(r *http.Request) *domain.Parent {
	if c.parent == nil {
		return nil
	}
	return &domain.Parent{Kind: c.parent, Field: c.field, ID: r.PathValue("parent")}
}

// postConfig hands POST /config to the declarative loader when there is one.
func (s *Server) postConfig(w http.ResponseWriter, r *http.Request) {
	if h := s.config.Load(); h != nil {
		(*h).ServeHTTP(w, r)
		return
	}
	writeError(w, messageError(http.StatusBadRequest, "this endpoint is only available when Kong is configured to not use a database"))
}
