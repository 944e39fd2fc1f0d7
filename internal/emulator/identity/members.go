package identity

import (
	"net/http"
	"strconv"

	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// memberKind tells users from system accounts in a team.
type memberKind struct {
	kind string // the store kind of the member
	what string // its name in messages
}

var (
	memberUser    = memberKind{kind: kindUsers, what: "user"}
	memberAccount = memberKind{kind: kindAccounts, what: "system account"}
)

// membership is one member of one team.
type membership struct {
	TeamID   string `json:"team_id"`
	MemberID string `json:"member_id"`
	Kind     string `json:"member_kind"`
}

func membershipID(teamID, memberID string) string { return teamID + "/" + memberID }

func addMember(tx store.Writer, teamID, memberID string, mk memberKind) error {
	return putJSON(tx, kindMembers, membershipID(teamID, memberID), membership{TeamID: teamID, MemberID: memberID, Kind: mk.kind}, nil,
		[]store.Ref{{Field: refTeam, Kind: kindTeams, ID: teamID}, {Field: refMember, Kind: mk.kind, ID: memberID}})
}

// addToTeam adds a user or system account (its id in the body) to a team: 404 when either is
// missing, 409 when it is already a member.
func (s *API) addToTeam(w http.ResponseWriter, r *http.Request, teamID string, mk memberKind) {
	var req struct {
		ID *uuid.UUID `json:"id"`
	}
	if !decode(w, r, &req) {
		return
	}
	if req.ID == nil {
		badRequest(w, r, "id", "is a required field", client.Required)
		return
	}
	memberID := req.ID.String()
	var missing string
	var exists bool
	err := s.store.Write(func(tx store.Writer) error {
		if _, ok := tx.Get("", kindTeams, teamID); !ok {
			missing = "team"
			return nil
		}
		if _, ok := tx.Get("", mk.kind, memberID); !ok {
			missing = mk.what
			return nil
		}
		if _, exists = tx.Get("", kindMembers, membershipID(teamID, memberID)); exists {
			return nil
		}
		return addMember(tx, teamID, memberID, mk)
	})
	switch {
	case err != nil:
		s.internalError(w, r, err)
	case missing != "":
		notFound(w, r, missing)
	case exists:
		conflict(w, r, "The "+mk.what+" is already a member of the team")
	default:
		w.WriteHeader(http.StatusCreated)
	}
}

// removeFromTeam removes a member: 404 when the team or the membership is missing.
func (s *API) removeFromTeam(w http.ResponseWriter, r *http.Request, teamID, memberID string, mk memberKind) {
	var missing string
	err := s.store.Write(func(tx store.Writer) error {
		if _, ok := tx.Get("", kindTeams, teamID); !ok {
			missing = "team"
			return nil
		}
		if _, ok := tx.Get("", kindMembers, membershipID(teamID, memberID)); !ok {
			missing = mk.what
			return nil
		}
		tx.Delete("", kindMembers, membershipID(teamID, memberID))
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

// listMembers lists a team's members of one kind, T being their API type.
func listMembers[T any](s *API, w http.ResponseWriter, r *http.Request, teamID string, mk memberKind, fields func(T) map[string]string) {
	var members []T
	found := false
	err := s.store.Read(func(tx store.Reader) error {
		if _, found = tx.Get("", kindTeams, teamID); !found {
			return nil
		}
		ms, err := listJSON[membership](tx, kindMembers, refTeam, teamID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			var v T
			if m.Kind != mk.kind {
				continue
			}
			if ok, err := getJSON(tx, mk.kind, m.MemberID, &v); err != nil {
				return err
			} else if ok {
				members = append(members, v)
			}
		}
		return nil
	})
	switch {
	case err != nil:
		s.internalError(w, r, err)
	case !found:
		notFound(w, r, "team")
	default:
		writePage(w, r, members, fields)
	}
}

// listTeamsOf lists the teams a user or system account belongs to.
func (s *API) listTeamsOf(w http.ResponseWriter, r *http.Request, memberID string, mk memberKind) {
	var teams []client.Team
	found := false
	err := s.store.Read(func(tx store.Reader) error {
		if _, found = tx.Get("", mk.kind, memberID); !found {
			return nil
		}
		ms, err := listJSON[membership](tx, kindMembers, refMember, memberID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			var t client.Team
			if ok, err := getJSON(tx, kindTeams, m.TeamID, &t); err != nil {
				return err
			} else if ok {
				teams = append(teams, t)
			}
		}
		return nil
	})
	switch {
	case err != nil:
		s.internalError(w, r, err)
	case !found:
		notFound(w, r, mk.what)
	default:
		writePage(w, r, teams, teamFields)
	}
}

func (s *API) ListTeamUsers(w http.ResponseWriter, r *http.Request, teamID client.TeamId, _ client.ListTeamUsersParams) {
	listMembers(s, w, r, teamID.String(), memberUser, userFields)
}

func (s *API) AddUserToTeam(w http.ResponseWriter, r *http.Request, teamID client.TeamId) {
	s.addToTeam(w, r, teamID.String(), memberUser)
}

func (s *API) RemoveUserFromTeam(w http.ResponseWriter, r *http.Request, teamID client.TeamId, userID client.UserId) {
	s.removeFromTeam(w, r, teamID.String(), userID.String(), memberUser)
}

func (s *API) GetTeamsTeamIdSystemAccounts(w http.ResponseWriter, r *http.Request, teamID client.TeamIdString, _ client.GetTeamsTeamIdSystemAccountsParams) {
	listMembers(s, w, r, teamID, memberAccount, accountFields)
}

func (s *API) PostTeamsTeamIdSystemAccounts(w http.ResponseWriter, r *http.Request, teamID client.TeamIdString) {
	s.addToTeam(w, r, teamID, memberAccount)
}

func (s *API) DeleteTeamsTeamIdSystemAccountsAccountId(w http.ResponseWriter, r *http.Request, teamID client.TeamIdString, accountID client.AccountId) {
	s.removeFromTeam(w, r, teamID, accountID, memberAccount)
}

func (s *API) ListUserTeams(w http.ResponseWriter, r *http.Request, userID client.UserId, _ client.ListUserTeamsParams) {
	s.listTeamsOf(w, r, userID.String(), memberUser)
}

func (s *API) GetSystemAccountsAccountIdTeams(w http.ResponseWriter, r *http.Request, accountID client.AccountId, _ client.GetSystemAccountsAccountIdTeamsParams) {
	s.listTeamsOf(w, r, accountID, memberAccount)
}

func boolString(b *bool) string { return strconv.FormatBool(deref(b)) }
