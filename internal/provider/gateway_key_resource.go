package provider

import (
	"context"
	"io"
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_gateway_key.
var gatewayKey = &entityDef{
	typeName:    "gateway_key",
	entity:      "key",
	schemaName:  "Key",
	description: "A key (JWK or PEM) used by plugins that sign or verify, optionally in a key set.",
	fields: fieldOptions{
		sensitive: []string{"pem.private_key", "jwk"},
	},
	api: entityAPI{
		get: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.GetKey(ctx, k.cp, k.id)
		},
		put: func(ctx context.Context, c *client.Client, k entityKey, body io.Reader) (*http.Response, error) {
			return c.UpsertKeyWithBody(ctx, k.cp, k.id, jsonContent, body)
		},
		del: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.DeleteKey(ctx, k.cp, k.id)
		},
	},
}
