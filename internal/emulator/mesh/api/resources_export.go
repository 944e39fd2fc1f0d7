package api

import (
	"encoding/json"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/mesh"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// MeshResources is everything in one mesh, each resource as the API returns it, in name order.
type MeshResources struct {
	Dataplanes             []json.RawMessage
	MeshOPAs               []json.RawMessage
	MeshTrafficPermissions []json.RawMessage
	Secrets                []json.RawMessage
}

// MeshRef names a mesh of a control plane.
type MeshRef struct {
	CP   string
	Mesh string
}

// Resources returns, from one consistent view of the store, every resource of a mesh; false
// when the control plane or the mesh does not exist.
func (h *Server) Resources(cpID, meshName string) (MeshResources, bool) {
	var out MeshResources
	found := false
	_ = h.store.Read(func(tx store.Reader) error {
		if _, found = tx.Get(cpID, mesh.Meshes.StoreKind(), meshName); !found {
			return nil
		}
		out = MeshResources{
			Dataplanes:             listKind(tx, cpID, mesh.Dataplanes, meshName),
			MeshOPAs:               listKind(tx, cpID, mesh.MeshOPAs, meshName),
			MeshTrafficPermissions: listKind(tx, cpID, mesh.MeshTrafficPermissions, meshName),
			Secrets:                listKind(tx, cpID, mesh.Secrets, meshName),
		}
		return nil
	})
	return out, found
}

// Meshes lists every mesh of every mesh control plane, for a reader starting up (changes after
// that arrive through SetOnChange).
func (h *Server) Meshes() []MeshRef {
	var out []MeshRef
	_ = h.store.Read(func(tx store.Reader) error {
		cps, _ := tx.List("", controlPlaneKind, store.Query{})
		for _, cp := range cps {
			meshes, _ := tx.List(cp.ID, mesh.Meshes.StoreKind(), store.Query{})
			for _, m := range meshes {
				out = append(out, MeshRef{CP: cp.ID, Mesh: m.ID})
			}
		}
		return nil
	})
	return out
}
