package provider

import (
	"bytes"
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_system_account_team is a membership, not an object: it has no id of its own and no
// update. Unlike Kong's provider, it can be imported.

var (
	_ resource.ResourceWithConfigure   = (*systemAccountTeamResource)(nil)
	_ resource.ResourceWithImportState = (*systemAccountTeamResource)(nil)
)

// NewSystemAccountTeamResource returns the konnect_system_account_team resource.
func NewSystemAccountTeamResource() resource.Resource { return &systemAccountTeamResource{} }

type systemAccountTeamResource struct {
	client *client.Client
}

type systemAccountTeamModel struct {
	AccountID types.String `tfsdk:"account_id"`
	TeamID    types.String `tfsdk:"team_id"`
}

func (r *systemAccountTeamResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_system_account_team"
}

func (r *systemAccountTeamResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Makes a system account a member of a team, so it has the team's roles.",
		Attributes: map[string]schema.Attribute{
			"account_id": schema.StringAttribute{Required: true, PlanModifiers: replace,
				MarkdownDescription: "The system account's id."},
			"team_id": schema.StringAttribute{Required: true, PlanModifiers: replace,
				MarkdownDescription: "The team's id."},
		},
	}
}

func (r *systemAccountTeamResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configuredClient(req.ProviderData, &resp.Diagnostics)
}

func (r *systemAccountTeamResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m systemAccountTeamModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	account, team := m.AccountID.ValueString(), m.TeamID.ValueString()
	body := map[string]any{"id": account}
	// A membership is unique by its account and team: after a lost answer, an existing one
	// is the one this create made.
	_, err := createOnce(
		func() (struct{}, error) {
			httpResp, err := r.client.PostTeamsTeamIdSystemAccountsWithBody(ctx, team, jsonContent, bytes.NewReader(mustJSON(body)))
			if httpResp != nil {
				_ = httpResp.Body.Close()
			}
			return struct{}{}, err
		},
		func() (struct{}, bool, error) {
			member, err := r.isMember(ctx, account, team)
			return struct{}{}, member, err
		})
	if err != nil {
		resp.Diagnostics.Append(identityErrorDiagnostic("add", "system account to team", err, nil))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *systemAccountTeamResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m systemAccountTeamModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	member, err := r.isMember(ctx, m.AccountID.ValueString(), m.TeamID.ValueString())
	switch {
	case client.IsNotFound(err) || err == nil && !member:
		// The account, the team or the membership went away outside Terraform.
		resp.State.RemoveResource(ctx)
	case err != nil:
		resp.Diagnostics.Append(identityErrorDiagnostic("read", "system account's teams", err, nil))
	default:
		resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	}
}

// isMember pages through the account's teams.
func (r *systemAccountTeamResource) isMember(ctx context.Context, account, team string) (bool, error) {
	teams := client.AllNumbered(ctx, func(ctx context.Context, n int) ([]client.Team, int, error) {
		res, err := r.client.GetSystemAccountsAccountIdTeamsWithResponse(ctx, account, &client.GetSystemAccountsAccountIdTeamsParams{PageNumber: &n})
		if err != nil {
			return nil, 0, err
		}
		if res.JSON200 == nil {
			return nil, 0, fmt.Errorf("listing the system account's teams: unexpected answer %d", res.StatusCode())
		}
		return res.JSON200.Data, int(res.JSON200.Meta.Page.Total), nil
	})
	for t, err := range teams {
		if err != nil {
			return false, err
		}
		if t.Id != nil && t.Id.String() == team {
			return true, nil
		}
	}
	return false, nil
}

// Update is never called: every attribute forces a new membership.
func (r *systemAccountTeamResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m systemAccountTeamModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *systemAccountTeamResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m systemAccountTeamModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	httpResp, err := r.client.DeleteTeamsTeamIdSystemAccountsAccountId(ctx, m.TeamID.ValueString(), m.AccountID.ValueString())
	if httpResp != nil {
		_ = httpResp.Body.Close()
	}
	if err != nil && !client.IsNotFound(err) {
		resp.Diagnostics.Append(identityErrorDiagnostic("remove", "system account from team", err, nil))
	}
}

// ImportState takes {"account_id": "...", "team_id": "..."}.
func (r *systemAccountTeamResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importJSONID(ctx, req, resp, []string{"account_id", "team_id"})
}
