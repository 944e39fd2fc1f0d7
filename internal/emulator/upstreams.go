package emulator

// Upstreams: load-balanced virtual hosts.

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
)

func (s *Server) ListUpstream(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, _ client.ListUpstreamParams) {
	s.listEntities(w, r, cp.String(), domain.Upstreams, nil)
}

func (s *Server) CreateUpstream(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId) {
	s.writeEntity(w, r, cp.String(), domain.Upstreams, nil, "")
}

func (s *Server) GetUpstream(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.UpstreamId) {
	s.getEntity(w, r, cp.String(), domain.Upstreams, nil, id)
}

func (s *Server) UpsertUpstream(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.UpstreamId) {
	s.writeEntity(w, r, cp.String(), domain.Upstreams, nil, id)
}

func (s *Server) DeleteUpstream(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.UpstreamId) {
	s.deleteEntity(w, r, cp.String(), domain.Upstreams, nil, id)
}
