package provider

import (
	"context"
	"io"
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_gateway_hmac_auth.
var gatewayHMACAuth = &entityDef{
	typeName:    "gateway_hmac_auth",
	entity:      "HMAC credential",
	schemaName:  "HMACAuth",
	description: "An HMAC credential of a consumer, checked by the hmac-auth plugin.",
	parent:      &parentDef{attr: "consumer_id", field: "consumer", entity: "consumer"},
	fields: fieldOptions{
		skip:      []string{"consumer"},
		sensitive: []string{"secret"},
		generated: []string{"secret"},
		required:  []string{"username"},
	},
	api: entityAPI{
		get: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.GetHmacAuthWithConsumer(ctx, k.cp, k.parent, k.id)
		},
		put: func(ctx context.Context, c *client.Client, k entityKey, body io.Reader) (*http.Response, error) {
			return c.UpsertHmacAuthWithConsumerWithBody(ctx, k.cp, k.parent, k.id, jsonContent, body)
		},
		del: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.DeleteHmacAuthWithConsumer(ctx, k.cp, k.parent, k.id)
		},
	},
}
