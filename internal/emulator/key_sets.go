package emulator

// Key sets: named groups of keys.

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

func (s *Server) ListKeySet(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, _ client.ListKeySetParams) {
	s.listEntities(w, r, cp.String(), kindKeySets, nil)
}

func (s *Server) CreateKeySet(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId) {
	s.writeEntity(w, r, cp.String(), kindKeySets, nil, "")
}

func (s *Server) GetKeySet(w http.ResponseWriter, _ *http.Request, cp client.ControlPlaneId, id client.KeySetId) {
	s.getEntity(w, cp.String(), kindKeySets, nil, id)
}

func (s *Server) UpsertKeySet(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.KeySetId) {
	s.writeEntity(w, r, cp.String(), kindKeySets, nil, id)
}

func (s *Server) DeleteKeySet(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.KeySetId) {
	s.deleteEntity(w, r, cp.String(), kindKeySets, nil, id)
}
