package emulator

// Routes: the rules that match requests to services.

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

func (s *Server) ListRoute(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, _ client.ListRouteParams) {
	s.listEntities(w, r, cp.String(), kindRoutes, nil)
}

func (s *Server) CreateRoute(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId) {
	s.writeEntity(w, r, cp.String(), kindRoutes, nil, "")
}

func (s *Server) GetRoute(w http.ResponseWriter, _ *http.Request, cp client.ControlPlaneId, id client.RouteId) {
	s.getEntity(w, cp.String(), kindRoutes, nil, id)
}

func (s *Server) UpsertRoute(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.RouteId) {
	s.writeEntity(w, r, cp.String(), kindRoutes, nil, id)
}

func (s *Server) DeleteRoute(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.RouteId) {
	s.deleteEntity(w, r, cp.String(), kindRoutes, nil, id)
}

func (s *Server) ListRouteWithService(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, serviceId client.ServiceId, _ client.ListRouteWithServiceParams) {
	s.listEntities(w, r, cp.String(), kindRoutes, &parentRef{kind: kindServices, field: "service", id: serviceId})
}

func (s *Server) CreateRouteWithService(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, serviceId client.ServiceId) {
	s.writeEntity(w, r, cp.String(), kindRoutes, &parentRef{kind: kindServices, field: "service", id: serviceId}, "")
}

func (s *Server) GetRouteWithService(w http.ResponseWriter, _ *http.Request, cp client.ControlPlaneId, serviceId client.ServiceId, id client.RouteId) {
	s.getEntity(w, cp.String(), kindRoutes, &parentRef{kind: kindServices, field: "service", id: serviceId}, id)
}

func (s *Server) UpsertRouteWithService(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, serviceId client.ServiceId, id client.RouteId) {
	s.writeEntity(w, r, cp.String(), kindRoutes, &parentRef{kind: kindServices, field: "service", id: serviceId}, id)
}

func (s *Server) DeleteRouteWithService(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, serviceId client.ServiceId, id client.RouteId) {
	s.deleteEntity(w, r, cp.String(), kindRoutes, &parentRef{kind: kindServices, field: "service", id: serviceId}, id)
}
