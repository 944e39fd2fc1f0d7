package emulator

// key-auth credentials of consumers.

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

func (s *Server) ListKeyAuthWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, _ client.ListKeyAuthWithConsumerParams) {
	s.listEntities(w, r, cp.String(), kindKeyAuth, &parentRef{kind: kindConsumers, field: "consumer", id: consumerIdForNestedEntities})
}

func (s *Server) CreateKeyAuthWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities) {
	s.writeEntity(w, r, cp.String(), kindKeyAuth, &parentRef{kind: kindConsumers, field: "consumer", id: consumerIdForNestedEntities}, "")
}

func (s *Server) GetKeyAuthWithConsumer(w http.ResponseWriter, _ *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, id client.KeyAuthId) {
	s.getEntity(w, cp.String(), kindKeyAuth, &parentRef{kind: kindConsumers, field: "consumer", id: consumerIdForNestedEntities}, id)
}

func (s *Server) UpsertKeyAuthWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, id client.KeyAuthId) {
	s.writeEntity(w, r, cp.String(), kindKeyAuth, &parentRef{kind: kindConsumers, field: "consumer", id: consumerIdForNestedEntities}, id)
}

func (s *Server) DeleteKeyAuthWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, id client.KeyAuthId) {
	s.deleteEntity(w, r, cp.String(), kindKeyAuth, &parentRef{kind: kindConsumers, field: "consumer", id: consumerIdForNestedEntities}, id)
}

func (s *Server) ListKeyAuth(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, _ client.ListKeyAuthParams) {
	s.listEntities(w, r, cp.String(), kindKeyAuth, nil)
}

func (s *Server) GetKeyAuth(w http.ResponseWriter, _ *http.Request, cp client.ControlPlaneId, id client.KeyAuthId) {
	s.getEntity(w, cp.String(), kindKeyAuth, nil, id)
}
