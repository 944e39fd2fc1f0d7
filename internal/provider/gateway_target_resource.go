package provider

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_gateway_target.
var gatewayTarget = &entityDef{
	typeName:    "gateway_target",
	entity:      "target",
	schemaName:  "Target",
	description: "A target of an upstream: an address traffic is balanced to, with a weight.",
	parent:      &parentDef{attr: "upstream_id", field: "upstream", entity: "upstream"},
	fields: fieldOptions{
		skip: []string{"upstream"},
	},
	// Kong adds the default port 8000 to a target written without one.
	keepConfigured: []string{"target"},
	matches: func(configured, stored any, _ map[string]any) bool {
		return configured == stored || fmt.Sprint(configured)+":8000" == stored
	},
	api: entityAPI{
		get: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.GetTargetWithUpstream(ctx, k.cp, k.parent, k.id)
		},
		put: func(ctx context.Context, c *client.Client, k entityKey, body io.Reader) (*http.Response, error) {
			return c.UpsertTargetWithUpstreamWithBody(ctx, k.cp, k.parent, k.id, jsonContent, body)
		},
		del: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.DeleteTargetWithUpstream(ctx, k.cp, k.parent, k.id)
		},
	},
}
