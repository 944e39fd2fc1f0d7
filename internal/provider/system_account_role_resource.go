package provider

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_system_account_role: a role given to a system account
// (/v3/system-accounts/{accountId}/assigned-roles). Kong's provider cannot import it; this one
// can, with {"account_id": "...", "id": "..."}.
var konnectSystemAccountRole = roleAssignmentDef("system_account_role", "system account", "account_id", identityAPI{
	create: func(ctx context.Context, c *client.Client, account string, body io.Reader) (*http.Response, error) {
		return c.PostSystemAccountsAccountIdAssignedRolesWithBody(ctx, account, jsonContent, body)
	},
	read: func(ctx context.Context, c *client.Client, account, id string) (*http.Response, error) {
		return c.GetSystemAccountRole(ctx, account, id)
	},
	remove: func(ctx context.Context, c *client.Client, account, id string) (*http.Response, error) {
		return c.DeleteSystemAccountsAccountIdAssignedRolesRoleId(ctx, account, id)
	},
}, func(ctx context.Context, c *client.Client, account string) ([]client.AssignedRole, error) {
	res, err := c.GetSystemAccountsAccountIdAssignedRolesWithResponse(ctx, account, &client.GetSystemAccountsAccountIdAssignedRolesParams{})
	if err != nil {
		return nil, err
	}
	if res.JSON200 == nil {
		return nil, fmt.Errorf("listing the system account's roles: unexpected answer %d", res.StatusCode())
	}
	return res.JSON200.Data, nil
})
