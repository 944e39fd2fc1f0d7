package emulator

// Targets: the addresses an upstream balances over.

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
)

func (s *Server) ListTargetWithUpstream(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, upstreamIdForTarget client.UpstreamIdForTarget, _ client.ListTargetWithUpstreamParams) {
	s.listEntities(w, r, cp.String(), domain.Targets, &domain.Parent{Kind: domain.Upstreams, Field: "upstream", ID: upstreamIdForTarget})
}

func (s *Server) CreateTargetWithUpstream(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, upstreamIdForTarget client.UpstreamIdForTarget) {
	s.writeEntity(w, r, cp.String(), domain.Targets, &domain.Parent{Kind: domain.Upstreams, Field: "upstream", ID: upstreamIdForTarget}, "")
}

func (s *Server) GetTargetWithUpstream(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, upstreamIdForTarget client.UpstreamIdForTarget, id client.TargetId) {
	s.getEntity(w, r, cp.String(), domain.Targets, &domain.Parent{Kind: domain.Upstreams, Field: "upstream", ID: upstreamIdForTarget}, id)
}

func (s *Server) UpsertTargetWithUpstream(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, upstreamIdForTarget client.UpstreamIdForTarget, id client.TargetId) {
	s.writeEntity(w, r, cp.String(), domain.Targets, &domain.Parent{Kind: domain.Upstreams, Field: "upstream", ID: upstreamIdForTarget}, id)
}

func (s *Server) DeleteTargetWithUpstream(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, upstreamIdForTarget client.UpstreamIdForTarget, id client.TargetId) {
	s.deleteEntity(w, r, cp.String(), domain.Targets, &domain.Parent{Kind: domain.Upstreams, Field: "upstream", ID: upstreamIdForTarget}, id)
}

// ListTargets lists the targets of every upstream.
func (s *Server) ListTargets(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, _ client.ListTargetsParams) {
	s.listEntities(w, r, cp.String(), domain.Targets, nil)
}
