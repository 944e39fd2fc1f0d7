package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/mesh"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// resourceHandler serves the operations on one kind of Kuma resource. ServeHTTP has already
// answered a control plane or mesh that does not exist; the writes check again inside their
// transaction.
type resourceHandler struct {
	h    *Server
	kind *mesh.Kind
}

// errMeshGone reports, from inside a write, that the mesh was deleted meanwhile.
var errMeshGone = errors.New("mesh deleted")

const defaultPageSize = 100

// listPage is a page of a list, in Kuma's field order.
type listPage struct {
	Total int               `json:"total"`
	Items []json.RawMessage `json:"items"`
	Next  *string           `json:"next"`
}

// names of the request's resource: its mesh (a Mesh's own name) and its name.
func (rh resourceHandler) names(r *http.Request) (cp, meshName, name string) {
	cp, name = r.PathValue("cpId"), r.PathValue("name")
	meshName = r.PathValue("mesh")
	if rh.kind == mesh.Meshes {
		meshName = name
	}
	return cp, meshName, name
}

func (rh resourceHandler) list(w http.ResponseWriter, r *http.Request) {
	cp, meshName, _ := rh.names(r)
	size, offset := defaultPageSize, 0
	q := r.URL.Query()
	// Kuma's label and name filters are not served: refuse them rather than list everything.
	for _, param := range sortedKeys(q) {
		if param != "offset" && param != "size" {
			kumaError(w, http.StatusBadRequest, titleList, "Unsupported query parameter",
				mesh.Violations{{Field: param, Reason: "the emulator lists with offset and size only"}})
			return
		}
	}
	if s := q.Get("size"); s != "" {
		size, _ = strconv.Atoi(s) // the validator has checked it is an integer from 1 to 1000
	}
	if s := q.Get("offset"); s != "" {
		offset, _ = strconv.Atoi(s)
		if offset < 0 {
			kumaError(w, http.StatusBadRequest, titleList, "Invalid offset", mesh.Violations{{Field: "offset", Reason: "Invalid format"}})
			return
		}
	}
	var all []json.RawMessage
	_ = rh.h.store.Read(func(tx store.Reader) error {
		all = listKind(tx, cp, rh.kind, meshName)
		return nil
	})
	start := min(offset, len(all))
	end := min(start+size, len(all))
	page := listPage{Total: len(all), Items: all[start:end]}
	if end < len(all) {
		next := nextLink(r, end, size)
		page.Next = &next
	}
	writeJSON(w, http.StatusOK, page)
}

// nextLink is the URL of the page after this one, as Kuma gives it: this request's URL with
// offset and size set.
func nextLink(r *http.Request, offset, size int) string {
	q := r.URL.Query()
	q.Set("offset", strconv.Itoa(offset))
	q.Set("size", strconv.Itoa(size))
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
	return u.String()
}

func (rh resourceHandler) get(w http.ResponseWriter, r *http.Request) {
	cp, meshName, name := rh.names(r)
	var body []byte
	_ = rh.h.store.Read(func(tx store.Reader) error {
		if rec, ok := tx.Get(cp, rh.kind.StoreKind(), resourceID(rh.kind, meshName, name)); ok {
			body = rec.Body
		}
		return nil
	})
	if body == nil {
		kumaNotFound(w, titleRetrieve)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// put creates (201) or replaces (200) a resource, answering with no body as Kuma does when it
// has no warnings. What was sent is what is stored and read back (the 2.x forms included), plus
// the times and kri Kuma adds.
func (rh resourceHandler) put(w http.ResponseWriter, r *http.Request) {
	cp, meshName, name := rh.names(r)
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		kumaError(w, http.StatusBadRequest, titleProcess, "cannot read the request body", nil)
		return
	}
	obj, err := decodeObject(raw)
	if err != nil {
		kumaError(w, http.StatusBadRequest, titleProcess, "cannot parse the request body as JSON", nil)
		return
	}
	if v := rh.kind.ValidateMeta(meshName, name, metaOf(obj)); len(v) > 0 {
		kumaInvalid(w, titleProcess, v)
		return
	}
	id := resourceID(rh.kind, meshName, name)
	exists := false
	_ = rh.h.store.Read(func(tx store.Reader) error {
		_, exists = tx.Get(cp, rh.kind.StoreKind(), id)
		return nil
	})
	title := titleCreate
	if exists {
		title = titleUpdate
	}
	v, err := rh.kind.Validate(raw)
	if err != nil {
		kumaError(w, http.StatusBadRequest, titleProcess, err.Error(), nil)
		return
	}
	if len(v) > 0 {
		kumaInvalid(w, title, v)
		return
	}
	for _, readOnly := range []string{"creationTime", "modificationTime", "kri"} {
		delete(obj, readOnly)
	}
	now := rh.h.now().Format(time.RFC3339Nano)
	created := false
	err = rh.h.store.Write(func(tx store.Writer) error {
		if rh.kind.MeshScoped {
			if _, ok := tx.Get(cp, mesh.Meshes.StoreKind(), meshName); !ok {
				return errMeshGone
			}
		}
		obj["creationTime"], obj["modificationTime"] = now, now
		if old, ok := tx.Get(cp, rh.kind.StoreKind(), id); ok {
			var prev struct {
				CreationTime string `json:"creationTime"`
			}
			if json.Unmarshal(old.Body, &prev) == nil && prev.CreationTime != "" {
				obj["creationTime"] = prev.CreationTime
			}
		} else {
			created = true
		}
		if kri := rh.kind.KRI(meshName, name); kri != "" {
			obj["kri"] = kri
		}
		body, err := json.Marshal(obj)
		if err != nil {
			return err
		}
		tx.Put(cp, rh.kind.StoreKind(), resourceRecord(rh.kind, meshName, name, body))
		return nil
	})
	switch {
	case errors.Is(err, errMeshGone):
		kumaNotFound(w, titleMesh)
		return
	case err != nil:
		rh.h.internalError(w, r, err)
		return
	}
	rh.h.changed(cp, meshName)
	if created {
		w.WriteHeader(http.StatusCreated)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// delete removes a resource; a mesh goes with every resource in it.
func (rh resourceHandler) delete(w http.ResponseWriter, r *http.Request) {
	cp, meshName, name := rh.names(r)
	id := resourceID(rh.kind, meshName, name)
	found := false
	_ = rh.h.store.Write(func(tx store.Writer) error {
		if _, found = tx.Get(cp, rh.kind.StoreKind(), id); !found {
			return nil
		}
		if rh.kind == mesh.Meshes {
			for _, k := range tx.Referrers(store.Key{CP: cp, Kind: rh.kind.StoreKind(), ID: id}) {
				tx.Delete(k.CP, k.Kind, k.ID)
			}
		}
		tx.Delete(cp, rh.kind.StoreKind(), id)
		return nil
	})
	if !found {
		kumaNotFound(w, titleDelete)
		return
	}
	rh.h.changed(cp, meshName)
	w.WriteHeader(http.StatusOK)
}

// dataplanePolicies answers .../dataplanes/{name}/_policies.
func (h *Server) dataplanePolicies(w http.ResponseWriter, r *http.Request) {
	cp, meshName, name := r.PathValue("cpId"), r.PathValue("mesh"), r.PathValue("name")
	var (
		dpBody     []byte
		opas, mtps []json.RawMessage
	)
	_ = h.store.Read(func(tx store.Reader) error {
		if rec, ok := tx.Get(cp, mesh.Dataplanes.StoreKind(), resourceID(mesh.Dataplanes, meshName, name)); ok {
			dpBody = rec.Body
		}
		opas = listKind(tx, cp, mesh.MeshOPAs, meshName)
		mtps = listKind(tx, cp, mesh.MeshTrafficPermissions, meshName)
		return nil
	})
	if dpBody == nil {
		kumaNotFound(w, titleRetrieve)
		return
	}
	dp, err := decodeAs[client.DataplaneItem](dpBody)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	opaItems, err := decodeAll[client.MeshOPAItem](opas)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	mtpItems, err := decodeAll[client.MeshTrafficPermissionItem](mtps)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	list, err := mesh.ProxyPolicies(meshName, dp, opaItems, mtpItems)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

func (h *Server) internalError(w http.ResponseWriter, r *http.Request, err error) {
	h.logger.ErrorContext(r.Context(), "mesh API internal error", "method", r.Method, "path", r.URL.Path, "error", err)
	kumaError(w, http.StatusInternalServerError, "Internal Server Error", "Internal Server Error", nil)
}

// decodeObject reads a JSON object keeping numbers as written.
func decodeObject(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, err
	}
	if obj == nil {
		return nil, errors.New("not a JSON object")
	}
	return obj, nil
}

func metaOf(obj map[string]any) mesh.Meta {
	str := func(k string) string { s, _ := obj[k].(string); return s }
	m := mesh.Meta{Type: str("type"), Name: str("name"), Mesh: str("mesh")}
	if labels, ok := obj["labels"].(map[string]any); ok {
		m.Labels = map[string]string{}
		for k, v := range labels {
			m.Labels[k], _ = v.(string)
		}
	}
	return m
}

func decodeAs[T any](raw []byte) (T, error) {
	var v T
	err := json.Unmarshal(raw, &v)
	return v, err
}

func decodeAll[T any](raws []json.RawMessage) ([]T, error) {
	out := make([]T, 0, len(raws))
	for _, raw := range raws {
		v, err := decodeAs[T](raw)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
