package emulator

// basic-auth credentials of consumers.

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

func (s *Server) ListBasicAuthWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, _ client.ListBasicAuthWithConsumerParams) {
	s.listEntities(w, r, cp.String(), kindBasicAuth, &parentRef{kind: kindConsumers, field: "consumer", id: consumerIdForNestedEntities})
}

func (s *Server) CreateBasicAuthWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities) {
	s.writeEntity(w, r, cp.String(), kindBasicAuth, &parentRef{kind: kindConsumers, field: "consumer", id: consumerIdForNestedEntities}, "")
}

func (s *Server) GetBasicAuthWithConsumer(w http.ResponseWriter, _ *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, id client.BasicAuthId) {
	s.getEntity(w, cp.String(), kindBasicAuth, &parentRef{kind: kindConsumers, field: "consumer", id: consumerIdForNestedEntities}, id)
}

func (s *Server) UpsertBasicAuthWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, id client.BasicAuthId) {
	s.writeEntity(w, r, cp.String(), kindBasicAuth, &parentRef{kind: kindConsumers, field: "consumer", id: consumerIdForNestedEntities}, id)
}

func (s *Server) DeleteBasicAuthWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, id client.BasicAuthId) {
	s.deleteEntity(w, r, cp.String(), kindBasicAuth, &parentRef{kind: kindConsumers, field: "consumer", id: consumerIdForNestedEntities}, id)
}

func (s *Server) ListBasicAuth(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, _ client.ListBasicAuthParams) {
	s.listEntities(w, r, cp.String(), kindBasicAuth, nil)
}

func (s *Server) GetBasicAuth(w http.ResponseWriter, _ *http.Request, cp client.ControlPlaneId, id client.BasicAuthId) {
	s.getEntity(w, cp.String(), kindBasicAuth, nil, id)
}
