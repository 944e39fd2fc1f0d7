package emulator

// Consumers: the clients of the gateway.

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
)

func (s *Server) ListConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, _ client.ListConsumerParams) {
	s.listEntities(w, r, cp.String(), domain.Consumers, nil)
}

func (s *Server) CreateConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId) {
	s.writeEntity(w, r, cp.String(), domain.Consumers, nil, "")
}

func (s *Server) GetConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.ConsumerId) {
	s.getEntity(w, r, cp.String(), domain.Consumers, nil, id)
}

func (s *Server) UpsertConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.ConsumerId) {
	s.writeEntity(w, r, cp.String(), domain.Consumers, nil, id)
}

func (s *Server) DeleteConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.ConsumerId) {
	s.deleteEntity(w, r, cp.String(), domain.Consumers, nil, id)
}
