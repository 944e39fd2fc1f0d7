package emulator

// Consumers: the clients of the gateway.

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

func (s *Server) ListConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, _ client.ListConsumerParams) {
	s.listEntities(w, r, cp.String(), kindConsumers, nil)
}

func (s *Server) CreateConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId) {
	s.writeEntity(w, r, cp.String(), kindConsumers, nil, "")
}

func (s *Server) GetConsumer(w http.ResponseWriter, _ *http.Request, cp client.ControlPlaneId, id client.ConsumerId) {
	s.getEntity(w, cp.String(), kindConsumers, nil, id)
}

func (s *Server) UpsertConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.ConsumerId) {
	s.writeEntity(w, r, cp.String(), kindConsumers, nil, id)
}

func (s *Server) DeleteConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.ConsumerId) {
	s.deleteEntity(w, r, cp.String(), kindConsumers, nil, id)
}
