package emulator

// Keys: JWK or PEM keys, alone or in a key set.

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
)

func (s *Server) ListKey(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, _ client.ListKeyParams) {
	s.listEntities(w, r, cp.String(), domain.Keys, nil)
}

func (s *Server) CreateKey(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId) {
	s.writeEntity(w, r, cp.String(), domain.Keys, nil, "")
}

func (s *Server) GetKey(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.KeyId) {
	s.getEntity(w, r, cp.String(), domain.Keys, nil, id)
}

func (s *Server) UpsertKey(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.KeyId) {
	s.writeEntity(w, r, cp.String(), domain.Keys, nil, id)
}

func (s *Server) DeleteKey(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.KeyId) {
	s.deleteEntity(w, r, cp.String(), domain.Keys, nil, id)
}

func (s *Server) ListKeyWithKeySet(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, keySetId client.KeySetId, _ client.ListKeyWithKeySetParams) {
	s.listEntities(w, r, cp.String(), domain.Keys, &domain.Parent{Kind: domain.KeySets, Field: "set", ID: keySetId})
}

func (s *Server) CreateKeyWithKeySet(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, keySetId client.KeySetId) {
	s.writeEntity(w, r, cp.String(), domain.Keys, &domain.Parent{Kind: domain.KeySets, Field: "set", ID: keySetId}, "")
}

func (s *Server) GetKeyWithKeySet(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, keySetId client.KeySetId, id client.KeyId) {
	s.getEntity(w, r, cp.String(), domain.Keys, &domain.Parent{Kind: domain.KeySets, Field: "set", ID: keySetId}, id)
}

func (s *Server) UpsertKeyWithKeySet(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, keySetId client.KeySetId, id client.KeyId) {
	s.writeEntity(w, r, cp.String(), domain.Keys, &domain.Parent{Kind: domain.KeySets, Field: "set", ID: keySetId}, id)
}

func (s *Server) DeleteKeyWithKeySet(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, keySetId client.KeySetId, id client.KeyId) {
	s.deleteEntity(w, r, cp.String(), domain.Keys, &domain.Parent{Kind: domain.KeySets, Field: "set", ID: keySetId}, id)
}
