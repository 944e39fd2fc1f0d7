package emulator

// List filters: every filter the spec declares for a list is applied before paging, and a
// filter it does not declare is refused with the API's 400 rather than dropped.
//
// Which filters an operation takes comes from the spec (client/openapi.yaml): query parameters
// named filter[field][op], and deepObject "filter" parameters expanded to their properties. How a
// filter reads an entity is one generic implementation over the stored JSON, driven by the
// tables below.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// filterOps are the operators a filter can use, over the entity's value (nil when unset).
var filterOps = map[string]func(have any, want string) bool{
	"eq": func(have any, want string) bool {
		return scalarEquals(have, want)
	},
	"neq": func(have any, want string) bool {
		return !scalarEquals(have, want)
	},
	"contains": func(have any, want string) bool {
		s, ok := scalarString(have)
		return ok && strings.Contains(s, want)
	},
	// oeq matches any of a comma-separated list of values.
	"oeq": func(have any, want string) bool {
		return slices.ContainsFunc(strings.Split(want, ","), func(w string) bool { return scalarEquals(have, w) })
	},
	// labels is the control-plane list's labels=key:value,key2 (every term must hold: key:value
	// compares the label's value, a bare key asks that the label exists).
	"labels": func(have any, want string) bool {
		labels, _ := have.(map[string]any)
		for _, term := range strings.Split(want, ",") {
			term = strings.TrimSpace(term)
			if term == "" {
				continue
			}
			key, value, hasValue := strings.Cut(term, ":")
			got, exists := labels[key]
			if !exists || (hasValue && got != value) {
				return false
			}
		}
		return true
	},
}

// filterFields says, per kind, which entity field a filter reads where it is not the field of
// the filter's own name (a path into the JSON object).
var filterFields = map[string]map[string][]string{
	// Consumers have no name; Konnect's consumer list filters by name on their username.
	kindConsumersName: {"name": {"username"}},
	domain.ControlPlanes: {
		"cluster_type":  {"config", "cluster_type"},
		"cloud_gateway": {"config", "cloud_gateway"},
	},
}

// plainFilters are list parameters that filter without the filter[...] form, per kind: the
// parameter, the field it reads and the operator.
var plainFilters = map[string]map[string]filterKey{
	kindConsumersName:    {"custom_id": {field: "custom_id", op: "eq"}},
	domain.ControlPlanes: {"labels": {field: "labels", op: "labels"}},
}

// kindConsumersName is the consumers' store kind, spelled out so that the tables above do not
// depend on the kind specs' initialisation order.
const kindConsumersName = "consumers"

// filterKey is one filter parameter: filter[field][op], or filter[field] (op "").
type filterKey struct {
	field string
	op    string
}

func (k filterKey) String() string {
	if k.op == "" {
		return "filter[" + k.field + "]"
	}
	return "filter[" + k.field + "][" + k.op + "]"
}

// isFilterParam tells the parameters that claim to be filters: filter, filter[...].
func isFilterParam(name string) bool {
	return name == "filter" || strings.HasPrefix(name, "filter[")
}

// parseFilterKey reads filter[field] or filter[field][op].
func parseFilterKey(name string) (filterKey, bool) {
	rest, ok := strings.CutPrefix(name, "filter[")
	if !ok {
		return filterKey{}, false
	}
	field, rest, ok := strings.Cut(rest, "]")
	if !ok || field == "" || strings.ContainsAny(field, "[]") {
		return filterKey{}, false
	}
	if rest == "" {
		return filterKey{field: field}, true
	}
	op, ok := strings.CutPrefix(rest, "[")
	if !ok || !strings.HasSuffix(op, "]") {
		return filterKey{}, false
	}
	op = strings.TrimSuffix(op, "]")
	if op == "" || strings.ContainsAny(op, "[]") {
		return filterKey{}, false
	}
	return filterKey{field: field, op: op}, true
}

// filterCatalog knows the filters each operation of the spec declares.
type filterCatalog struct {
	router   routers.Router
	declared map[*openapi3.Operation]map[filterKey]bool
}

func newFilterCatalog(spec *openapi3.T) (*filterCatalog, error) {
	router, err := gorillamux.NewRouter(spec)
	if err != nil {
		return nil, fmt.Errorf("routing the spec for filters: %w", err)
	}
	c := &filterCatalog{router: router, declared: map[*openapi3.Operation]map[filterKey]bool{}}
	for path, item := range spec.Paths.Map() {
		for method, op := range item.Operations() {
			declared := map[filterKey]bool{}
			for _, ref := range append(slices.Clone(item.Parameters), op.Parameters...) {
				if ref == nil || ref.Value == nil || ref.Value.In != openapi3.ParameterInQuery {
					continue
				}
				for _, k := range declaredFilterKeys(ref.Value) {
					if k.op != "" && filterOps[k.op] == nil {
						return nil, fmt.Errorf("%s %s declares %s: the emulator has no operator %q", method, path, k, k.op)
					}
					declared[k] = true
				}
			}
			c.declared[op] = declared
		}
	}
	return c, nil
}

// declaredFilterKeys lists the filters one query parameter declares.
func declaredFilterKeys(p *openapi3.Parameter) []filterKey {
	if k, ok := parseFilterKey(p.Name); ok {
		return []filterKey{k}
	}
	if p.Name != "filter" || p.Schema == nil || p.Schema.Value == nil {
		return nil
	}
	var keys []filterKey
	for field, prop := range p.Schema.Value.Properties {
		if prop.Value != nil && len(prop.Value.Properties) > 0 {
			for op := range prop.Value.Properties {
				keys = append(keys, filterKey{field: field, op: op})
			}
			continue
		}
		keys = append(keys, filterKey{field: field})
	}
	return keys
}

// checkFilters refuses filter parameters the operation does not declare, naming them, and
// writes filter[field]=v as filter[field][eq]=v (and the reverse where the spec declares only
// the short form), since Konnect takes both.
func (s *Server) checkFilters(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.RawQuery, "filter") {
			next.ServeHTTP(w, r)
			return
		}
		route, _, err := s.filters.router.FindRoute(r)
		if err != nil {
			next.ServeHTTP(w, r) // not an operation of the spec: the validator answers it
			return
		}
		declared := s.filters.declared[route.Operation]
		q := r.URL.Query()
		names := make([]string, 0, len(q))
		for name := range q {
			if isFilterParam(name) {
				names = append(names, name)
			}
		}
		sort.Strings(names)
		var problems []filterProblem
		changed := false
		for _, name := range names {
			key, ok := parseFilterKey(name)
			if !ok {
				problems = append(problems, filterProblem{name, "invalid filter: expected filter[field][operator]", "invalid"})
				continue
			}
			switch {
			case key.op == "" && !declared[key]:
				key.op = "eq"
			case key.op == "eq" && !declared[key] && declared[filterKey{field: key.field}]:
				key.op = ""
			}
			if !declared[key] {
				problems = append(problems, undeclaredFilter(name, key, declared))
				continue
			}
			if key.String() != name {
				q[key.String()] = append(q[key.String()], q[name]...)
				delete(q, name)
				changed = true
			}
		}
		if len(problems) > 0 {
			s.refuseFilters(w, r, problems)
			return
		}
		if changed {
			r.URL.RawQuery = q.Encode()
		}
		next.ServeHTTP(w, r)
	})
}

type filterProblem struct {
	param  string
	reason string
	rule   string
}

// undeclaredFilter explains what the list takes instead.
func undeclaredFilter(name string, key filterKey, declared map[filterKey]bool) filterProblem {
	var ops, all []string
	for k := range declared {
		all = append(all, k.String())
		if k.field == key.field && k.op != "" {
			ops = append(ops, k.op)
		}
	}
	sort.Strings(ops)
	sort.Strings(all)
	if len(ops) > 0 {
		return filterProblem{name, fmt.Sprintf("unsupported filter operator %q: filter[%s] takes %s", key.op, key.field, strings.Join(ops, ", ")), "invalid"}
	}
	if len(all) == 0 {
		return filterProblem{name, "unknown filter: this endpoint takes no filter parameters", "unknown_property"}
	}
	return filterProblem{name, "unknown filter: this endpoint takes " + strings.Join(all, ", "), "unknown_property"}
}

// refuseFilters answers 400 in the format of the API the path belongs to.
func (s *Server) refuseFilters(w http.ResponseWriter, r *http.Request, problems []filterProblem) {
	if isControlPlanePath(r.URL.Path) {
		params := make([]client.InvalidParameter, 0, len(problems))
		for _, p := range problems {
			rule := client.InvalidParameterRule(p.rule)
			params = append(params, client.InvalidParameter{Field: p.param, Reason: p.reason, Rule: &rule, Source: ptr("query")})
		}
		writeProblem(w, newProblem(r, http.StatusBadRequest, "bad request", params...))
		return
	}
	details := make([]client.CoreEntityErrorDetail, 0, len(problems))
	for _, p := range problems {
		details = append(details, detail(detailField, p.param, p.reason))
	}
	writeAPIError(w, validationError(details...))
}

// filterCondition is one filter as applied: the value at path must satisfy op against want.
type filterCondition struct {
	path []string
	op   func(have any, want string) bool
	want string
}

// listFilter reads the filters of a list request for a kind (checkFilters has refused the
// undeclared ones); nil when there are none. The returned function reads a stored JSON body.
func listFilter(query url.Values, kind string) func(body []byte) bool {
	var conds []filterCondition
	add := func(key filterKey, values []string) {
		op := key.op
		if op == "" {
			op = "eq"
		}
		path := filterFields[kind][key.field]
		if path == nil {
			path = []string{key.field}
		}
		for _, v := range values {
			conds = append(conds, filterCondition{path: path, op: filterOps[op], want: v})
		}
	}
	for name, values := range query {
		if key, ok := parseFilterKey(name); ok && (key.op == "" || filterOps[key.op] != nil) {
			add(key, values)
			continue
		}
		if key, ok := plainFilters[kind][name]; ok {
			add(key, nonEmpty(values))
		}
	}
	if len(conds) == 0 {
		return nil
	}
	return func(body []byte) bool {
		var e map[string]any
		if json.Unmarshal(body, &e) != nil {
			return false
		}
		for _, c := range conds {
			if !c.op(lookupPath(e, c.path), c.want) {
				return false
			}
		}
		return true
	}
}

func nonEmpty(values []string) []string {
	return slices.DeleteFunc(slices.Clone(values), func(v string) bool { return v == "" })
}

func lookupPath(e map[string]any, path []string) any {
	var v any = e
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// scalarString is a JSON scalar as the query string would spell it; false for null, objects
// and arrays.
func scalarString(v any) (string, bool) {
	switch tv := v.(type) {
	case string:
		return tv, true
	case bool:
		return strconv.FormatBool(tv), true
	case float64:
		return strconv.FormatFloat(tv, 'f', -1, 64), true
	default:
		return "", false
	}
}

func scalarEquals(have any, want string) bool {
	if b, ok := have.(bool); ok {
		w, err := strconv.ParseBool(want)
		return err == nil && w == b
	}
	s, ok := scalarString(have)
	return ok && s == want
}

// listFiltered is tx.List with the request's filters applied before paging: the page holds
// up to q.Limit matching records, and more reports whether another match follows.
func listFiltered(tx store.Reader, r *http.Request, cp, kind string, q store.Query) ([]*store.Record, bool) {
	match := listFilter(r.URL.Query(), kind)
	if match == nil {
		return tx.List(cp, kind, q)
	}
	limit := q.Limit
	batch := q
	batch.Limit = max(limit, 100)
	var out []*store.Record
	for {
		records, more := tx.List(cp, kind, batch)
		for _, rec := range records {
			if !match(rec.Body) {
				continue
			}
			if limit > 0 && len(out) == limit {
				return out, true
			}
			out = append(out, rec)
		}
		if !more || len(records) == 0 {
			return out, false
		}
		batch.After = records[len(records)-1].ID
	}
}
