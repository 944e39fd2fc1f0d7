package provider

import (
	"context"
	"io"
	"net/http"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_team: a Konnect team (/v3/teams). Labels are set by a patch after the create, as
// the create request does not take them.
var konnectTeam = &identityDef{
	typeName:    "team",
	entity:      "team",
	description: "A Konnect team: users and system accounts that roles are given to together (`konnect_team_role`, `konnect_system_account_team`).",
	attributes: timestampAttributes("team", map[string]schema.Attribute{
		"name": schema.StringAttribute{Required: true, MarkdownDescription: "The team's name (1 to 250 characters). Names need not be unique."},
		"description": schema.StringAttribute{Optional: true, Computed: true,
			MarkdownDescription: "What the team is for (1 to 250 characters). Removing it from the configuration keeps the team's description: the API cannot clear it."},
		"labels": schema.MapAttribute{Optional: true, ElementType: types.StringType,
			MarkdownDescription: "Labels to filter and search by. Keys are 1 to 63 characters and cannot start with `kong`, `konnect`, `mesh`, `kic` or `_`."},
		"system_team": readOnlyBool("Whether the team is one of Konnect's own (such as Organization Admin), which cannot be changed."),
	}),
	createFields: []string{"name", "description"},
	updateFields: []string{"name", "description", "labels"},
	api: identityAPI{
		create: func(ctx context.Context, c *client.Client, _ string, body io.Reader) (*http.Response, error) {
			return c.CreateTeamWithBody(ctx, jsonContent, body)
		},
		read: func(ctx context.Context, c *client.Client, _, id string) (*http.Response, error) {
			u, err := parseID("team", id)
			if err != nil {
				return nil, err
			}
			return c.GetTeam(ctx, u)
		},
		update: func(ctx context.Context, c *client.Client, _, id string, body io.Reader) (*http.Response, error) {
			u, err := parseID("team", id)
			if err != nil {
				return nil, err
			}
			return c.UpdateTeamWithBody(ctx, u, jsonContent, body)
		},
		remove: func(ctx context.Context, c *client.Client, _, id string) (*http.Response, error) {
			u, err := parseID("team", id)
			if err != nil {
				return nil, err
			}
			return c.DeleteTeam(ctx, u)
		},
	},
}
