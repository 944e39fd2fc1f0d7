package emulator

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/dataplane"
)

// pluginSupport answers GET /_emulator/plugins: every plugin the API accepts, whether the
// data plane runs it, and the config fields it accepts but does not enforce.
func (e *Emulator) pluginSupport(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"data": dataplane.Plugins()})
}
