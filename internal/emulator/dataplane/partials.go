package dataplane

import (
	"encoding/json"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// resolvePartials puts each partial's config at its path in the config of the plugins that
// use it, before the plugins' configs are decoded: a plugin runs with its partials' settings
// (rate-limiting's Redis from a redis-ce partial). A change to a partial is a new version of
// the control plane, so the next request runs with it. A plugin whose partial is gone is left
// out.
func (s *Snapshot) resolvePartials(tx store.Reader) {
	s.filter("plugins", func(plugin Entity) string {
		if partials, _ := plugin["partials"].([]any); len(partials) == 0 {
			return ""
		}
		if err := domain.ExpandPartials(tx, s.CP, plugin); err != nil {
			return "its partials cannot be resolved: " + err.Error()
		}
		// The store keeps exact numbers (json.Number); the plugins decode plain JSON values.
		raw, err := json.Marshal(plugin["config"])
		if err != nil {
			return "its config with partials does not encode: " + err.Error()
		}
		var config map[string]any
		if err := json.Unmarshal(raw, &config); err != nil {
			return "its config with partials does not decode: " + err.Error()
		}
		plugin["config"] = config
		return ""
	})
}
