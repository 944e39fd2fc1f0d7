package emulator

// ACL group memberships of consumers.

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
)

func (s *Server) ListAclWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, _ client.ListAclWithConsumerParams) {
	s.listEntities(w, r, cp.String(), domain.ACLs, &domain.Parent{Kind: domain.Consumers, Field: "consumer", ID: consumerIdForNestedEntities})
}

func (s *Server) CreateAclWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities) {
	s.writeEntity(w, r, cp.String(), domain.ACLs, &domain.Parent{Kind: domain.Consumers, Field: "consumer", ID: consumerIdForNestedEntities}, "")
}

func (s *Server) GetAclWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, id client.ACLId) {
	s.getEntity(w, r, cp.String(), domain.ACLs, &domain.Parent{Kind: domain.Consumers, Field: "consumer", ID: consumerIdForNestedEntities}, id)
}

func (s *Server) UpsertAclWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, id client.ACLId) {
	s.writeEntity(w, r, cp.String(), domain.ACLs, &domain.Parent{Kind: domain.Consumers, Field: "consumer", ID: consumerIdForNestedEntities}, id)
}

func (s *Server) DeleteAclWithConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumerIdForNestedEntities client.ConsumerIdForNestedEntities, id client.ACLId) {
	s.deleteEntity(w, r, cp.String(), domain.ACLs, &domain.Parent{Kind: domain.Consumers, Field: "consumer", ID: consumerIdForNestedEntities}, id)
}

func (s *Server) ListAcl(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, _ client.ListAclParams) {
	s.listEntities(w, r, cp.String(), domain.ACLs, nil)
}

func (s *Server) GetAcl(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.ACLId) {
	s.getEntity(w, r, cp.String(), domain.ACLs, nil, id)
}
