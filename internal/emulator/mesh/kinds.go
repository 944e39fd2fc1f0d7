// Package mesh is the emulator's model of Konnect Mesh (Kuma) resources: the kinds it serves,
// the rules Kuma checks when one is written, and which policies select a dataplane. The HTTP
// API over it is mesh/api; the data lives in the emulator's store.
package mesh

import "slices"

// Kind is one kind of Kuma resource the emulator serves.
type Kind struct {
	Plural     string // the collection's path segment, such as "meshopas"
	Type       string // the resource's type field, such as "MeshOPA"
	MeshScoped bool   // lives in a mesh (every kind but Mesh itself)
	// KRIShort is the kind's short name in kri identifiers ("mopa"); empty when Kuma gives
	// the kind no kri.
	KRIShort string
	// validate checks, on the decoded body, what the schema cannot express.
	validate func(body []byte) (Violations, error)
}

// The kinds the emulator serves.
var (
	Meshes                 = &Kind{Plural: "meshes", Type: "Mesh", validate: validateMesh}
	Dataplanes             = &Kind{Plural: "dataplanes", Type: "Dataplane", MeshScoped: true, KRIShort: "dp", validate: validateDataplane}
	Secrets                = &Kind{Plural: "secrets", Type: "Secret", MeshScoped: true, validate: validateSecret}
	MeshOPAs               = &Kind{Plural: "meshopas", Type: "MeshOPA", MeshScoped: true, KRIShort: "mopa", validate: validateMeshOPA}
	MeshTrafficPermissions = &Kind{Plural: "meshtrafficpermissions", Type: "MeshTrafficPermission", MeshScoped: true, KRIShort: "mtp", validate: validateMeshTrafficPermission}
)

// Kinds lists every kind, Mesh first.
var Kinds = []*Kind{Meshes, Dataplanes, Secrets, MeshOPAs, MeshTrafficPermissions}

// KindByPlural finds a kind by its collection path segment.
func KindByPlural(plural string) (*Kind, bool) {
	i := slices.IndexFunc(Kinds, func(k *Kind) bool { return k.Plural == plural })
	if i < 0 {
		return nil, false
	}
	return Kinds[i], true
}

// StoreKind is the kind's name in the emulator's store.
func (k *Kind) StoreKind() string { return "mesh." + k.Plural }

// KRI is the identifier Kuma gives a resource of this kind on a global control plane (no
// zone, no namespace); empty for kinds without one.
func (k *Kind) KRI(mesh, name string) string {
	if k.KRIShort == "" {
		return ""
	}
	return "kri_" + k.KRIShort + "_" + mesh + "___" + name + "_"
}

// Validate checks a request body (already valid against the API schema) as Kuma does when
// the resource is written: the resource's own rules, not its name or mesh (see ValidateMeta).
func (k *Kind) Validate(body []byte) (Violations, error) { return k.validate(body) }
