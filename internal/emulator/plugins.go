package emulator

// Plugins: global, or scoped to a service, route, consumer or consumer group. Each plugin's
// config is checked against its schema in internal/pluginschema and completed with defaults.

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/pluginschema"
)

// normalizePlugin checks the plugin's name, scope and config, and fills in the config's and
// protocols' defaults the way Konnect returns them.
func normalizePlugin(_ *writeCtx, e entity) *apiError {
	name, _ := e["name"].(string)
	p, ok := pluginschema.Lookup(name)
	if !ok {
		return fieldError("name", "plugin '"+name+"' not enabled; add it to the 'plugins' configuration property")
	}
	var details []client.CoreEntityErrorDetail
	for _, scope := range []struct {
		field     string
		forbidden bool
	}{{"consumer", p.NoConsumer}, {"consumer_group", p.NoConsumerGroup}, {"route", p.NoRoute}, {"service", p.NoService}} {
		if scope.forbidden && refID(e[scope.field]) != "" {
			details = append(details, detail(detailField, scope.field, "value must be null"))
		}
	}
	var config map[string]any
	switch c := e["config"].(type) {
	case nil:
	case map[string]any:
		config = c
	default:
		details = append(details, detail(detailField, "config", "expected a record"))
	}
	if len(details) == 0 {
		normalized, errs := p.Normalize(config)
		for _, fe := range errs {
			if fe.IsEntity() {
				details = append(details, detail(detailEntity, "", fe.Message))
			} else {
				details = append(details, detail(detailField, fe.Field, fe.Message))
			}
		}
		e["config"] = normalized
	}
	if protocols, ok := e["protocols"].([]any); ok {
		for i, v := range protocols {
			if s, _ := v.(string); !contains(p.Protocols, s) {
				details = append(details, detail(detailField, "protocols["+strconv.Itoa(i)+"]", "expected one of: "+strings.Join(p.Protocols, ", ")))
			}
		}
	} else {
		list := make([]any, len(p.DefaultProtocols))
		for i, v := range p.DefaultProtocols {
			list[i] = v
		}
		e["protocols"] = list
	}
	if _, ok := e["enabled"]; !ok {
		e["enabled"] = true
	}
	if len(details) > 0 {
		sort.SliceStable(details, func(i, j int) bool { return deref(details[i].Field) < deref(details[j].Field) })
		return validationError(details...)
	}
	return nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
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
