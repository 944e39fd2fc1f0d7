package emulator

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"

	meshapi "github.com/openkonnect/terraform-provider-konnect/internal/emulator/mesh/api"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/mesh/sidecar"
)

// meshSidecars runs the sidecar of each dataplane registered through the Mesh API: every change
// to a mesh hands the mesh's resources, as the API stores them, to the sidecar manager, which
// starts, stops or re-checks its listeners.
type meshSidecars struct {
	api     *meshapi.Server
	manager *sidecar.Manager
	logger  *slog.Logger
	// mu keeps applies in the order of the changes: two writes to one mesh from two requests
	// must not leave the older resources applied.
	mu sync.Mutex
}

func startMeshSidecars(api *meshapi.Server, logger *slog.Logger) *meshSidecars {
	s := &meshSidecars{api: api, manager: sidecar.NewManager(logger), logger: logger}
	api.SetOnChange(s.sync)
	return s
}

// sync applies a mesh's current resources (or removes its sidecars when it is gone).
func (s *meshSidecars) sync(cpID, mesh string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.api.Resources(cpID, mesh)
	if !ok {
		s.manager.Remove(cpID, mesh)
		return
	}
	err := s.manager.Apply(cpID, mesh, sidecar.Resources{
		Dataplanes:         r.Dataplanes,
		MeshOPAs:           r.MeshOPAs,
		TrafficPermissions: r.MeshTrafficPermissions,
		Secrets:            r.Secrets,
	})
	if err != nil {
		// The rest of the mesh is applied; what could not be is reported per listener too.
		s.logger.Warn("mesh sidecars: part of a mesh could not be applied", "control_plane", cpID, "mesh", mesh, "error", err)
	}
}

// serveDataplane reports a dataplane's sidecar listeners: where each inbound listens, where it
// forwards, the policies that select it and what they leave unenforced.
func (s *meshSidecars) serveDataplane(w http.ResponseWriter, r *http.Request) {
	cpID, mesh, name := r.PathValue("cpId"), r.PathValue("mesh"), r.PathValue("name")
	res, ok := s.api.Resources(cpID, mesh)
	if !ok || !hasDataplane(res.Dataplanes, name) {
		writeJSON(w, http.StatusNotFound, map[string]any{"status": http.StatusNotFound, "title": "Not Found",
			"detail": "no dataplane " + name + " in mesh " + mesh + " of control plane " + cpID})
		return
	}
	listeners := s.manager.Listeners(cpID, mesh, name)
	if listeners == nil {
		listeners = []sidecar.Listener{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"control_plane_id": cpID, "mesh": mesh, "name": name, "listeners": listeners})
}

func hasDataplane(dataplanes []json.RawMessage, name string) bool {
	for _, raw := range dataplanes {
		var dp struct {
			Name string `json:"name"`
		}
		if json.Unmarshal(raw, &dp) == nil && dp.Name == name {
			return true
		}
	}
	return false
}

func (s *meshSidecars) close() { _ = s.manager.Close() }
