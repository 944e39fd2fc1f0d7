package provider

import (
	"context"
	"fmt"
	"iter"

	"github.com/hashicorp/terraform-plugin-framework/datasource"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// NewTeamDataSource returns the konnect_team data source.
func NewTeamDataSource() datasource.DataSource {
	return &identityDataSource{
		def:           konnectTeam,
		description:   "Reads a Konnect team by name (`filter = { name = { eq = \"...\" } }`), for example to give one of Konnect's own teams a role.",
		stringFilters: []string{"name"},
		list: func(ctx context.Context, c *client.Client, filter map[string]any) iter.Seq2[map[string]any, error] {
			return identityList(ctx, filter, func(ctx context.Context, params client.ListTeamsParams, n int) ([]client.Team, int, error) {
				params.PageNumber = &n
				res, err := c.ListTeamsWithResponse(ctx, &params)
				if err != nil {
					return nil, 0, err
				}
				if res.JSON200 == nil {
					return nil, 0, fmt.Errorf("listing teams: unexpected answer %d", res.StatusCode())
				}
				return res.JSON200.Data, int(res.JSON200.Meta.Page.Total), nil
			})
		},
	}
}

// identityList pages through a numbered identity list for a filter, each item as JSON.
func identityList[P, T any](ctx context.Context, filter map[string]any, page func(ctx context.Context, params P, n int) ([]T, int, error)) iter.Seq2[map[string]any, error] {
	return func(yield func(map[string]any, error) bool) {
		params, err := listParams[P](filter)
		if err != nil {
			yield(nil, err)
			return
		}
		items := client.AllNumbered(ctx, func(ctx context.Context, n int) ([]T, int, error) { return page(ctx, params, n) })
		for item, err := range items {
			var m map[string]any
			if err == nil {
				m, err = asMap(item)
			}
			if !yield(m, err) || err != nil {
				return
			}
		}
	}
}
