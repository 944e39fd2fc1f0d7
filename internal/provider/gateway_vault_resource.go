package provider

import (
	"context"
	"io"
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_gateway_vault.
var gatewayVault = &entityDef{
	typeName:    "gateway_vault",
	entity:      "vault",
	schemaName:  "Vault",
	description: "A vault: where `{vault://...}` references in plugin settings are resolved.",
	fields: fieldOptions{
		jsonText: []string{"config"},
		// A vault's config holds its backend's credentials (tokens, secret keys): hidden whole.
		sensitive: []string{"config"},
	},
	api: entityAPI{
		get: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.GetVault(ctx, k.cp, k.id)
		},
		put: func(ctx context.Context, c *client.Client, k entityKey, body io.Reader) (*http.Response, error) {
			return c.UpsertVaultWithBody(ctx, k.cp, k.id, jsonContent, body)
		},
		del: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.DeleteVault(ctx, k.cp, k.id)
		},
	},
}
