package provider

import (
	"context"
	"io"
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_gateway_key_auth.
var gatewayKeyAuth = &entityDef{
	typeName:    "gateway_key_auth",
	entity:      "key-auth credential",
	schemaName:  "KeyAuth",
	description: "An API key of a consumer, checked by the key-auth plugin.",
	parent:      &parentDef{attr: "consumer_id", field: "consumer", entity: "consumer"},
	fields: fieldOptions{
		skip:      []string{"consumer"},
		sensitive: []string{"key"},
		generated: []string{"key"},
	},
	api: entityAPI{
		get: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.GetKeyAuthWithConsumer(ctx, k.cp, k.parent, k.id)
		},
		put: func(ctx context.Context, c *client.Client, k entityKey, body io.Reader) (*http.Response, error) {
			return c.UpsertKeyAuthWithConsumerWithBody(ctx, k.cp, k.parent, k.id, jsonContent, body)
		},
		del: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.DeleteKeyAuthWithConsumer(ctx, k.cp, k.parent, k.id)
		},
	},
}
