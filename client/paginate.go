package client

import (
	"context"
	"fmt"
	"iter"
)

// OffsetPageFunc fetches one page of a core-entity list (Kong's style): the items and the
// offset of the next page, empty or nil on the last page.
type OffsetPageFunc[T any] func(ctx context.Context, offset *string) (items []T, next *string, err error)

// All walks every page of a core-entity list in order and yields each item once. It stops at
// the first error (yielded with a zero item) or when the caller stops ranging.
//
//	for c, err := range client.All(ctx, func(ctx context.Context, off *string) ([]client.Consumer, *string, error) {
//		r, err := c.ListConsumerWithResponse(ctx, cpID, &client.ListConsumerParams{Offset: off})
//		if err != nil {
//			return nil, nil, err
//		}
//		return client.Items(r.JSON200.Data), r.JSON200.Offset, nil
//	}) { ... }
func All[T any](ctx context.Context, fetch OffsetPageFunc[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		var offset *string
		seen := map[string]bool{}
		for {
			items, next, err := fetch(ctx, offset)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if next == nil || *next == "" {
				return
			}
			// A server that hands out the same offset twice would make this loop forever.
			if seen[*next] {
				yield(zero, fmt.Errorf("pagination: the server returned offset %q twice", *next))
				return
			}
			seen[*next] = true
			offset = next
		}
	}
}

// NumberedPageFunc fetches page number n (from 1) of a Konnect-native list and reports the total
// number of items.
type NumberedPageFunc[T any] func(ctx context.Context, n int) (items []T, total int, err error)

// AllNumbered walks a Konnect-native list (page[number], page[size]; control planes and the like)
// and yields each item once.
func AllNumbered[T any](ctx context.Context, fetch NumberedPageFunc[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		count := 0
		for n := 1; ; n++ {
			items, total, err := fetch(ctx, n)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			count += len(items)
			if len(items) == 0 || count >= total {
				return
			}
		}
	}
}

// Items dereferences a generated list's optional data slice.
func Items[T any](p *[]T) []T {
	if p == nil {
		return nil
	}
	return *p
}

// ControlPlanes yields every control plane matching params (its page number is managed here).
func (c *Client) ControlPlanes(ctx context.Context, params ListControlPlanesParams) iter.Seq2[ControlPlane, error] {
	return AllNumbered(ctx, func(ctx context.Context, n int) ([]ControlPlane, int, error) {
		p := params
		p.PageNumber = &n
		r, err := c.ListControlPlanesWithResponse(ctx, &p)
		if err != nil {
			return nil, 0, err
		}
		if r.JSON200 == nil {
			return nil, 0, fmt.Errorf("listing control planes: unexpected answer %d", r.StatusCode())
		}
		return r.JSON200.Data, int(r.JSON200.Meta.Page.Total), nil
	})
}

// Consumers yields every consumer of a control plane matching params.
func (c *Client) Consumers(ctx context.Context, cpID ControlPlaneId, params ListConsumerParams) iter.Seq2[Consumer, error] {
	return All(ctx, func(ctx context.Context, offset *string) ([]Consumer, *string, error) {
		p := params
		p.Offset = offset
		r, err := c.ListConsumerWithResponse(ctx, cpID, &p)
		if err != nil {
			return nil, nil, err
		}
		if r.JSON200 == nil {
			return nil, nil, fmt.Errorf("listing consumers: unexpected answer %d", r.StatusCode())
		}
		return Items(r.JSON200.Data), r.JSON200.Offset, nil
	})
}
