package provider

import (
	"context"
	"io"
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_gateway_sni.
var gatewaySNI = &entityDef{
	typeName:    "gateway_sni",
	entity:      "SNI",
	schemaName:  "SNI",
	description: "A server name (TLS SNI) served with a certificate.",
	api: entityAPI{
		get: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.GetSni(ctx, k.cp, k.id)
		},
		put: func(ctx context.Context, c *client.Client, k entityKey, body io.Reader) (*http.Response, error) {
			return c.UpsertSniWithBody(ctx, k.cp, k.id, jsonContent, body)
		},
		del: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.DeleteSni(ctx, k.cp, k.id)
		},
	},
}
