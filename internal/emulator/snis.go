package emulator

// SNIs: host names mapped to certificates.

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
)

func (s *Server) ListSni(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, _ client.ListSniParams) {
	s.listEntities(w, r, cp.String(), domain.SNIs, nil)
}

func (s *Server) CreateSni(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId) {
	s.writeEntity(w, r, cp.String(), domain.SNIs, nil, "")
}

func (s *Server) GetSni(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.SNIId) {
	s.getEntity(w, r, cp.String(), domain.SNIs, nil, id)
}

func (s *Server) UpsertSni(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.SNIId) {
	s.writeEntity(w, r, cp.String(), domain.SNIs, nil, id)
}

func (s *Server) DeleteSni(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.SNIId) {
	s.deleteEntity(w, r, cp.String(), domain.SNIs, nil, id)
}

func (s *Server) ListSniWithCertificate(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, certificateId client.CertificateId, _ client.ListSniWithCertificateParams) {
	s.listEntities(w, r, cp.String(), domain.SNIs, &domain.Parent{Kind: domain.Certificates, Field: "certificate", ID: certificateId})
}

func (s *Server) CreateSniWithCertificate(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, certificateId client.CertificateId) {
	s.writeEntity(w, r, cp.String(), domain.SNIs, &domain.Parent{Kind: domain.Certificates, Field: "certificate", ID: certificateId}, "")
}

func (s *Server) GetSniWithCertificate(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, certificateId client.CertificateId, id client.SNIId) {
	s.getEntity(w, r, cp.String(), domain.SNIs, &domain.Parent{Kind: domain.Certificates, Field: "certificate", ID: certificateId}, id)
}

func (s *Server) UpsertSniWithCertificate(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, certificateId client.CertificateId, id client.SNIId) {
	s.writeEntity(w, r, cp.String(), domain.SNIs, &domain.Parent{Kind: domain.Certificates, Field: "certificate", ID: certificateId}, id)
}

func (s *Server) DeleteSniWithCertificate(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, certificateId client.CertificateId, id client.SNIId) {
	s.deleteEntity(w, r, cp.String(), domain.SNIs, &domain.Parent{Kind: domain.Certificates, Field: "certificate", ID: certificateId}, id)
}
