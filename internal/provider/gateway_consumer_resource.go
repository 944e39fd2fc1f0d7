package provider

import (
	"context"
	"io"
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_gateway_consumer: a client of the APIs, identified by its credentials.
var gatewayConsumer = &entityDef{
	typeName:    "gateway_consumer",
	entity:      "consumer",
	schemaName:  "Consumer",
	description: "A consumer: a client of the gateway's APIs, identified by its credentials (`konnect_gateway_key_auth` and the others) and targeted by plugins scoped to it.",
	api: entityAPI{
		get: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.GetConsumer(ctx, k.cp, k.id)
		},
		put: func(ctx context.Context, c *client.Client, k entityKey, body io.Reader) (*http.Response, error) {
			return c.UpsertConsumerWithBody(ctx, k.cp, k.id, jsonContent, body)
		},
		del: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.DeleteConsumer(ctx, k.cp, k.id)
		},
	},
}
