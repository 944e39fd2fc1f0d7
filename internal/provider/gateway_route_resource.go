package provider

import (
	"context"
	"io"
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_gateway_route.
var gatewayRoute = &entityDef{
	typeName:    "gateway_route",
	entity:      "route",
	schemaName:  "Route",
	description: "A route: the rules (paths, hosts, methods, headers...) that match client requests and send them to a service.",
	api: entityAPI{
		get: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.GetRoute(ctx, k.cp, k.id)
		},
		put: func(ctx context.Context, c *client.Client, k entityKey, body io.Reader) (*http.Response, error) {
			return c.UpsertRouteWithBody(ctx, k.cp, k.id, jsonContent, body)
		},
		del: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.DeleteRoute(ctx, k.cp, k.id)
		},
	},
}
