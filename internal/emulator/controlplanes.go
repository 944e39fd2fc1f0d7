package emulator

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/identity"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// Control planes live outside any control plane (cp ""), with a unique name.
const cpNameIndex = "name"

func (s *Server) ListControlPlanes(w http.ResponseWriter, r *http.Request, params client.ListControlPlanesParams) {
	size, number := 10, 1
	if params.PageSize != nil {
		size = *params.PageSize
	}
	if params.PageNumber != nil {
		number = *params.PageNumber
	}
	if size < 1 || size > 100 || number < 1 {
		s.badRequest(w, r, []fieldProblem{{field: "page", message: "page[size] must be 1 to 100 and page[number] at least 1", rule: "invalid"}})
		return
	}
	descending, ok := controlPlaneSort(params.Sort)
	if !ok {
		s.badRequest(w, r, []fieldProblem{{field: "sort", message: "sort takes created_at, optionally followed by asc or desc", rule: "invalid"}})
		return
	}
	match := listFilter(r.URL.Query(), domain.ControlPlanes)
	// The list shows only the control planes the principal has a role on (before paging).
	p := identity.PrincipalFrom(r.Context())
	var all []client.ControlPlane
	_ = s.store.Read(func(tx store.Reader) error {
		records, _ := tx.List("", domain.ControlPlanes, store.Query{})
		for _, rec := range records {
			var cp client.ControlPlane
			if (match == nil || match(rec.Body)) && (p == nil || p.Sees(identity.EntityControlPlanes, rec.ID)) && json.Unmarshal(rec.Body, &cp) == nil {
				all = append(all, cp)
			}
		}
		return nil
	})
	// Konnect lists by creation, oldest first unless sort says desc; the id breaks ties.
	sort.SliceStable(all, func(i, j int) bool {
		if descending {
			i, j = j, i
		}
		if !all[i].CreatedAt.Equal(all[j].CreatedAt) {
			return all[i].CreatedAt.Before(all[j].CreatedAt)
		}
		return all[i].Id.String() < all[j].Id.String()
	})
	start := min((number-1)*size, len(all))
	end := min(start+size, len(all))
	resp := struct {
		Data []client.ControlPlane `json:"data"`
		Meta client.PaginatedMeta  `json:"meta"`
	}{Data: all[start:end]}
	if resp.Data == nil {
		resp.Data = []client.ControlPlane{}
	}
	resp.Meta.Page.Number, resp.Meta.Page.Size, resp.Meta.Page.Total = int32(number), int32(size), int32(len(all)) //nolint:gosec // bounded above
	writeJSON(w, http.StatusOK, resp)
}

// controlPlaneSort reads sort: created_at is the one attribute Konnect sorts control planes by,
// ascending unless followed by desc.
func controlPlaneSort(param *client.ControlPlaneSort) (descending, ok bool) {
	if param == nil || strings.TrimSpace(*param) == "" {
		return false, true
	}
	switch strings.Join(strings.Fields(*param), " ") {
	case "created_at", "created_at asc":
		return false, true
	case "created_at desc":
		return true, true
	}
	return false, false
}

func (s *Server) CreateControlPlane(w http.ResponseWriter, r *http.Request) {
	req, ok := decodeControlPlaneBody(s, w, r, func(req client.CreateControlPlaneRequest) *client.Labels { return req.Labels })
	if !ok {
		return
	}
	cp, perr := s.createControlPlane(r, req)
	if perr != nil {
		writeProblem(w, perr)
		return
	}
	writeJSON(w, http.StatusCreated, cp)
}

// createControlPlane stores a new control plane; the emulator's own start-up uses it too.
func (s *Server) createControlPlane(r *http.Request, req client.CreateControlPlaneRequest) (client.ControlPlane, *problem) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	cp := client.ControlPlane{Id: uuid.New(), Name: req.Name, CreatedAt: now, UpdatedAt: now, Labels: client.Labels{}}
	if req.Description != nil {
		cp.Description = *req.Description
	}
	if req.Labels != nil {
		cp.Labels = *req.Labels
	}
	cp.Config.ClusterType = client.ControlPlaneConfigClusterTypeCLUSTERTYPECONTROLPLANE
	if req.ClusterType != nil {
		cp.Config.ClusterType = client.ControlPlaneConfigClusterType(*req.ClusterType)
	}
	cp.Config.AuthType = client.ControlPlaneConfigAuthTypePinnedClientCerts
	if req.AuthType != nil {
		cp.Config.AuthType = client.ControlPlaneConfigAuthType(*req.AuthType)
	}
	if req.CloudGateway != nil {
		cp.Config.CloudGateway = *req.CloudGateway
	}
	cp.Config.ProxyUrls = client.ProxyURLs{}
	if req.ProxyUrls != nil {
		cp.Config.ProxyUrls = *req.ProxyUrls
	}
	short := strings.ReplaceAll(cp.Id.String(), "-", "")[:10]
	cp.Config.ControlPlaneEndpoint = "https://" + short + ".cp.konnect.localhost"
	cp.Config.TelemetryEndpoint = "https://" + short + ".tp.konnect.localhost"
	var perr *problem
	_ = s.store.Write(func(tx store.Writer) error {
		if _, exists := tx.ByUnique("", domain.ControlPlanes, cpNameIndex, cp.Name); exists {
			perr = newProblem(r, http.StatusConflict, "Key (org_id, name)=(emulator, "+cp.Name+") already exists.")
			return nil
		}
		tx.Put("", domain.ControlPlanes, controlPlaneRecord(cp))
		return nil
	})
	return cp, perr
}

func controlPlaneRecord(cp client.ControlPlane) *store.Record {
	body, _ := json.Marshal(cp)
	return &store.Record{ID: cp.Id.String(), Body: body, Unique: []store.Field{{Name: cpNameIndex, Value: cp.Name}}}
}

// decodeControlPlaneBody reads a create or update body and checks its labels; on failure it
// has answered already.
func decodeControlPlaneBody[T any](s *Server, w http.ResponseWriter, r *http.Request, labels func(T) *client.Labels) (T, bool) {
	var req T
	if err := decodeStrict(r, &req); err != nil {
		s.badRequest(w, r, []fieldProblem{{message: "cannot parse JSON body", rule: "invalid"}})
		return req, false
	}
	if p := checkLabels(labels(req)); p != nil {
		s.badRequest(w, r, []fieldProblem{*p})
		return req, false
	}
	return req, true
}

// checkLabels applies Konnect's label rule: keys may not use reserved prefixes.
func checkLabels(labels *client.Labels) *fieldProblem {
	if labels == nil {
		return nil
	}
	for k := range *labels {
		for _, reserved := range []string{"kong", "konnect", "mesh", "kic", "_"} {
			if strings.HasPrefix(strings.ToLower(k), reserved) {
				return &fieldProblem{field: "labels." + k, message: "label keys must not start with kong, konnect, mesh, kic or _", rule: "invalid"}
			}
		}
	}
	return nil
}

func (s *Server) GetControlPlane(w http.ResponseWriter, r *http.Request, id openapi_types.UUID) {
	cp, ok := s.controlPlane(id.String())
	if !ok {
		writeProblem(w, newProblem(r, http.StatusNotFound, "Not Found"))
		return
	}
	writeJSON(w, http.StatusOK, cp)
}

func (s *Server) controlPlane(id string) (client.ControlPlane, bool) {
	var cp client.ControlPlane
	found := false
	_ = s.store.Read(func(tx store.Reader) error {
		rec, ok := tx.Get("", domain.ControlPlanes, id)
		if ok {
			found = json.Unmarshal(rec.Body, &cp) == nil
		}
		return nil
	})
	return cp, found
}

func (s *Server) UpdateControlPlane(w http.ResponseWriter, r *http.Request, id openapi_types.UUID) {
	req, ok := decodeControlPlaneBody(s, w, r, func(req client.UpdateControlPlaneRequest) *client.Labels { return req.Labels })
	if !ok {
		return
	}
	var out client.ControlPlane
	err := s.store.Write(func(tx store.Writer) error {
		rec, ok := tx.Get("", domain.ControlPlanes, id.String())
		if !ok {
			return newProblem(r, http.StatusNotFound, "Not Found")
		}
		var cp client.ControlPlane
		if err := json.Unmarshal(rec.Body, &cp); err != nil {
			return err
		}
		if req.Name != nil && *req.Name != cp.Name {
			if _, exists := tx.ByUnique("", domain.ControlPlanes, cpNameIndex, *req.Name); exists {
				return newProblem(r, http.StatusConflict, "Key (org_id, name)=(emulator, "+*req.Name+") already exists.")
			}
			cp.Name = *req.Name
		}
		if req.Description != nil {
			cp.Description = *req.Description
		}
		if req.AuthType != nil {
			cp.Config.AuthType = client.ControlPlaneConfigAuthType(*req.AuthType)
		}
		if req.ProxyUrls != nil {
			cp.Config.ProxyUrls = *req.ProxyUrls
		}
		if req.Labels != nil {
			cp.Labels = *req.Labels
		}
		cp.UpdatedAt = time.Now().UTC().Truncate(time.Millisecond)
		tx.Put("", domain.ControlPlanes, controlPlaneRecord(cp))
		out = cp
		return nil
	})
	var p *problem
	switch {
	case errors.As(err, &p):
		writeProblem(w, p)
	case err != nil:
		s.internalError(w, r, err)
	default:
		writeJSON(w, http.StatusOK, out)
	}
}

// DeleteControlPlane removes a control plane and everything configured in it.
func (s *Server) DeleteControlPlane(w http.ResponseWriter, r *http.Request, id openapi_types.UUID) {
	found := false
	_ = s.store.Write(func(tx store.Writer) error {
		if _, ok := tx.Get("", domain.ControlPlanes, id.String()); ok {
			found = true
			tx.Delete("", domain.ControlPlanes, id.String())
			tx.DropControlPlane(id.String())
		}
		return nil
	})
	if !found {
		writeProblem(w, newProblem(r, http.StatusNotFound, "Not Found"))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
