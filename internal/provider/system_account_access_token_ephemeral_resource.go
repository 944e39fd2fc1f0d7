package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// The ephemeral konnect_system_account_access_token makes a token for the length of one
// Terraform run (plan or apply) and deletes it when the run is done, so the token is never
// written to the state or the plan: typically for a second provider block acting as the
// system account.

var (
	_ ephemeral.EphemeralResourceWithConfigure = (*systemAccountAccessTokenEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithClose     = (*systemAccountAccessTokenEphemeral)(nil)
)

// NewSystemAccountAccessTokenEphemeralResource returns the ephemeral
// konnect_system_account_access_token.
func NewSystemAccountAccessTokenEphemeralResource() ephemeral.EphemeralResource {
	return &systemAccountAccessTokenEphemeral{}
}

type systemAccountAccessTokenEphemeral struct {
	client *client.Client
}

type ephemeralTokenModel struct {
	AccountID types.String `tfsdk:"account_id"`
	Name      types.String `tfsdk:"name"`
	ExpiresAt types.String `tfsdk:"expires_at"`
	ID        types.String `tfsdk:"id"`
	Token     types.String `tfsdk:"token"`
	CreatedAt types.String `tfsdk:"created_at"`
}

// ephemeralTokenKey is where Open leaves the token's location for Close.
const ephemeralTokenKey = "token"

type ephemeralTokenRef struct {
	AccountID string `json:"account_id"`
	ID        string `json:"id"`
}

func (e *systemAccountAccessTokenEphemeral) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_system_account_access_token"
}

func (e *systemAccountAccessTokenEphemeral) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "An access token of a system account that lasts one Terraform run: it is made when Terraform opens it and deleted when the run ends, " +
			"and never written to the state or the plan. Use it for `system_account_access_token` in a provider block that acts as the system account.",
		Attributes: map[string]schema.Attribute{
			"account_id": schema.StringAttribute{Required: true, MarkdownDescription: "The id of the system account the token authenticates as."},
			"name": schema.StringAttribute{Required: true, MarkdownDescription: "The start of the token's name: each token made is named `<name>-<8 hex digits>`, " +
				"because a run opens one token for its plan and another for its apply, and token names are unique in an account."},
			"expires_at": schema.StringAttribute{Required: true,
				MarkdownDescription: "When the token stops working at the latest (RFC 3339, such as `2030-01-01T00:00:00Z`). It is deleted when the run ends, " +
					"but Terraform does not always close ephemeral resources of a run that failed, so keep it short: `timeadd(plantimestamp(), \"1h\")`."},
			"id":         schema.StringAttribute{Computed: true, MarkdownDescription: "The token's id."},
			"token":      schema.StringAttribute{Computed: true, Sensitive: true, MarkdownDescription: "The token (`spat_...`)."},
			"created_at": schema.StringAttribute{Computed: true, MarkdownDescription: "When the token was made (RFC 3339)."},
		},
	}
}

func (e *systemAccountAccessTokenEphemeral) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.client = configuredClient(req.ProviderData, &resp.Diagnostics)
}

func (e *systemAccountAccessTokenEphemeral) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m ephemeralTokenModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	expires, err := time.Parse(time.RFC3339, m.ExpiresAt.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("expires_at"), "Invalid expires_at",
			fmt.Sprintf("%q is not an RFC 3339 time such as 2030-01-01T00:00:00Z.", m.ExpiresAt.ValueString()))
		return
	}
	account := m.AccountID.ValueString()
	body := client.CreateSystemAccountAccessTokenRequest{Name: m.Name.ValueString() + "-" + uuid.NewString()[:8], ExpiresAt: expires}
	res, err := e.client.PostSystemAccountsIdAccessTokensWithResponse(ctx, account, body)
	if err == nil && (res.JSON201 == nil || res.JSON201.Id == nil || res.JSON201.Token == nil) {
		err = fmt.Errorf("the API answered %d without the token", res.StatusCode())
	}
	if err != nil {
		resp.Diagnostics.Append(identityErrorDiagnostic("create", "system account access token", err, nil))
		return
	}
	created := res.JSON201
	ref, _ := json.Marshal(ephemeralTokenRef{AccountID: account, ID: created.Id.String()})
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, ephemeralTokenKey, ref)...)
	m.ID = types.StringValue(created.Id.String())
	m.Token = types.StringValue(*created.Token)
	m.CreatedAt = types.StringNull()
	if created.CreatedAt != nil {
		m.CreatedAt = types.StringValue(created.CreatedAt.Format(time.RFC3339Nano))
	}
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}

// Close deletes the token; one already gone (deleted by hand, or its account) is fine.
func (e *systemAccountAccessTokenEphemeral) Close(ctx context.Context, req ephemeral.CloseRequest, resp *ephemeral.CloseResponse) {
	raw, diags := req.Private.GetKey(ctx, ephemeralTokenKey)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() || raw == nil {
		return
	}
	var ref ephemeralTokenRef
	if err := json.Unmarshal(raw, &ref); err != nil {
		resp.Diagnostics.AddError("Unable to delete system account access token", "The token's id was not kept: "+err.Error())
		return
	}
	httpResp, err := e.client.DeleteSystemAccountsIdAccessTokensId(ctx, ref.AccountID, ref.ID)
	if httpResp != nil {
		_ = httpResp.Body.Close()
	}
	if err != nil && !client.IsNotFound(err) {
		resp.Diagnostics.Append(identityErrorDiagnostic("delete", "system account access token", err, nil))
	}
}
