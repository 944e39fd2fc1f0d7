package provider

import (
	"context"
	"io"
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_gateway_acl.
var gatewayACL = &entityDef{
	typeName:    "gateway_acl",
	entity:      "ACL",
	schemaName:  "ACL",
	description: "An ACL group membership of a consumer, checked by the acl plugin.",
	parent:      &parentDef{attr: "consumer_id", field: "consumer", entity: "consumer"},
	fields: fieldOptions{
		skip:     []string{"consumer"},
		required: []string{"group"},
	},
	api: entityAPI{
		get: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.GetAclWithConsumer(ctx, k.cp, k.parent, k.id)
		},
		put: func(ctx context.Context, c *client.Client, k entityKey, body io.Reader) (*http.Response, error) {
			return c.UpsertAclWithConsumerWithBody(ctx, k.cp, k.parent, k.id, jsonContent, body)
		},
		del: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.DeleteAclWithConsumer(ctx, k.cp, k.parent, k.id)
		},
	},
}
