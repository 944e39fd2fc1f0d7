package provider

import (
	"context"
	"io"
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_gateway_consumer_group.
var gatewayConsumerGroup = &entityDef{
	typeName:    "gateway_consumer_group",
	entity:      "consumer group",
	schemaName:  "ConsumerGroup",
	description: "A consumer group: consumers that share plugin settings (for example a rate-limiting tier).",
	wrapper:     "consumer_group",
	api: entityAPI{
		get: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.GetConsumerGroup(ctx, k.cp, k.id, nil)
		},
		put: func(ctx context.Context, c *client.Client, k entityKey, body io.Reader) (*http.Response, error) {
			return c.UpsertConsumerGroupWithBody(ctx, k.cp, k.id, jsonContent, body)
		},
		del: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.DeleteConsumerGroup(ctx, k.cp, k.id)
		},
	},
}
