package provider

import (
	"context"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// NewGatewayControlPlaneDataSource returns the konnect_gateway_control_plane data source.
func NewGatewayControlPlaneDataSource() datasource.DataSource {
	return &entityDataSource{
		typeName:    "gateway_control_plane",
		entity:      "control plane",
		description: "Reads a control plane by its id or name, for example the emulator's `default` one.",
		attributes: func() map[string]rschema.Attribute {
			var resp resource.SchemaResponse
			NewGatewayControlPlaneResource().Schema(context.Background(), resource.SchemaRequest{}, &resp)
			return resp.Schema.Attributes
		},
		lookups: []string{"id", "name"},
		find: func(ctx context.Context, c *client.Client, _ client.ControlPlaneId, by, value string) (map[string]any, error) {
			if by == "id" {
				id, err := uuid.Parse(value)
				if err != nil {
					return nil, nil //nolint:nilerr // not an id, so no control plane has it: "not found"
				}
				return readBody(c.GetControlPlane(ctx, id)) //nolint:bodyclose // readBody closes it
			}
			return findControlPlaneByName(ctx, c, value)
		},
		adjust: liftControlPlaneConfig,
	}
}
