package identity

import (
	"net/http"
	"slices"

	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// holderKind is who role assignments are given to.
type holderKind struct {
	kind string
	what string
}

var (
	holderUser    = holderKind{kind: kindUsers, what: "user"}
	holderTeam    = holderKind{kind: kindTeams, what: "team"}
	holderAccount = holderKind{kind: kindAccounts, what: "system account"}
)

func assignmentFields(a client.AssignedRole) map[string]string {
	return map[string]string{"id": a.Id.String(), "role_name": deref(a.RoleName), "entity_type_name": deref(a.EntityTypeName), "entity_id": deref(a.EntityId)}
}

func assignmentKey(holderID string, a client.AssignedRole) string {
	return holderID + "|" + deref(a.RoleName) + "|" + deref(a.EntityTypeName) + "|" + deref(a.EntityId) + "|" + string(deref(a.EntityRegion))
}

// checkAssignment refuses an assignment Konnect would: a missing field, an entity id that is
// neither a UUID nor "*", a role the entity type does not have. It answers and returns false.
func checkAssignment(w http.ResponseWriter, r *http.Request, req client.AssignRoleRequest) bool {
	for _, f := range []struct {
		name  string
		empty bool
	}{
		{"role_name", req.RoleName == nil},
		{"entity_type_name", req.EntityTypeName == nil},
		{"entity_id", req.EntityId == nil || *req.EntityId == ""},
		{"entity_region", req.EntityRegion == nil},
	} {
		if f.empty {
			badRequest(w, r, f.name, "is a required field", client.Required)
			return false
		}
	}
	if id := *req.EntityId; id != "*" && uuid.Validate(id) != nil {
		badRequest(w, r, "entity_id", "must be a valid UUID or *", client.IsUuid)
		return false
	}
	// Entity types the emulator knows the roles of are checked; others are stored as given.
	if g, ok := groupOf(string(*req.EntityTypeName)); ok &&
		!slices.ContainsFunc(g.roles, func(p predefinedRole) bool { return p.name == string(*req.RoleName) }) {
		badRequest(w, r, "role_name", "role ["+string(*req.RoleName)+"] does not exist for entity type ["+g.assignedAs+"]", client.Invalid)
		return false
	}
	return true
}

func (s *API) listAssignments(w http.ResponseWriter, r *http.Request, h holderKind, holderID string) {
	var assigned []client.AssignedRole
	found := false
	err := s.store.Read(func(tx store.Reader) (err error) {
		if _, found = tx.Get("", h.kind, holderID); !found {
			return nil
		}
		assigned, err = listJSON[client.AssignedRole](tx, kindAssignments, refPrincipal, holderID)
		return err
	})
	switch {
	case err != nil:
		s.internalError(w, r, err)
	case !found:
		notFound(w, r, h.what)
	default:
		// Assigned-role lists are one page with every match; meta still says so.
		all := filterList(r, assigned, assignmentFields)
		writeJSON(w, http.StatusOK, client.AssignedRoleCollection{Data: all,
			Meta: client.PaginatedMeta{Page: client.PageMeta{Number: 1, Size: int32(max(len(all), defaultPageSize)), Total: int32(len(all))}}}) //nolint:gosec // bounded by the store
	}
}

func (s *API) assign(w http.ResponseWriter, r *http.Request, h holderKind, holderID string) {
	var req client.AssignRoleRequest
	if !decode(w, r, &req) || !checkAssignment(w, r, req) {
		return
	}
	a := client.AssignedRole{Id: ptr(uuid.New()), RoleName: ptr(string(*req.RoleName)), EntityTypeName: ptr(string(*req.EntityTypeName)),
		EntityId: req.EntityId, EntityRegion: req.EntityRegion}
	found, exists := false, false
	err := s.store.Write(func(tx store.Writer) error {
		if _, found = tx.Get("", h.kind, holderID); !found {
			return nil
		}
		key := assignmentKey(holderID, a)
		if _, exists = tx.ByUnique("", kindAssignments, uniqueAssignment, key); exists {
			return nil
		}
		return putJSON(tx, kindAssignments, a.Id.String(), a, []store.Field{{Name: uniqueAssignment, Value: key}},
			[]store.Ref{{Field: refPrincipal, Kind: h.kind, ID: holderID}})
	})
	switch {
	case err != nil:
		s.internalError(w, r, err)
	case !found:
		notFound(w, r, h.what)
	case exists:
		conflict(w, r, "Role is already assigned")
	default:
		writeJSON(w, http.StatusCreated, a)
	}
}

// readAssignment finds one assignment of a holder; missing says what is not there.
func readAssignment(tx store.Reader, h holderKind, holderID, id string) (a client.AssignedRole, missing string, err error) {
	if _, ok := tx.Get("", h.kind, holderID); !ok {
		return a, h.what, nil
	}
	rec, ok := tx.Get("", kindAssignments, id)
	if !ok || !slices.ContainsFunc(rec.Refs, func(ref store.Ref) bool { return ref.Field == refPrincipal && ref.ID == holderID }) {
		return a, "assigned role", nil
	}
	_, err = getJSON(tx, kindAssignments, id, &a)
	return a, "", err
}

func (s *API) getAssignment(w http.ResponseWriter, r *http.Request, h holderKind, holderID, id string) {
	var a client.AssignedRole
	var missing string
	err := s.store.Read(func(tx store.Reader) (err error) {
		a, missing, err = readAssignment(tx, h, holderID, id)
		return err
	})
	switch {
	case err != nil:
		s.internalError(w, r, err)
	case missing != "":
		notFound(w, r, missing)
	default:
		writeJSON(w, http.StatusOK, a)
	}
}

func (s *API) unassign(w http.ResponseWriter, r *http.Request, h holderKind, holderID, id string) {
	var missing string
	err := s.store.Write(func(tx store.Writer) (err error) {
		if _, missing, err = readAssignment(tx, h, holderID, id); missing != "" || err != nil {
			return err
		}
		tx.Delete("", kindAssignments, id)
		return nil
	})
	switch {
	case err != nil:
		s.internalError(w, r, err)
	case missing != "":
		notFound(w, r, missing)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *API) ListUserRoles(w http.ResponseWriter, r *http.Request, userID client.UserId, _ client.ListUserRolesParams) {
	s.listAssignments(w, r, holderUser, userID.String())
}

func (s *API) UsersAssignRole(w http.ResponseWriter, r *http.Request, userID client.UserId) {
	s.assign(w, r, holderUser, userID.String())
}

func (s *API) UsersRemoveRole(w http.ResponseWriter, r *http.Request, userID client.UserId, roleID client.RoleId) {
	s.unassign(w, r, holderUser, userID.String(), roleID.String())
}

func (s *API) ListTeamRoles(w http.ResponseWriter, r *http.Request, teamID client.TeamId, _ client.ListTeamRolesParams) {
	s.listAssignments(w, r, holderTeam, teamID.String())
}

func (s *API) TeamsAssignRole(w http.ResponseWriter, r *http.Request, teamID client.TeamId) {
	s.assign(w, r, holderTeam, teamID.String())
}

func (s *API) GetTeamRole(w http.ResponseWriter, r *http.Request, teamID client.TeamId, roleID client.RoleId) {
	s.getAssignment(w, r, holderTeam, teamID.String(), roleID.String())
}

func (s *API) TeamsRemoveRole(w http.ResponseWriter, r *http.Request, teamID client.TeamId, roleID client.RoleId) {
	s.unassign(w, r, holderTeam, teamID.String(), roleID.String())
}

func (s *API) GetSystemAccountsAccountIdAssignedRoles(w http.ResponseWriter, r *http.Request, accountID client.AccountId, _ client.GetSystemAccountsAccountIdAssignedRolesParams) {
	s.listAssignments(w, r, holderAccount, accountID)
}

func (s *API) PostSystemAccountsAccountIdAssignedRoles(w http.ResponseWriter, r *http.Request, accountID client.AccountId) {
	s.assign(w, r, holderAccount, accountID)
}

func (s *API) GetSystemAccountRole(w http.ResponseWriter, r *http.Request, accountID client.AccountId, roleID client.RoleIdString) {
	s.getAssignment(w, r, holderAccount, accountID, roleID)
}

func (s *API) DeleteSystemAccountsAccountIdAssignedRolesRoleId(w http.ResponseWriter, r *http.Request, accountID client.AccountId, roleID client.RoleIdString) {
	s.unassign(w, r, holderAccount, accountID, roleID)
}
