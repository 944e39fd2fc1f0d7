package adminapi

import (
	"net/http"
	"sort"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
	"github.com/openkonnect/terraform-provider-konnect/internal/pluginschema"
)

// Version is the Kong Gateway version the Admin API presents itself as.
const Version = "3.15.0.0"

// info answers GET /: the node, its version and edition, the plugins it has and the ones in
// use, and the configuration that matters to a client (listeners, RBAC).
func (s *Server) info(w http.ResponseWriter, _ *http.Request) {
	cp := s.cp()
	available := map[string]any{}
	for _, name := range pluginschema.Names() {
		p, _ := pluginschema.Lookup(name)
		available[name] = map[string]any{"priority": p.Priority, "version": Version}
	}
	enabled := map[string]bool{}
	_ = s.opts.Store.Read(func(tx store.Reader) error {
		plugins, _ := tx.List(cp, domain.Plugins.Name, store.Query{})
		for _, rec := range plugins {
			if name, ok := domain.Decode(rec.Body)["name"].(string); ok {
				enabled[name] = true
			}
		}
		return nil
	})
	inCluster := make([]string, 0, len(enabled))
	for name := range enabled {
		inCluster = append(inCluster, name)
	}
	sort.Strings(inCluster)
	writeJSON(w, http.StatusOK, map[string]any{
		"version":     Version,
		"edition":     "enterprise",
		"tagline":     "Welcome to kong",
		"hostname":    s.opts.Hostname,
		"node_id":     s.opts.NodeID,
		"lua_version": "LuaJIT 2.1.0-20231117",
		"plugins": map[string]any{
			"available_on_server": available,
			"disabled_on_server":  map[string]any{},
			"enabled_in_cluster":  inCluster,
		},
		"configuration": map[string]any{
			"database":         "postgres",
			"role":             "traditional",
			"enforce_rbac":     s.rbac.mode,
			"rbac_auth_header": s.rbac.header,
			"proxy_listeners":  []any{},
			"admin_listen":     []any{},
		},
		"timers": map[string]any{"running": 0, "pending": 0},
		"pids":   map[string]any{"master": 1, "workers": []any{}},
	})
}

// status answers GET /status: the database is the emulator's store, always reachable; the
// server counts are the Admin API's own.
func (s *Server) status(w http.ResponseWriter, _ *http.Request) {
	cp := s.cp()
	served := s.served.Load()
	hash := "00000000000000000000000000000000"
	_ = s.opts.Store.Read(func(tx store.Reader) error {
		hash = configHash(tx.Version(cp))
		return nil
	})
	writeJSON(w, http.StatusOK, map[string]any{
		"database": map[string]any{"reachable": true},
		"server": map[string]any{
			"connections_accepted": served, "connections_handled": served, "total_requests": served,
			"connections_active": 1, "connections_reading": 0, "connections_writing": 1, "connections_waiting": 0,
		},
		"memory": map[string]any{
			"lua_shared_dicts": map[string]any{},
			"workers_lua_vms":  []any{},
		},
		"configuration_hash": hash,
	})
}

// configHash is a 32-hex-digit value that changes with every write to the control plane.
func configHash(version uint64) string {
	const hex = "0123456789abcdef"
	out := []byte("00000000000000000000000000000000")
	for i := len(out) - 1; i >= 0 && version > 0; i-- {
		out[i] = hex[version%16]
		version /= 16
	}
	return string(out)
}
