package emulator

// Vaults: secret stores referenced by other entities.

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
)

func (s *Server) ListVault(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, _ client.ListVaultParams) {
	s.listEntities(w, r, cp.String(), domain.Vaults, nil)
}

func (s *Server) CreateVault(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId) {
	s.writeEntity(w, r, cp.String(), domain.Vaults, nil, "")
}

func (s *Server) GetVault(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.VaultId) {
	s.getEntity(w, r, cp.String(), domain.Vaults, nil, id)
}

func (s *Server) UpsertVault(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.VaultId) {
	s.writeEntity(w, r, cp.String(), domain.Vaults, nil, id)
}

func (s *Server) DeleteVault(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.VaultId) {
	s.deleteEntity(w, r, cp.String(), domain.Vaults, nil, id)
}
