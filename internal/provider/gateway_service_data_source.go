package provider

import (
	"context"
	"fmt"
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
		find: func(ctx context.Context, c *client.Client, cp client.ControlPlaneId, by, value string) (map[string]any, error) {
			if by == "id" {
				return readBody(c.GetService(ctx, cp, value)) //nolint:bodyclose // readBody closes it
			}
			// By name through the list's filter[name][eq] (a GET by name would take a name
			// that looks like a UUID for an id); the match is checked here too, so a server
			// that ignored the filter cannot hand back another service.
			services := client.All(ctx, func(ctx context.Context, offset *string) ([]client.Service, *string, error) {
				res, err := c.ListServiceWithResponse(ctx, cp, &client.ListServiceParams{FilterNameEq: &value, Offset: offset})
				if err != nil {
					return nil, nil, err
				}
				if res.JSON200 == nil {
					return nil, nil, fmt.Errorf("listing services: unexpected answer %d", res.StatusCode())
				}
				return client.Items(res.JSON200.Data), res.JSON200.Offset, nil
			})
			for service, err := range services {
				if err != nil {
					return nil, err
				}
				if service.Name != nil && *service.Name == value {
					return asMap(service)
				}
			}
			return nil, nil
		},
	}
}
