package provider

import (
	"context"
	"fmt"
	"iter"

	"github.com/hashicorp/terraform-plugin-framework/datasource"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// NewSystemAccountDataSource returns the konnect_system_account data source.
func NewSystemAccountDataSource() datasource.DataSource {
	return &identityDataSource{
		def:           konnectSystemAccount,
		description:   "Reads a Konnect system account by name or description (`filter = { name = { eq = \"...\" } }`), or whether Konnect manages it.",
		stringFilters: []string{"name", "description"},
		boolFilters:   []string{"konnect_managed"},
		list: func(ctx context.Context, c *client.Client, filter map[string]any) iter.Seq2[map[string]any, error] {
			return identityList(ctx, filter, func(ctx context.Context, params client.GetSystemAccountsParams, n int) ([]client.SystemAccount, int, error) {
				params.PageNumber = &n
				res, err := c.GetSystemAccountsWithResponse(ctx, &params)
				if err != nil {
					return nil, 0, err
				}
				if res.JSON200 == nil {
					return nil, 0, fmt.Errorf("listing system accounts: unexpected answer %d", res.StatusCode())
				}
				return res.JSON200.Data, int(res.JSON200.Meta.Page.Total), nil
			})
		},
	}
}
