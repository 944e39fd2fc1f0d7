package identity

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// Konnect's page[size] default for identity lists, and the largest it takes.
const (
	defaultPageSize = 10
	maxPageSize     = 100
)

// page cuts one page[number] of page[size] out of all, with the meta Konnect returns.
func page[T any](w http.ResponseWriter, r *http.Request, all []T) (items []T, meta client.PaginatedMeta, ok bool) {
	size, number := defaultPageSize, 1
	q := r.URL.Query()
	for _, p := range []struct {
		name string
		into *int
	}{{"page[size]", &size}, {"page[number]", &number}} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || p.name == "page[size]" && n > maxPageSize {
			reason := "must be a whole number, at least 1"
			if p.name == "page[size]" {
				reason = "must be a whole number from 1 to " + strconv.Itoa(maxPageSize)
			}
			WriteProblem(w, r, http.StatusBadRequest, "Bad Request", "", client.InvalidParameter{
				Field: p.name, Reason: reason, Rule: ptr(client.Invalid), Source: ptr("query"),
			})
			return nil, meta, false
		}
		*p.into = n
	}
	start := min((number-1)*size, len(all))
	end := min(start+size, len(all))
	items = all[start:end]
	if items == nil {
		items = []T{}
	}
	meta.Page.Number, meta.Page.Size, meta.Page.Total = int32(number), int32(size), int32(len(all)) //nolint:gosec // bounded by the store
	return items, meta, true
}

// fieldFilter is one filter[field][op]=value of a list request.
type fieldFilter struct {
	field, op, value string
}

// filtersOf reads the request's filter[field][op] parameters. The emulator's filter check has
// refused those the spec does not declare for the operation, and written filter[field]=v as
// filter[field][eq]=v where the spec declares eq.
func filtersOf(r *http.Request) []fieldFilter {
	var out []fieldFilter
	for name, values := range r.URL.Query() {
		rest, ok := strings.CutPrefix(name, "filter[")
		if !ok {
			continue
		}
		field, rest, _ := strings.Cut(rest, "]")
		op := strings.TrimSuffix(strings.TrimPrefix(rest, "["), "]")
		if op == "" {
			op = "eq"
		}
		for _, v := range values {
			out = append(out, fieldFilter{field: field, op: op, value: v})
		}
	}
	return out
}

// matches applies the filters to an entity's fields (as the query string spells them).
func matches(filters []fieldFilter, fields map[string]string) bool {
	for _, f := range filters {
		have, present := fields[f.field]
		switch f.op {
		case "eq":
			if !present || have != f.value {
				return false
			}
		case "contains":
			if !present || !strings.Contains(have, f.value) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// filterList keeps the items whose fields match the request's filters.
func filterList[T any](r *http.Request, all []T, fields func(T) map[string]string) []T {
	filters := filtersOf(r)
	if len(filters) == 0 {
		return all
	}
	return slices.DeleteFunc(all, func(v T) bool { return !matches(filters, fields(v)) })
}

// writePage answers a filtered, paged list as {meta, data}.
func writePage[T any](w http.ResponseWriter, r *http.Request, all []T, fields func(T) map[string]string) {
	items, meta, ok := page(w, r, filterList(r, all, fields))
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Meta client.PaginatedMeta `json:"meta"`
		Data []T                  `json:"data"`
	}{meta, items})
}

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
