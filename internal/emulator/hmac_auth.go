package emulator

// hmac-auth credentials of consumers.

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
)

func (s *Server) ListHmacAuthWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, _ client.ListHmacAuthWithConsumerParams) {
	s.listEntities(w, r, cp.String(), domain.HMACAuth, &domain.Parent{Kind: domain.Consumers, Field: "consumer", ID: consumerIdForNestedEntities})
}

func (s *Server) CreateHmacAuthWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities) {
	s.writeEntity(w, r, cp.String(), domain.HMACAuth, &domain.Parent{Kind: domain.Consumers, Field: "consumer", ID: consumerIdForNestedEntities}, "")
}

func (s *Server) GetHmacAuthWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, id client.HMACAuthId) {
	s.getEntity(w, r, cp.String(), domain.HMACAuth, &domain.Parent{Kind: domain.Consumers, Field: "consumer", ID: consumerIdForNestedEntities}, id)
}

func (s *Server) UpsertHmacAuthWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, id client.HMACAuthId) {
	s.writeEntity(w, r, cp.String(), domain.HMACAuth, &domain.Parent{Kind: domain.Consumers, Field: "consumer", ID: consumerIdForNestedEntities}, id)
}

func (s *Server) DeleteHmacAuthWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, id client.HMACAuthId) {
	s.deleteEntity(w, r, cp.String(), domain.HMACAuth, &domain.Parent{Kind: domain.Consumers, Field: "consumer", ID: consumerIdForNestedEntities}, id)
}

func (s *Server) ListHmacAuth(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, _ client.ListHmacAuthParams) {
	s.listEntities(w, r, cp.String(), domain.HMACAuth, nil)
}

func (s *Server) GetHmacAuth(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.HMACAuthId) {
	s.getEntity(w, r, cp.String(), domain.HMACAuth, nil, id)
}
