package api

import (
	"encoding/json"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/mesh"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// How the mesh API keeps its data in the store. Mesh control planes live outside any control
// plane (cp ""), with a unique name. Everything of a mesh control plane lives under its id:
// meshes by name, the other kinds by "<mesh>/<name>" (so a mesh's resources list in name
// order) with a ref to their mesh, which is how deleting a mesh finds what goes with it.
const (
	controlPlaneKind      = "mesh.control-planes"
	controlPlaneNameIndex = "name"
	meshRefField          = "mesh"
)

func resourceID(kind *mesh.Kind, meshName, name string) string {
	if !kind.MeshScoped {
		return name
	}
	return meshName + "/" + name
}

func resourceRecord(kind *mesh.Kind, meshName, name string, body []byte) *store.Record {
	rec := &store.Record{ID: resourceID(kind, meshName, name), Body: body}
	if kind.MeshScoped {
		rec.Refs = []store.Ref{{Field: meshRefField, Kind: mesh.Meshes.StoreKind(), ID: meshName}}
	}
	return rec
}

func (h *Server) controlPlaneExists(cp string) bool {
	found := false
	_ = h.store.Read(func(tx store.Reader) error {
		_, found = tx.Get("", controlPlaneKind, cp)
		return nil
	})
	return found
}

func (h *Server) meshExists(cp, name string) bool {
	found := false
	_ = h.store.Read(func(tx store.Reader) error {
		_, found = tx.Get(cp, mesh.Meshes.StoreKind(), name)
		return nil
	})
	return found
}

// listKind returns the bodies of every resource of a kind in a mesh (every mesh, for Mesh),
// in name order.
func listKind(tx store.Reader, cp string, kind *mesh.Kind, meshName string) []json.RawMessage {
	q := store.Query{}
	if kind.MeshScoped {
		q.RefField, q.RefID = meshRefField, meshName
	}
	records, _ := tx.List(cp, kind.StoreKind(), q)
	out := make([]json.RawMessage, 0, len(records))
	for _, rec := range records {
		out = append(out, json.RawMessage(rec.Body))
	}
	return out
}
