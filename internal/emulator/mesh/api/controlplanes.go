package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/mesh"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// Konnect's page sizes for control plane lists.
const (
	defaultCPPageSize = 10
	maxCPPageSize     = 100
)

// reservedLabelPrefixes are the label key prefixes Konnect keeps for itself.
var reservedLabelPrefixes = []string{"kong", "konnect", "mesh", "kic", "_"}

// errNameTaken reports, from inside a write, that another control plane has the name.
var errNameTaken = errors.New("name taken")

// defaultMeshName is the mesh a control plane with the MeshCreation feature starts with.
const defaultMeshName = "default"

func (h *Server) ListMeshControlPlanes(w http.ResponseWriter, r *http.Request, params client.ListMeshControlPlanesParams) {
	size, number := defaultCPPageSize, 1
	if params.PageSize != nil {
		size = *params.PageSize
	}
	if params.PageNumber != nil {
		number = *params.PageNumber
	}
	if size < 1 || size > maxCPPageSize || number < 1 {
		konnectError(w, r, http.StatusBadRequest, konnectBadRequestType, "",
			invalidParam("page", "page[size] must be 1 to 100 and page[number] at least 1", "invalid", client.MeshInvalidParameterSourceQuery))
		return
	}
	var all []client.MeshControlPlane
	_ = h.store.Read(func(tx store.Reader) error {
		records, _ := tx.List("", controlPlaneKind, store.Query{})
		for _, rec := range records {
			var cp client.MeshControlPlane
			if json.Unmarshal(rec.Body, &cp) == nil && nameMatches(cp.Name, params.Filter) {
				all = append(all, cp)
			}
		}
		return nil
	})
	// Oldest first; the id breaks ties.
	sort.SliceStable(all, func(i, j int) bool {
		if !all[i].CreatedAt.Equal(*all[j].CreatedAt) {
			return all[i].CreatedAt.Before(*all[j].CreatedAt)
		}
		return all[i].Id.String() < all[j].Id.String()
	})
	start := min((number-1)*size, len(all))
	end := min(start+size, len(all))
	resp := client.ListMeshControlPlanesResponse{Data: all[start:end]}
	if resp.Data == nil {
		resp.Data = []client.MeshControlPlane{}
	}
	resp.Meta.Page.Number, resp.Meta.Page.Size, resp.Meta.Page.Total = int32(number), int32(size), int32(len(all)) //nolint:gosec // bounded above
	writeJSON(w, http.StatusOK, resp)
}

func nameMatches(name string, f *client.MeshControlPlaneFilterParameters) bool {
	if f == nil || f.Name == nil {
		return true
	}
	if f.Name.Eq != nil && name != *f.Name.Eq {
		return false
	}
	if f.Name.Contains != nil && !strings.Contains(name, *f.Name.Contains) {
		return false
	}
	return true
}

func (h *Server) CreateMeshControlPlane(w http.ResponseWriter, r *http.Request) {
	var req client.CreateMeshControlPlaneRequest
	if !decodeBody(w, r, &req) || !checkLabels(w, r, deref(req.Labels)) {
		return
	}
	now := h.now()
	id := uuid.New()
	cp := client.MeshControlPlane{Id: &id, Name: req.Name, Description: ptr(deref(req.Description)), Labels: ptr(client.MeshControlPlaneLabels{}),
		Features: req.Features, CreatedAt: &now, UpdatedAt: &now}
	if req.Labels != nil {
		cp.Labels = req.Labels
	}
	createMesh := meshCreationEnabled(req.Features)
	err := h.store.Write(func(tx store.Writer) error {
		if err := putControlPlane(tx, cp); err != nil {
			return err
		}
		if createMesh {
			return putDefaultMesh(tx, id.String(), now)
		}
		return nil
	})
	if errors.Is(err, errNameTaken) {
		nameConflict(w, r, cp.Name)
		return
	}
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	if createMesh {
		h.changed(id.String(), defaultMeshName)
	}
	writeJSON(w, http.StatusCreated, cp)
}

func meshCreationEnabled(features *[]client.MeshControlPlaneFeature) bool {
	for _, f := range deref(features) {
		if f.Type == client.MeshControlPlaneFeatureTypeMeshCreation && f.MeshCreation != nil && f.MeshCreation.Enabled {
			return true
		}
	}
	return false
}

// putDefaultMesh creates the mesh "default", as a control plane with MeshCreation does.
func putDefaultMesh(tx store.Writer, cp string, now time.Time) error {
	ts := now.Format(time.RFC3339Nano)
	body, err := json.Marshal(map[string]any{"type": mesh.Meshes.Type, "name": defaultMeshName, "creationTime": ts, "modificationTime": ts})
	if err != nil {
		return err
	}
	tx.Put(cp, mesh.Meshes.StoreKind(), resourceRecord(mesh.Meshes, "", defaultMeshName, body))
	return nil
}

func (h *Server) GetMeshControlPlane(w http.ResponseWriter, r *http.Request, cpID client.MeshControlPlaneId) {
	cp, ok := h.controlPlane(cpID.String())
	if !ok {
		controlPlaneNotFound(w, r)
		return
	}
	writeJSON(w, http.StatusOK, cp)
}

func (h *Server) UpdateMeshControlPlane(w http.ResponseWriter, r *http.Request, cpID client.MeshControlPlaneId) {
	var req client.PutMeshControlPlaneRequest
	if !decodeBody(w, r, &req) || !checkLabels(w, r, deref(req.Labels)) {
		return
	}
	h.changeControlPlane(w, r, cpID.String(), func(cp *client.MeshControlPlane) {
		cp.Name, cp.Description, cp.Labels = req.Name, ptr(deref(req.Description)), ptr(client.MeshControlPlaneLabels{})
		if req.Labels != nil {
			cp.Labels = req.Labels
		}
	})
}

func (h *Server) PatchMeshControlPlane(w http.ResponseWriter, r *http.Request, cpID client.MeshControlPlaneId) {
	var req client.UpdateMeshControlPlaneRequest
	if !decodeBody(w, r, &req) {
		return
	}
	set := client.MeshControlPlaneLabels{}
	for k, v := range deref(req.Labels) {
		if v != nil {
			set[k] = *v
		}
	}
	if !checkLabels(w, r, set) {
		return
	}
	h.changeControlPlane(w, r, cpID.String(), func(cp *client.MeshControlPlane) {
		if req.Name != nil {
			cp.Name = *req.Name
		}
		if req.Description != nil {
			cp.Description = req.Description
		}
		if req.Labels != nil {
			labels := client.MeshControlPlaneLabels{}
			for k, v := range deref(cp.Labels) {
				labels[k] = v
			}
			for k, v := range *req.Labels {
				if v == nil {
					delete(labels, k)
				} else {
					labels[k] = *v
				}
			}
			cp.Labels = &labels
		}
	})
}

// changeControlPlane applies change to a stored control plane and answers with the result.
func (h *Server) changeControlPlane(w http.ResponseWriter, r *http.Request, id string, change func(*client.MeshControlPlane)) {
	var cp client.MeshControlPlane
	found := false
	err := h.store.Write(func(tx store.Writer) error {
		rec, ok := tx.Get("", controlPlaneKind, id)
		if !ok {
			return nil
		}
		found = true
		if err := json.Unmarshal(rec.Body, &cp); err != nil {
			return err
		}
		change(&cp)
		now := h.now()
		cp.UpdatedAt = &now
		return putControlPlane(tx, cp)
	})
	switch {
	case errors.Is(err, errNameTaken):
		nameConflict(w, r, cp.Name)
	case err != nil:
		h.internalError(w, r, err)
	case !found:
		controlPlaneNotFound(w, r)
	default:
		writeJSON(w, http.StatusOK, cp)
	}
}

// DeleteMeshControlPlane removes a control plane and everything in it.
func (h *Server) DeleteMeshControlPlane(w http.ResponseWriter, r *http.Request, cpID client.MeshControlPlaneId) {
	id := cpID.String()
	found := false
	var meshes []string
	_ = h.store.Write(func(tx store.Writer) error {
		if _, found = tx.Get("", controlPlaneKind, id); !found {
			return nil
		}
		records, _ := tx.List(id, mesh.Meshes.StoreKind(), store.Query{})
		for _, rec := range records {
			meshes = append(meshes, rec.ID)
		}
		tx.Delete("", controlPlaneKind, id)
		tx.DropControlPlane(id)
		return nil
	})
	if !found {
		controlPlaneNotFound(w, r)
		return
	}
	h.changed(id, meshes...)
	w.WriteHeader(http.StatusNoContent)
}

func (h *Server) controlPlane(id string) (client.MeshControlPlane, bool) {
	var cp client.MeshControlPlane
	found := false
	_ = h.store.Read(func(tx store.Reader) error {
		if rec, ok := tx.Get("", controlPlaneKind, id); ok {
			found = json.Unmarshal(rec.Body, &cp) == nil
		}
		return nil
	})
	return cp, found
}

// putControlPlane stores a control plane, refusing a name another one has.
func putControlPlane(tx store.Writer, cp client.MeshControlPlane) error {
	if other, ok := tx.ByUnique("", controlPlaneKind, controlPlaneNameIndex, cp.Name); ok && other.ID != cp.Id.String() {
		return errNameTaken
	}
	body, err := json.Marshal(cp)
	if err != nil {
		return err
	}
	tx.Put("", controlPlaneKind, &store.Record{ID: cp.Id.String(), Body: body, Unique: []store.Field{{Name: controlPlaneNameIndex, Value: cp.Name}}})
	return nil
}

func nameConflict(w http.ResponseWriter, r *http.Request, name string) {
	konnectError(w, r, http.StatusConflict, konnectConflictType, "Key (org_id, name)=(emulator, "+name+") already exists.")
}

// decodeBody decodes a body the validator has accepted.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		konnectError(w, r, http.StatusBadRequest, konnectBadRequestType, "",
			invalidParam("", "cannot parse the request body as JSON", "invalid", client.MeshInvalidParameterSourceBody))
		return false
	}
	return true
}

// checkLabels refuses the label keys Konnect reserves.
func checkLabels(w http.ResponseWriter, r *http.Request, labels map[string]string) bool {
	var params []client.MeshInvalidParameter
	for _, k := range sortedKeys(labels) {
		for _, reserved := range reservedLabelPrefixes {
			if strings.HasPrefix(k, reserved) {
				params = append(params, invalidParam("labels."+k, "label keys must not start with kong, konnect, mesh, kic or _", "is_label", client.MeshInvalidParameterSourceBody))
				break
			}
		}
	}
	if len(params) == 0 {
		return true
	}
	konnectError(w, r, http.StatusBadRequest, konnectBadRequestType, "", params...)
	return false
}
