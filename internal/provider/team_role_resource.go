package provider

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_team_role: a role given to a team (/v3/teams/{teamId}/assigned-roles). Kong's
// provider cannot import it; this one can, with {"id": "...", "team_id": "..."}.
var konnectTeamRole = roleAssignmentDef("team_role", "team", "team_id", identityAPI{
	create: func(ctx context.Context, c *client.Client, team string, body io.Reader) (*http.Response, error) {
		t, err := parseID("team", team)
		if err != nil {
			return nil, err
		}
		return c.TeamsAssignRoleWithBody(ctx, t, jsonContent, body)
	},
	read: func(ctx context.Context, c *client.Client, team, id string) (*http.Response, error) {
		t, r, err := teamAndRole(team, id)
		if err != nil {
			return nil, err
		}
		return c.GetTeamRole(ctx, t, r)
	},
	remove: func(ctx context.Context, c *client.Client, team, id string) (*http.Response, error) {
		t, r, err := teamAndRole(team, id)
		if err != nil {
			return nil, err
		}
		return c.TeamsRemoveRole(ctx, t, r)
	},
}, func(ctx context.Context, c *client.Client, team string) ([]client.AssignedRole, error) {
	t, err := parseID("team", team)
	if err != nil {
		return nil, err
	}
	res, err := c.ListTeamRolesWithResponse(ctx, t, &client.ListTeamRolesParams{})
	if err != nil {
		return nil, err
	}
	if res.JSON200 == nil {
		return nil, fmt.Errorf("listing the team's roles: unexpected answer %d", res.StatusCode())
	}
	return res.JSON200.Data, nil
})

func teamAndRole(team, id string) (client.TeamId, client.RoleId, error) {
	t, err := parseID("team", team)
	if err != nil {
		return t, t, err
	}
	r, err := parseID("team role", id)
	return t, r, err
}
