package emulator

// Plugins: global, or scoped to a service, route, consumer or consumer group. Each plugin's
// config is checked against its schema in internal/pluginschema and completed with defaults.

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/pluginschema"
)

// normalizePlugin checks the plugin's name, scope, protocols and config against its schema,
// and fills in the defaults the way Konnect returns them.
func normalizePlugin(_ *writeCtx, e entity) *apiError {
	name, _ := e["name"].(string)
	p, ok := pluginschema.Lookup(name)
	if !ok {
		return fieldError("name", "plugin '"+name+"' not enabled; add it to the 'plugins' configuration property")
	}
	errs := p.CheckScope(pluginschema.Scope{
		Consumer: refID(e["consumer"]) != "", ConsumerGroup: refID(e["consumer_group"]) != "",
		Route: refID(e["route"]) != "", Service: refID(e["service"]) != "",
	})
	protocols, perrs := p.NormalizeProtocols(e["protocols"])
	errs = append(errs, perrs...)
	switch c := e["config"].(type) {
	case nil, map[string]any:
		config, _ := c.(map[string]any)
		normalized, cerrs := p.Normalize(config)
		errs = append(errs, cerrs...)
		e["config"] = normalized
	default:
		errs = append(errs, pluginschema.FieldError{Field: "config", Message: "expected a record"})
	}
	if len(errs) > 0 {
		details := make([]client.CoreEntityErrorDetail, 0, len(errs))
		for _, fe := range errs {
			if fe.IsEntity() {
				details = append(details, detail(detailEntity, "", fe.Message))
			} else {
				details = append(details, detail(detailField, konnectPath(fe.Field), fe.Message))
			}
		}
		return validationError(details...)
	}
	list := make([]any, len(protocols))
	for i, v := range protocols {
		list[i] = v
	}
	e["protocols"] = list
	if _, ok := e["enabled"]; !ok {
		e["enabled"] = true
	}
	return nil
}

// konnectPath turns Kong's field paths (array positions from 1: "config.key_names.1") into the
// form Konnect's errors use ("config.key_names[0]").
func konnectPath(path string) string {
	parts := strings.Split(path, ".")
	var b strings.Builder
	for i, part := range parts {
		if n, err := strconv.Atoi(part); err == nil && i > 0 {
			b.WriteString("[" + strconv.Itoa(n-1) + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(part)
	}
	return b.String()
}

func (s *Server) ListPlugin(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, _ client.ListPluginParams) {
	s.listEntities(w, r, cp.String(), kindPlugins, nil)
}

func (s *Server) CreatePlugin(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId) {
	s.writeEntity(w, r, cp.String(), kindPlugins, nil, "")
}

func (s *Server) GetPlugin(w http.ResponseWriter, _ *http.Request, cp client.ControlPlaneId, id client.PluginId, _ client.GetPluginParams) {
	s.getEntity(w, cp.String(), kindPlugins, nil, id)
}

func (s *Server) UpsertPlugin(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.PluginId) {
	s.writeEntity(w, r, cp.String(), kindPlugins, nil, id)
}

func (s *Server) DeletePlugin(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.PluginId) {
	s.deleteEntity(w, r, cp.String(), kindPlugins, nil, id)
}

// Scoped plugin paths: the parent in the path sets the plugin's scope.

func pluginParent(kind *kindSpec, field, id string) *parentRef {
	return &parentRef{kind: kind, field: field, id: id}
}

func (s *Server) ListPluginWithService(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, svc client.ServiceId, _ client.ListPluginWithServiceParams) {
	s.listEntities(w, r, cp.String(), kindPlugins, pluginParent(kindServices, "service", svc))
}

func (s *Server) CreatePluginWithService(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, svc client.ServiceId) {
	s.writeEntity(w, r, cp.String(), kindPlugins, pluginParent(kindServices, "service", svc), "")
}

func (s *Server) GetPluginWithService(w http.ResponseWriter, _ *http.Request, cp client.ControlPlaneId, svc client.ServiceId, id client.PluginId, _ client.GetPluginWithServiceParams) {
	s.getEntity(w, cp.String(), kindPlugins, pluginParent(kindServices, "service", svc), id)
}

func (s *Server) UpsertPluginWithService(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, svc client.ServiceId, id client.PluginId) {
	s.writeEntity(w, r, cp.String(), kindPlugins, pluginParent(kindServices, "service", svc), id)
}

func (s *Server) DeletePluginWithService(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, svc client.ServiceId, id client.PluginId) {
	s.deleteEntity(w, r, cp.String(), kindPlugins, pluginParent(kindServices, "service", svc), id)
}

func (s *Server) ListPluginWithRoute(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, route client.RouteId, _ client.ListPluginWithRouteParams) {
	s.listEntities(w, r, cp.String(), kindPlugins, pluginParent(kindRoutes, "route", route))
}

func (s *Server) CreatePluginWithRoute(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, route client.RouteId) {
	s.writeEntity(w, r, cp.String(), kindPlugins, pluginParent(kindRoutes, "route", route), "")
}

func (s *Server) GetPluginWithRoute(w http.ResponseWriter, _ *http.Request, cp client.ControlPlaneId, route client.RouteId, id client.PluginId, _ client.GetPluginWithRouteParams) {
	s.getEntity(w, cp.String(), kindPlugins, pluginParent(kindRoutes, "route", route), id)
}

func (s *Server) UpsertPluginWithRoute(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, route client.RouteId, id client.PluginId) {
	s.writeEntity(w, r, cp.String(), kindPlugins, pluginParent(kindRoutes, "route", route), id)
}

func (s *Server) DeletePluginWithRoute(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, route client.RouteId, id client.PluginId) {
	s.deleteEntity(w, r, cp.String(), kindPlugins, pluginParent(kindRoutes, "route", route), id)
}

func (s *Server) ListPluginWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, c client.ConsumerIdForNestedEntities, _ client.ListPluginWithConsumerParams) {
	s.listEntities(w, r, cp.String(), kindPlugins, pluginParent(kindConsumers, "consumer", c))
}

func (s *Server) CreatePluginWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, c client.ConsumerIdForNestedEntities) {
	s.writeEntity(w, r, cp.String(), kindPlugins, pluginParent(kindConsumers, "consumer", c), "")
}

func (s *Server) GetPluginWithConsumer(w http.ResponseWriter, _ *http.Request, cp client.ControlPlaneId, c client.ConsumerIdForNestedEntities, id client.PluginId, _ client.GetPluginWithConsumerParams) {
	s.getEntity(w, cp.String(), kindPlugins, pluginParent(kindConsumers, "consumer", c), id)
}

func (s *Server) UpsertPluginWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, c client.ConsumerIdForNestedEntities, id client.PluginId) {
	s.writeEntity(w, r, cp.String(), kindPlugins, pluginParent(kindConsumers, "consumer", c), id)
}

func (s *Server) DeletePluginWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, c client.ConsumerIdForNestedEntities, id client.PluginId) {
	s.deleteEntity(w, r, cp.String(), kindPlugins, pluginParent(kindConsumers, "consumer", c), id)
}

func (s *Server) ListPluginWithConsumerGroup(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, g client.ConsumerGroupId, _ client.ListPluginWithConsumerGroupParams) {
	s.listEntities(w, r, cp.String(), kindPlugins, pluginParent(kindConsumerGroups, "consumer_group", g))
}

func (s *Server) CreatePluginWithConsumerGroup(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, g client.ConsumerGroupId) {
	s.writeEntity(w, r, cp.String(), kindPlugins, pluginParent(kindConsumerGroups, "consumer_group", g), "")
}

func (s *Server) GetPluginWithConsumerGroup(w http.ResponseWriter, _ *http.Request, cp client.ControlPlaneId, g client.ConsumerGroupId, id client.PluginId, _ client.GetPluginWithConsumerGroupParams) {
	s.getEntity(w, cp.String(), kindPlugins, pluginParent(kindConsumerGroups, "consumer_group", g), id)
}

func (s *Server) UpsertPluginWithConsumerGroup(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, g client.ConsumerGroupId, id client.PluginId) {
	s.writeEntity(w, r, cp.String(), kindPlugins, pluginParent(kindConsumerGroups, "consumer_group", g), id)
}

func (s *Server) DeletePluginWithConsumerGroup(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, g client.ConsumerGroupId, id client.PluginId) {
	s.deleteEntity(w, r, cp.String(), kindPlugins, pluginParent(kindConsumerGroups, "consumer_group", g), id)
}
