package emulator

// CA certificates: trusted roots.

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
)

func (s *Server) ListCaCertificate(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, _ client.ListCaCertificateParams) {
	s.listEntities(w, r, cp.String(), domain.CACertificates, nil)
}

func (s *Server) CreateCaCertificate(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId) {
	s.writeEntity(w, r, cp.String(), domain.CACertificates, nil, "")
}

func (s *Server) GetCaCertificate(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.CACertificateId) {
	s.getEntity(w, r, cp.String(), domain.CACertificates, nil, id)
}

func (s *Server) UpsertCaCertificate(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.CACertificateId) {
	s.writeEntity(w, r, cp.String(), domain.CACertificates, nil, id)
}

func (s *Server) DeleteCaCertificate(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.CACertificateId) {
	s.deleteEntity(w, r, cp.String(), domain.CACertificates, nil, id)
}
