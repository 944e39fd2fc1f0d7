package emulator

// Routes: the rules that match requests to services.

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
)

func (s *Server) ListRoute(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, _ client.ListRouteParams) {
	s.listEntities(w, r, cp.String(), domain.Routes, nil)
}

func (s *Server) CreateRoute(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId) {
	s.writeEntity(w, r, cp.String(), domain.Routes, nil, "")
}

func (s *Server) GetRoute(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.RouteId) {
	s.getEntity(w, r, cp.String(), domain.Routes, nil, id)
}

func (s *Server) UpsertRoute(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.RouteId) {
	s.writeEntity(w, r, cp.String(), domain.Routes, nil, id)
}

func (s *Server) DeleteRoute(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.RouteId) {
	s.deleteEntity(w, r, cp.String(), domain.Routes, nil, id)
}

func (s *Server) ListRouteWithService(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, serviceId client.ServiceId, _ client.ListRouteWithServiceParams) {
	s.listEntities(w, r, cp.String(), domain.Routes, &domain.Parent{Kind: domain.Services, Field: "service", ID: serviceId})
}

func (s *Server) CreateRouteWithService(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, serviceId client.ServiceId) {
	s.writeEntity(w, r, cp.String(), domain.Routes, &domain.Parent{Kind: domain.Services, Field: "service", ID: serviceId}, "")
}

func (s *Server) GetRouteWithService(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, serviceId client.ServiceId, id client.RouteId) {
	s.getEntity(w, r, cp.String(), domain.Routes, &domain.Parent{Kind: domain.Services, Field: "service", ID: serviceId}, id)
}

func (s *Server) UpsertRouteWithService(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, serviceId client.ServiceId, id client.RouteId) {
	s.writeEntity(w, r, cp.String(), domain.Routes, &domain.Parent{Kind: domain.Services, Field: "service", ID: serviceId}, id)
}

func (s *Server) DeleteRouteWithService(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, serviceId client.ServiceId, id client.RouteId) {
	s.deleteEntity(w, r, cp.String(), domain.Routes, &domain.Parent{Kind: domain.Services, Field: "service", ID: serviceId}, id)
}
