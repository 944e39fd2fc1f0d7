package provider

import (
	"context"
	"io"
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_gateway_upstream.
var gatewayUpstream = &entityDef{
	typeName:    "gateway_upstream",
	entity:      "upstream",
	schemaName:  "Upstream",
	description: "An upstream: a load balancer over targets. A service whose `host` is the upstream's `name` is balanced over its targets.",
	api: entityAPI{
		get: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.GetUpstream(ctx, k.cp, k.id)
		},
		put: func(ctx context.Context, c *client.Client, k entityKey, body io.Reader) (*http.Response, error) {
			return c.UpsertUpstreamWithBody(ctx, k.cp, k.id, jsonContent, body)
		},
		del: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.DeleteUpstream(ctx, k.cp, k.id)
		},
	},
}
