package emulator

// Certificates: TLS certificate and key pairs.

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
)

func (s *Server) ListCertificate(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, _ client.ListCertificateParams) {
	s.listEntities(w, r, cp.String(), domain.Certificates, nil)
}

func (s *Server) CreateCertificate(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId) {
	s.writeEntity(w, r, cp.String(), domain.Certificates, nil, "")
}

func (s *Server) GetCertificate(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.CertificateId) {
	s.getEntity(w, r, cp.String(), domain.Certificates, nil, id)
}

func (s *Server) UpsertCertificate(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.CertificateId) {
	s.writeEntity(w, r, cp.String(), domain.Certificates, nil, id)
}

func (s *Server) DeleteCertificate(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.CertificateId) {
	s.deleteEntity(w, r, cp.String(), domain.Certificates, nil, id)
}
