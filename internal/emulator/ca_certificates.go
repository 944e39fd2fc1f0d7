package emulator

// CA certificates: trusted roots.

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

func (s *Server) ListCaCertificate(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, _ client.ListCaCertificateParams) {
	s.listEntities(w, r, cp.String(), kindCACertificates, nil)
}

func (s *Server) CreateCaCertificate(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId) {
	s.writeEntity(w, r, cp.String(), kindCACertificates, nil, "")
}

func (s *Server) GetCaCertificate(w http.ResponseWriter, _ *http.Request, cp client.ControlPlaneId, id client.CACertificateId) {
	s.getEntity(w, cp.String(), kindCACertificates, nil, id)
}

func (s *Server) UpsertCaCertificate(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.CACertificateId) {
	s.writeEntity(w, r, cp.String(), kindCACertificates, nil, id)
}

func (s *Server) DeleteCaCertificate(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.CACertificateId) {
	s.deleteEntity(w, r, cp.String(), kindCACertificates, nil, id)
}
