package provider

import (
	"context"
	"io"
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_gateway_service.
var gatewayService = &entityDef{
	typeName:    "gateway_service",
	entity:      "service",
	schemaName:  "Service",
	description: "A service: an upstream API the gateway proxies to, reached by the routes that point at it.",
	fields: fieldOptions{
		skip: []string{"url"},
	},
	api: entityAPI{
		get: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.GetService(ctx, k.cp, k.id)
		},
		put: func(ctx context.Context, c *client.Client, k entityKey, body io.Reader) (*http.Response, error) {
			return c.UpsertServiceWithBody(ctx, k.cp, k.id, jsonContent, body)
		},
		del: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.DeleteService(ctx, k.cp, k.id)
		},
	},
}
