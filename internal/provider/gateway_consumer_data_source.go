package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// NewGatewayConsumerDataSource returns the konnect_gateway_consumer data source.
func NewGatewayConsumerDataSource() datasource.DataSource {
	return &entityDataSource{
		typeName:       "gateway_consumer",
		entity:         "consumer",
		description:    "Reads a consumer by its id, username or custom_id.",
		attributes:     func() map[string]rschema.Attribute { return gatewayConsumer.resourceSchema().Attributes },
		lookups:        []string{"id", "username", "custom_id"},
		inControlPlane: true,
		find: func(ctx context.Context, c *client.Client, cp client.ControlPlaneId, by, value string) (map[string]any, error) {
			if by != "custom_id" {
				// The API's GET takes an id or a username.
				return readBody(c.GetConsumer(ctx, cp, value)) //nolint:bodyclose // readBody closes it
			}
			// The API filters by custom_id; the match is checked here too, so a server that
			// ignored the filter cannot hand back another consumer.
			for consumer, err := range c.Consumers(ctx, cp, client.ListConsumerParams{CustomId: &value}) {
				if err != nil {
					return nil, err
				}
				if consumer.CustomId != nil && *consumer.CustomId == value {
					return asMap(consumer)
				}
			}
			return nil, nil
		},
	}
}
