package provider

import (
	"context"
	"io"
	"net/http"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_system_account_access_token: a token (spat_...) of a system account. The API shows
// its value once, in the answer to the create; the state keeps it from then on. The ephemeral
// resource of the same name makes one that is never stored.
var konnectSystemAccountAccessToken = &identityDef{
	typeName: "system_account_access_token",
	entity:   "system account access token",
	description: "An access token of a system account, for `system_account_access_token` in a provider block or `KONNECT_SPAT`. " +
		"The token is kept in the state (sensitive); to keep it out, use the ephemeral resource `konnect_system_account_access_token`.",
	parent:            "account_id",
	parentDescription: "The id of the system account the token authenticates as.",
	attributes: timestampAttributes("token", map[string]schema.Attribute{
		"name": schema.StringAttribute{Required: true, MarkdownDescription: "The token's name."},
		"expires_at": schema.StringAttribute{Required: true,
			MarkdownDescription: "When the token stops working (RFC 3339, such as `2030-01-01T00:00:00Z`). Changing it makes a new token.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()}},
		"token": schema.StringAttribute{Computed: true, Sensitive: true,
			MarkdownDescription: "The token (`spat_...`). The API shows it only when the token is made, so an imported token has none.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
		"last_used_at": readOnlyString("When the token was last used (RFC 3339).", false),
	}),
	createFields: []string{"name", "expires_at"},
	updateFields: []string{"name"},
	writeOnce:    []string{"token"},
	importKeys:   []string{"account_id", "id"},
	api: identityAPI{
		create: func(ctx context.Context, c *client.Client, account string, body io.Reader) (*http.Response, error) {
			return c.PostSystemAccountsIdAccessTokensWithBody(ctx, account, jsonContent, body)
		},
		read: func(ctx context.Context, c *client.Client, account, id string) (*http.Response, error) {
			return c.GetSystemAccountsIdAccessTokensId(ctx, account, id)
		},
		update: func(ctx context.Context, c *client.Client, account, id string, body io.Reader) (*http.Response, error) {
			return c.PatchSystemAccountsIdAccessTokensIdWithBody(ctx, account, id, jsonContent, body)
		},
		remove: func(ctx context.Context, c *client.Client, account, id string) (*http.Response, error) {
			return c.DeleteSystemAccountsIdAccessTokensId(ctx, account, id)
		},
	},
}
