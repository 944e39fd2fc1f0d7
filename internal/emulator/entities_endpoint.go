package emulator

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/dataplane"
)

// entitySupport answers GET /_emulator/entities: the kinds of core entity the data plane
// stores without using them, and the fields of the others it accepts but does not enforce.
func (e *Emulator) entitySupport(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"data": dataplane.Entities()})
}
