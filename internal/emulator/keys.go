package emulator

// Keys: JWK or PEM keys, alone or in a key set.

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

func (s *Server) ListKey(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, _ client.ListKeyParams) {
	s.listEntities(w, r, cp.String(), kindKeys, nil)
}

func (s *Server) CreateKey(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId) {
	s.writeEntity(w, r, cp.String(), kindKeys, nil, "")
}

func (s *Server) GetKey(w http.ResponseWriter, _ *http.Request, cp client.ControlPlaneId, id client.KeyId) {
	s.getEntity(w, cp.String(), kindKeys, nil, id)
}

func (s *Server) UpsertKey(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.KeyId) {
	s.writeEntity(w, r, cp.String(), kindKeys, nil, id)
}

func (s *Server) DeleteKey(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.KeyId) {
	s.deleteEntity(w, r, cp.String(), kindKeys, nil, id)
}

func (s *Server) ListKeyWithKeySet(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, keySetId client.KeySetId, _ client.ListKeyWithKeySetParams) {
	s.listEntities(w, r, cp.String(), kindKeys, &parentRef{kind: kindKeySets, field: "set", id: keySetId})
}

func (s *Server) CreateKeyWithKeySet(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, keySetId client.KeySetId) {
	s.writeEntity(w, r, cp.String(), kindKeys, &parentRef{kind: kindKeySets, field: "set", id: keySetId}, "")
}

func (s *Server) GetKeyWithKeySet(w http.ResponseWriter, _ *http.Request, cp client.ControlPlaneId, keySetId client.KeySetId, id client.KeyId) {
	s.getEntity(w, cp.String(), kindKeys, &parentRef{kind: kindKeySets, field: "set", id: keySetId}, id)
}

func (s *Server) UpsertKeyWithKeySet(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, keySetId client.KeySetId, id client.KeyId) {
	s.writeEntity(w, r, cp.String(), kindKeys, &parentRef{kind: kindKeySets, field: "set", id: keySetId}, id)
}

func (s *Server) DeleteKeyWithKeySet(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, keySetId client.KeySetId, id client.KeyId) {
	s.deleteEntity(w, r, cp.String(), kindKeys, &parentRef{kind: kindKeySets, field: "set", id: keySetId}, id)
}
