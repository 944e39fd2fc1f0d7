package emulator

// jwt credentials of consumers.

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

func (s *Server) ListJwtWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, _ client.ListJwtWithConsumerParams) {
	s.listEntities(w, r, cp.String(), kindJWT, &parentRef{kind: kindConsumers, field: "consumer", id: consumerIdForNestedEntities})
}

func (s *Server) CreateJwtWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities) {
	s.writeEntity(w, r, cp.String(), kindJWT, &parentRef{kind: kindConsumers, field: "consumer", id: consumerIdForNestedEntities}, "")
}

func (s *Server) GetJwtWithConsumer(w http.ResponseWriter, _ *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, id client.JWTId) {
	s.getEntity(w, cp.String(), kindJWT, &parentRef{kind: kindConsumers, field: "consumer", id: consumerIdForNestedEntities}, id)
}

func (s *Server) UpsertJwtWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, id client.JWTId) {
	s.writeEntity(w, r, cp.String(), kindJWT, &parentRef{kind: kindConsumers, field: "consumer", id: consumerIdForNestedEntities}, id)
}

func (s *Server) DeleteJwtWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, id client.JWTId) {
	s.deleteEntity(w, r, cp.String(), kindJWT, &parentRef{kind: kindConsumers, field: "consumer", id: consumerIdForNestedEntities}, id)
}

func (s *Server) ListJwt(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, _ client.ListJwtParams) {
	s.listEntities(w, r, cp.String(), kindJWT, nil)
}

func (s *Server) GetJwt(w http.ResponseWriter, _ *http.Request, cp client.ControlPlaneId, id client.JWTId) {
	s.getEntity(w, cp.String(), kindJWT, nil, id)
}
