package emulator

// jwt credentials of consumers.

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
)

func (s *Server) ListJwtWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, _ client.ListJwtWithConsumerParams) {
	s.listEntities(w, r, cp.String(), domain.JWT, &domain.Parent{Kind: domain.Consumers, Field: "consumer", ID: consumerIdForNestedEntities})
}

func (s *Server) CreateJwtWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities) {
	s.writeEntity(w, r, cp.String(), domain.JWT, &domain.Parent{Kind: domain.Consumers, Field: "consumer", ID: consumerIdForNestedEntities}, "")
}

func (s *Server) GetJwtWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, id client.JWTId) {
	s.getEntity(w, r, cp.String(), domain.JWT, &domain.Parent{Kind: domain.Consumers, Field: "consumer", ID: consumerIdForNestedEntities}, id)
}

func (s *Server) UpsertJwtWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, id client.JWTId) {
	s.writeEntity(w, r, cp.String(), domain.JWT, &domain.Parent{Kind: domain.Consumers, Field: "consumer", ID: consumerIdForNestedEntities}, id)
}

func (s *Server) DeleteJwtWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, id client.JWTId) {
	s.deleteEntity(w, r, cp.String(), domain.JWT, &domain.Parent{Kind: domain.Consumers, Field: "consumer", ID: consumerIdForNestedEntities}, id)
}

func (s *Server) ListJwt(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, _ client.ListJwtParams) {
	s.listEntities(w, r, cp.String(), domain.JWT, nil)
}

func (s *Server) GetJwt(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.JWTId) {
	s.getEntity(w, r, cp.String(), domain.JWT, nil, id)
}
