package identity

// Note is one thing the identity API accepts but the emulator does not act on (in full).
type Note struct {
	Subject string `json:"subject"`
	Why     string `json:"why"`
}

// NotEnforced lists what the identity API stores without enforcing it, for
// GET /_emulator/entities and the coverage guide.
func NotEnforced() []Note {
	return []Note{
		{"role assignments on entity types other than Control Planes, Mesh Control Planes and Identity", "stored only: the emulator serves no API Products, Portals, Audit Logs, Dashboards, Reports, Networks or other such entities"},
		{"role assignments with an entity_region other than " + Region + " or *", "stored, and grant nothing: the emulator plays the " + Region + " region"},
		{"role assignments to users", "stored only: the organization owner is the one user, and its start-up tokens may do everything"},
		{"Debug Session Creator and Connector roles", "grant read access only: the emulator has no debug sessions and no mesh zones"},
		{"team labels, system account konnect_managed", "stored and returned, used by no permission"},
		{"mesh control plane lists for a principal with partial access", "entities it does not see are left out of the page, but meta.page.total counts them"},
		{"access token last_used_at", "updated at most once a minute per token"},
	}
}
