package provider

import (
	"context"
	"io"
	"net/http"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_system_account: a machine identity (/v3/system-accounts) that holds access tokens
// and roles.
var konnectSystemAccount = &identityDef{
	typeName:    "system_account",
	entity:      "system account",
	description: "A Konnect system account: an identity for automation. Give it roles (`konnect_system_account_role`) or teams (`konnect_system_account_team`) and access tokens (`konnect_system_account_access_token`).",
	attributes: timestampAttributes("system account", map[string]schema.Attribute{
		"name":        schema.StringAttribute{Required: true, MarkdownDescription: "The system account's name."},
		"description": schema.StringAttribute{Required: true, MarkdownDescription: "What the system account is for, to tell it from others."},
		"konnect_managed": schema.BoolAttribute{Optional: true, Computed: true,
			MarkdownDescription: "Whether Konnect manages the account (defaults to `false`). Changing it makes a new system account.",
			PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown(), boolplanmodifier.RequiresReplaceIfConfigured()}},
	}),
	createFields: []string{"name", "description", "konnect_managed"},
	updateFields: []string{"name", "description"},
	api: identityAPI{
		create: func(ctx context.Context, c *client.Client, _ string, body io.Reader) (*http.Response, error) {
			return c.PostSystemAccountsWithBody(ctx, jsonContent, body)
		},
		read: func(ctx context.Context, c *client.Client, _, id string) (*http.Response, error) {
			return c.GetSystemAccountsId(ctx, id)
		},
		update: func(ctx context.Context, c *client.Client, _, id string, body io.Reader) (*http.Response, error) {
			return c.PatchSystemAccountsIdWithBody(ctx, id, jsonContent, body)
		},
		remove: func(ctx context.Context, c *client.Client, _, id string) (*http.Response, error) {
			return c.DeleteSystemAccountsId(ctx, id)
		},
	},
}
