package emulator

// key-auth credentials of consumers.

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
)

func (s *Server) ListKeyAuthWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, _ client.ListKeyAuthWithConsumerParams) {
	s.listEntities(w, r, cp.String(), domain.KeyAuth, &domain.Parent{Kind: domain.Consumers, Field: "consumer", ID: consumerIdForNestedEntities})
}

func (s *Server) CreateKeyAuthWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities) {
	s.writeEntity(w, r, cp.String(), domain.KeyAuth, &domain.Parent{Kind: domain.Consumers, Field: "consumer", ID: consumerIdForNestedEntities}, "")
}

func (s *Server) GetKeyAuthWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, id client.KeyAuthId) {
	s.getEntity(w, r, cp.String(), domain.KeyAuth, &domain.Parent{Kind: domain.Consumers, Field: "consumer", ID: consumerIdForNestedEntities}, id)
}

func (s *Server) UpsertKeyAuthWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, id client.KeyAuthId) {
	s.writeEntity(w, r, cp.String(), domain.KeyAuth, &domain.Parent{Kind: domain.Consumers, Field: "consumer", ID: consumerIdForNestedEntities}, id)
}

func (s *Server) DeleteKeyAuthWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, id client.KeyAuthId) {
	s.deleteEntity(w, r, cp.String(), domain.KeyAuth, &domain.Parent{Kind: domain.Consumers, Field: "consumer", ID: consumerIdForNestedEntities}, id)
}

func (s *Server) ListKeyAuth(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, _ client.ListKeyAuthParams) {
	s.listEntities(w, r, cp.String(), domain.KeyAuth, nil)
}

func (s *Server) GetKeyAuth(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.KeyAuthId) {
	s.getEntity(w, r, cp.String(), domain.KeyAuth, nil, id)
}
