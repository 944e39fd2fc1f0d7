package emulator

// Services: the upstream APIs that routes send traffic to.

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
)

func (s *Server) ListService(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, _ client.ListServiceParams) {
	s.listEntities(w, r, cp.String(), domain.Services, nil)
}

func (s *Server) CreateService(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId) {
	s.writeEntity(w, r, cp.String(), domain.Services, nil, "")
}

func (s *Server) GetService(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.ServiceId) {
	s.getEntity(w, r, cp.String(), domain.Services, nil, id)
}

func (s *Server) UpsertService(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.ServiceId) {
	s.writeEntity(w, r, cp.String(), domain.Services, nil, id)
}

func (s *Server) DeleteService(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.ServiceId) {
	s.deleteEntity(w, r, cp.String(), domain.Services, nil, id)
}
