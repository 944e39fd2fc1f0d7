package provider

import (
	"context"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// NewGatewayServiceDataSource returns the konnect_gateway_service data source.
func NewGatewayServiceDataSource() datasource.DataSource {
	return &entityDataSource{
		typeName:    "gateway_service",
		entity:      "service",
		description: "Reads a service by its id or name.",
		attributes: func() map[string]rschema.Attribute {
			attrs := maps.Clone(gatewayService.resourceSchema().Attributes)
			delete(attrs, "url") // write-only: the API never returns it
			return attrs
		},
		lookups:        []string{"id", "name"},
		inControlPlane: true,
		find: func(ctx context.Context, c *client.Client, cp client.ControlPlaneId, _, value string) (map[string]any, error) {
			// The API's GET takes an id or a name.
			return readBody(c.GetService(ctx, cp, value)) //nolint:bodyclose // readBody closes it
		},
	}
}
