package emulator

// basic-auth credentials of consumers.

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
)

func (s *Server) ListBasicAuthWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, _ client.ListBasicAuthWithConsumerParams) {
	s.listEntities(w, r, cp.String(), domain.BasicAuth, &domain.Parent{Kind: domain.Consumers, Field: "consumer", ID: consumerIdForNestedEntities})
}

func (s *Server) CreateBasicAuthWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities) {
	s.writeEntity(w, r, cp.String(), domain.BasicAuth, &domain.Parent{Kind: domain.Consumers, Field: "consumer", ID: consumerIdForNestedEntities}, "")
}

func (s *Server) GetBasicAuthWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, id client.BasicAuthId) {
	s.getEntity(w, r, cp.String(), domain.BasicAuth, &domain.Parent{Kind: domain.Consumers, Field: "consumer", ID: consumerIdForNestedEntities}, id)
}

func (s *Server) UpsertBasicAuthWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, id client.BasicAuthId) {
	s.writeEntity(w, r, cp.String(), domain.BasicAuth, &domain.Parent{Kind: domain.Consumers, Field: "consumer", ID: consumerIdForNestedEntities}, id)
}

func (s *Server) DeleteBasicAuthWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, id client.BasicAuthId) {
	s.deleteEntity(w, r, cp.String(), domain.BasicAuth, &domain.Parent{Kind: domain.Consumers, Field: "consumer", ID: consumerIdForNestedEntities}, id)
}

func (s *Server) ListBasicAuth(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, _ client.ListBasicAuthParams) {
	s.listEntities(w, r, cp.String(), domain.BasicAuth, nil)
}

func (s *Server) GetBasicAuth(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.BasicAuthId) {
	s.getEntity(w, r, cp.String(), domain.BasicAuth, nil, id)
}
