package identity

import (
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// reservedLabelPrefixes cannot start a label key, as Konnect refuses them.
var reservedLabelPrefixes = []string{"kong", "konnect", "mesh", "kic", "_"}

func newTeam(name, description string, labels client.Labels, system bool, now time.Time) client.Team {
	if labels == nil {
		labels = client.Labels{}
	}
	t := client.Team{Id: ptr(uuid.New()), Name: name, Labels: labels, SystemTeam: ptr(system), CreatedAt: &now, UpdatedAt: &now}
	if description != "" {
		t.Description = &description
	}
	return t
}

func putTeam(tx store.Writer, t client.Team) error {
	return putJSON(tx, kindTeams, t.Id.String(), t, nil, nil)
}

func teamFields(t client.Team) map[string]string {
	return map[string]string{"id": t.Id.String(), "name": t.Name}
}

// badLabel names a label key Konnect refuses; "" when all are fine.
func badLabel(keys []string) string {
	for _, k := range keys {
		for _, p := range reservedLabelPrefixes {
			if strings.HasPrefix(k, p) {
				return k
			}
		}
	}
	return ""
}

func (s *API) ListTeams(w http.ResponseWriter, r *http.Request, _ client.ListTeamsParams) {
	var teams []client.Team
	err := s.store.Read(func(tx store.Reader) (err error) {
		teams, err = listJSON[client.Team](tx, kindTeams, "", "")
		return err
	})
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	writePage(w, r, teams, teamFields)
}

func (s *API) CreateTeam(w http.ResponseWriter, r *http.Request) {
	var req client.CreateTeamRequest
	if !decode(w, r, &req) {
		return
	}
	labels := deref(req.Labels)
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	if k := badLabel(keys); k != "" {
		badRequest(w, r, "labels."+k, "keys must not start with kong, konnect, mesh, kic or _", client.IsLabel)
		return
	}
	// Konnect allows two teams of the same name (they differ by id).
	team := newTeam(req.Name, deref(req.Description), labels, false, s.now().Truncate(time.Millisecond))
	if err := s.store.Write(func(tx store.Writer) error { return putTeam(tx, team) }); err != nil {
		s.internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, team)
}

func (s *API) GetTeam(w http.ResponseWriter, r *http.Request, teamID client.TeamId) {
	var team client.Team
	var found bool
	err := s.store.Read(func(tx store.Reader) (err error) {
		found, err = getJSON(tx, kindTeams, teamID.String(), &team)
		return err
	})
	switch {
	case err != nil:
		s.internalError(w, r, err)
	case !found:
		notFound(w, r, "team")
	default:
		writeJSON(w, http.StatusOK, team)
	}
}

func (s *API) UpdateTeam(w http.ResponseWriter, r *http.Request, teamID client.TeamId) {
	var req client.UpdateTeamRequest
	if !decode(w, r, &req) {
		return
	}
	if req.Labels != nil {
		keys := make([]string, 0, len(*req.Labels))
		for k := range *req.Labels {
			keys = append(keys, k)
		}
		if k := badLabel(keys); k != "" {
			badRequest(w, r, "labels."+k, "keys must not start with kong, konnect, mesh, kic or _", client.IsLabel)
			return
		}
	}
	var team client.Team
	var found bool
	err := s.store.Write(func(tx store.Writer) (err error) {
		if found, err = getJSON(tx, kindTeams, teamID.String(), &team); !found || err != nil {
			return err
		}
		if deref(team.SystemTeam) {
			return nil
		}
		if req.Name != nil {
			team.Name = *req.Name
		}
		if req.Description != nil {
			team.Description = req.Description
		}
		// Labels merge into the team's; a label set to null is removed.
		if req.Labels != nil {
			for k, v := range *req.Labels {
				if v == nil {
					delete(team.Labels, k)
				} else {
					team.Labels[k] = *v
				}
			}
		}
		team.UpdatedAt = ptr(s.now().Truncate(time.Millisecond))
		return putTeam(tx, team)
	})
	switch {
	case err != nil:
		s.internalError(w, r, err)
	case !found:
		notFound(w, r, "team")
	case deref(team.SystemTeam):
		badRequest(w, r, "teamID", "system teams cannot be modified", "")
	default:
		writeJSON(w, http.StatusOK, team)
	}
}

func (s *API) DeleteTeam(w http.ResponseWriter, r *http.Request, teamID client.TeamId) {
	id := teamID.String()
	var team client.Team
	var found bool
	err := s.store.Write(func(tx store.Writer) (err error) {
		if found, err = getJSON(tx, kindTeams, id, &team); !found || err != nil || deref(team.SystemTeam) {
			return err
		}
		// The team's memberships and role assignments go with it.
		deleteReferrers(tx, kindMembers, refTeam, id)
		deleteReferrers(tx, kindAssignments, refPrincipal, id)
		tx.Delete("", kindTeams, id)
		return nil
	})
	switch {
	case err != nil:
		s.internalError(w, r, err)
	case !found:
		notFound(w, r, "team")
	case deref(team.SystemTeam):
		badRequest(w, r, "teamID", "system teams cannot be modified", "")
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// deleteReferrers deletes the records of a kind whose ref field points at id.
func deleteReferrers(tx store.Writer, kind, refField, id string) {
	records, _ := tx.List("", kind, store.Query{RefField: refField, RefID: id})
	for _, rec := range records {
		tx.Delete("", kind, rec.ID)
	}
}
