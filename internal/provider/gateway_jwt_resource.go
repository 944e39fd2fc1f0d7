package provider

import (
	"context"
	"io"
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_gateway_jwt.
var gatewayJWT = &entityDef{
	typeName:    "gateway_jwt",
	entity:      "JWT credential",
	schemaName:  "JWT",
	description: "A JWT credential of a consumer: the key and secret (or public key) the jwt plugin verifies tokens with.",
	parent:      &parentDef{attr: "consumer_id", field: "consumer", entity: "consumer"},
	fields: fieldOptions{
		skip:      []string{"consumer"},
		sensitive: []string{"secret"},
		generated: []string{"key", "secret"},
	},
	api: entityAPI{
		get: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.GetJwtWithConsumer(ctx, k.cp, k.parent, k.id)
		},
		put: func(ctx context.Context, c *client.Client, k entityKey, body io.Reader) (*http.Response, error) {
			return c.UpsertJwtWithConsumerWithBody(ctx, k.cp, k.parent, k.id, jsonContent, body)
		},
		del: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.DeleteJwtWithConsumer(ctx, k.cp, k.parent, k.id)
		},
	},
}
