package emulator

// Plugins: global, or scoped to a service, route, consumer or consumer group. Each plugin's
// config is checked against its schema in internal/pluginschema and completed with defaults
// (domain/plugins.go).

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
)

func (s *Server) ListPlugin(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, _ client.ListPluginParams) {
	s.listEntities(w, r, cp.String(), domain.Plugins, nil)
}

func (s *Server) CreatePlugin(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId) {
	s.writeEntity(w, r, cp.String(), domain.Plugins, nil, "")
}

func (s *Server) GetPlugin(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.PluginId, _ client.GetPluginParams) {
	s.getEntity(w, r, cp.String(), domain.Plugins, nil, id)
}

func (s *Server) UpsertPlugin(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.PluginId) {
	s.writeEntity(w, r, cp.String(), domain.Plugins, nil, id)
}

func (s *Server) DeletePlugin(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.PluginId) {
	s.deleteEntity(w, r, cp.String(), domain.Plugins, nil, id)
}

// Scoped plugin paths: the parent in the path sets the plugin's scope.

func pluginParent(kind *domain.Kind, field, id string) *domain.Parent {
	return &domain.Parent{Kind: kind, Field: field, ID: id}
}

func (s *Server) ListPluginWithService(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, svc client.ServiceId, _ client.ListPluginWithServiceParams) {
	s.listEntities(w, r, cp.String(), domain.Plugins, pluginParent(domain.Services, "service", svc))
}

func (s *Server) CreatePluginWithService(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, svc client.ServiceId) {
	s.writeEntity(w, r, cp.String(), domain.Plugins, pluginParent(domain.Services, "service", svc), "")
}

func (s *Server) GetPluginWithService(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, svc client.ServiceId, id client.PluginId, _ client.GetPluginWithServiceParams) {
	s.getEntity(w, r, cp.String(), domain.Plugins, pluginParent(domain.Services, "service", svc), id)
}

func (s *Server) UpsertPluginWithService(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, svc client.ServiceId, id client.PluginId) {
	s.writeEntity(w, r, cp.String(), domain.Plugins, pluginParent(domain.Services, "service", svc), id)
}

func (s *Server) DeletePluginWithService(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, svc client.ServiceId, id client.PluginId) {
	s.deleteEntity(w, r, cp.String(), domain.Plugins, pluginParent(domain.Services, "service", svc), id)
}

func (s *Server) ListPluginWithRoute(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, route client.RouteId, _ client.ListPluginWithRouteParams) {
	s.listEntities(w, r, cp.String(), domain.Plugins, pluginParent(domain.Routes, "route", route))
}

func (s *Server) CreatePluginWithRoute(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, route client.RouteId) {
	s.writeEntity(w, r, cp.String(), domain.Plugins, pluginParent(domain.Routes, "route", route), "")
}

func (s *Server) GetPluginWithRoute(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, route client.RouteId, id client.PluginId, _ client.GetPluginWithRouteParams) {
	s.getEntity(w, r, cp.String(), domain.Plugins, pluginParent(domain.Routes, "route", route), id)
}

func (s *Server) UpsertPluginWithRoute(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, route client.RouteId, id client.PluginId) {
	s.writeEntity(w, r, cp.String(), domain.Plugins, pluginParent(domain.Routes, "route", route), id)
}

func (s *Server) DeletePluginWithRoute(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, route client.RouteId, id client.PluginId) {
	s.deleteEntity(w, r, cp.String(), domain.Plugins, pluginParent(domain.Routes, "route", route), id)
}

func (s *Server) ListPluginWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, c client.ConsumerIdForNestedEntities, _ client.ListPluginWithConsumerParams) {
	s.listEntities(w, r, cp.String(), domain.Plugins, pluginParent(domain.Consumers, "consumer", c))
}

func (s *Server) CreatePluginWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, c client.ConsumerIdForNestedEntities) {
	s.writeEntity(w, r, cp.String(), domain.Plugins, pluginParent(domain.Consumers, "consumer", c), "")
}

func (s *Server) GetPluginWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, c client.ConsumerIdForNestedEntities, id client.PluginId, _ client.GetPluginWithConsumerParams) {
	s.getEntity(w, r, cp.String(), domain.Plugins, pluginParent(domain.Consumers, "consumer", c), id)
}

func (s *Server) UpsertPluginWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, c client.ConsumerIdForNestedEntities, id client.PluginId) {
	s.writeEntity(w, r, cp.String(), domain.Plugins, pluginParent(domain.Consumers, "consumer", c), id)
}

func (s *Server) DeletePluginWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, c client.ConsumerIdForNestedEntities, id client.PluginId) {
	s.deleteEntity(w, r, cp.String(), domain.Plugins, pluginParent(domain.Consumers, "consumer", c), id)
}

func (s *Server) ListPluginWithConsumerGroup(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, g client.ConsumerGroupId, _ client.ListPluginWithConsumerGroupParams) {
	s.listEntities(w, r, cp.String(), domain.Plugins, pluginParent(domain.ConsumerGroups, "consumer_group", g))
}

func (s *Server) CreatePluginWithConsumerGroup(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, g client.ConsumerGroupId) {
	s.writeEntity(w, r, cp.String(), domain.Plugins, pluginParent(domain.ConsumerGroups, "consumer_group", g), "")
}

func (s *Server) GetPluginWithConsumerGroup(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, g client.ConsumerGroupId, id client.PluginId, _ client.GetPluginWithConsumerGroupParams) {
	s.getEntity(w, r, cp.String(), domain.Plugins, pluginParent(domain.ConsumerGroups, "consumer_group", g), id)
}

func (s *Server) UpsertPluginWithConsumerGroup(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, g client.ConsumerGroupId, id client.PluginId) {
	s.writeEntity(w, r, cp.String(), domain.Plugins, pluginParent(domain.ConsumerGroups, "consumer_group", g), id)
}

func (s *Server) DeletePluginWithConsumerGroup(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, g client.ConsumerGroupId, id client.PluginId) {
	s.deleteEntity(w, r, cp.String(), domain.Plugins, pluginParent(domain.ConsumerGroups, "consumer_group", g), id)
}
