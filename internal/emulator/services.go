package emulator

// Services: the upstream APIs that routes send traffic to.

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

func (s *Server) ListService(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, _ client.ListServiceParams) {
	s.listEntities(w, r, cp.String(), kindServices, nil)
}

func (s *Server) CreateService(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId) {
	s.writeEntity(w, r, cp.String(), kindServices, nil, "")
}

func (s *Server) GetService(w http.ResponseWriter, _ *http.Request, cp client.ControlPlaneId, id client.ServiceId) {
	s.getEntity(w, cp.String(), kindServices, nil, id)
}

func (s *Server) UpsertService(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.ServiceId) {
	s.writeEntity(w, r, cp.String(), kindServices, nil, id)
}

func (s *Server) DeleteService(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.ServiceId) {
	s.deleteEntity(w, r, cp.String(), kindServices, nil, id)
}
