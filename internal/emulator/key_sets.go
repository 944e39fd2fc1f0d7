package emulator

// Key sets: named groups of keys.

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
)

func (s *Server) ListKeySet(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, _ client.ListKeySetParams) {
	s.listEntities(w, r, cp.String(), domain.KeySets, nil)
}

func (s *Server) CreateKeySet(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId) {
	s.writeEntity(w, r, cp.String(), domain.KeySets, nil, "")
}

func (s *Server) GetKeySet(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.KeySetId) {
	s.getEntity(w, r, cp.String(), domain.KeySets, nil, id)
}

func (s *Server) UpsertKeySet(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.KeySetId) {
	s.writeEntity(w, r, cp.String(), domain.KeySets, nil, id)
}

func (s *Server) DeleteKeySet(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.KeySetId) {
	s.deleteEntity(w, r, cp.String(), domain.KeySets, nil, id)
}
