package emulator_test

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// role is one role assignment to give a system account (or a team) in a test.
type role struct {
	name, entityType, entityID, region string
}

func (r role) request() client.AssignRoleRequest {
	region := client.EntityRegion(r.region)
	if r.region == "" {
		region = "us"
	}
	return client.AssignRoleRequest{
		RoleName:       ptr(client.AssignRoleRequestRoleName(r.name)),
		EntityTypeName: ptr(client.AssignRoleRequestEntityTypeName(r.entityType)),
		EntityId:       ptr(r.entityID),
		EntityRegion:   &region,
	}
}

// cpRole is a role on a control plane in the emulator's region.
func cpRole(name, cpID string) role {
	return role{name: name, entityType: "Control Planes", entityID: cpID}
}

// newSystemAccount creates a system account with the given roles, through the generated
// client with the owner's token, and returns its id.
func (h *harness) newSystemAccount(roles ...role) string {
	h.t.Helper()
	acc, err := h.c.PostSystemAccountsWithResponse(h.ctx, client.CreateSystemAccountRequest{Name: "sa-" + uuid.NewString()[:8], Description: "test account"})
	if err != nil {
		h.t.Fatal(err)
	}
	id := acc.JSON201.Id.String()
	for _, r := range roles {
		if _, err := h.c.PostSystemAccountsAccountIdAssignedRolesWithResponse(h.ctx, id, r.request()); err != nil {
			h.t.Fatalf("assigning %+v: %v", r, err)
		}
	}
	return id
}

// newToken creates an access token for a system account and returns its value.
func (h *harness) newToken(accountID string, ttl time.Duration) (id, value string) {
	h.t.Helper()
	tok, err := h.c.PostSystemAccountsIdAccessTokensWithResponse(h.ctx, accountID, client.CreateSystemAccountAccessTokenRequest{
		Name: "token-" + uuid.NewString()[:8], ExpiresAt: time.Now().Add(ttl)})
	if err != nil {
		h.t.Fatal(err)
	}
	return tok.JSON201.Id.String(), *tok.JSON201.Token
}

// accountToken is a system account with the roles and a token valid for an hour; it returns
// the Authorization header value.
func (h *harness) accountToken(roles ...role) string {
	h.t.Helper()
	_, value := h.newToken(h.newSystemAccount(roles...), time.Hour)
	return "Bearer " + value
}

// newControlPlane creates a control plane as the owner and returns its id.
func (h *harness) newControlPlane() string {
	h.t.Helper()
	r, err := h.c.CreateControlPlaneWithResponse(h.ctx, client.CreateControlPlaneRequest{Name: "cp-" + uuid.NewString()[:8]})
	if err != nil {
		h.t.Fatal(err)
	}
	return r.JSON201.Id.String()
}

// newTeam creates a team with the roles and returns its id.
func (h *harness) newTeam(roles ...role) string {
	h.t.Helper()
	team, err := h.c.CreateTeamWithResponse(h.ctx, client.CreateTeamRequest{Name: "team-" + uuid.NewString()[:8]})
	if err != nil {
		h.t.Fatal(err)
	}
	for _, r := range roles {
		if _, err := h.c.TeamsAssignRoleWithResponse(h.ctx, *team.JSON201.Id, r.request()); err != nil {
			h.t.Fatalf("assigning %+v to the team: %v", r, err)
		}
	}
	return team.JSON201.Id.String()
}

// joinTeam adds a system account to a team.
func (h *harness) joinTeam(teamID, accountID string) {
	h.t.Helper()
	if _, err := h.c.PostTeamsTeamIdSystemAccountsWithResponse(h.ctx, teamID, client.AddSystemAccountToTeamRequest{Id: ptr(uuid.MustParse(accountID))}); err != nil {
		h.t.Fatal(err)
	}
}

// organizationAdminTeam is the id of the Organization Admin system team.
func (h *harness) organizationAdminTeam() string {
	h.t.Helper()
	teams, err := h.c.ListTeamsWithResponse(h.ctx, &client.ListTeamsParams{})
	if err != nil {
		h.t.Fatal(err)
	}
	for _, team := range teams.JSON200.Data {
		if team.Name == "Organization Admin" && *team.SystemTeam {
			return team.Id.String()
		}
	}
	h.t.Fatal("no Organization Admin team")
	return ""
}

// emulatorJSON is a decoded answer as JSON text, to look for a value anywhere in it.
func emulatorJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
