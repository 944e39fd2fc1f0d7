package emulator

import (
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/dataplane"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/identity"
)

// entitySupport answers GET /_emulator/entities: the kinds of core entity the data plane
// stores without using them, the fields of the others it accepts but does not enforce, and
// what the identity API stores without enforcing it.
func (e *Emulator) entitySupport(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"data": dataplane.Entities(), "identity": identity.NotEnforced()})
}
