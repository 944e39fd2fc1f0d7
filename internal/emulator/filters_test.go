package emulator_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// orderedID is the i-th of ids that list in this order (lists go by id).
func orderedID(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }

// names lists a field of a list answer's data.
func names(body map[string]any, field string) []string {
	var out []string
	data, _ := body["data"].([]any)
	for _, d := range data {
		v, _ := d.(map[string]any)[field].(string)
		out = append(out, v)
	}
	return out
}

// TestCoreEntityFiltersApplyBeforePaging: each filter the spec declares on a core-entity list
// finds an entity that comes after others in id order, even with size=1, and pages through
// several matches with next.
func TestCoreEntityFiltersApplyBeforePaging(t *testing.T) {
	t.Parallel()
	h := start(t)
	// Each collection gets four entities, in id order: one that matches nothing, a first
	// match, another non-match, and a last match; the filters select the matches only.
	cases := []struct {
		collection string
		bodies     [4]string
		field      string // reported in the answer
		query      string
		want       []string
	}{
		{"/services", [4]string{`{"name":"alpha","host":"a.test"}`, `{"name":"kept-1","host":"a.test"}`, `{"name":"beta","host":"a.test"}`, `{"name":"kept-2","host":"a.test"}`},
			"name", "filter[name][contains]=kept", []string{"kept-1", "kept-2"}},
		{"/routes", [4]string{`{"name":"alpha","paths":["/a"]}`, `{"name":"r-kept","paths":["/b"]}`, `{"name":"beta","paths":["/c"]}`, `{"name":"r-kept-too","paths":["/d"]}`},
			"name", "filter[name][contains]=r-kept", []string{"r-kept", "r-kept-too"}},
		{"/consumers", [4]string{`{"username":"ann"}`, `{"username":"bob"}`, `{"username":"carl"}`, `{"username":"bobby"}`},
			"username", "filter[name][contains]=bob", []string{"bob", "bobby"}},
		{"/plugins", [4]string{`{"name":"cors"}`, `{"name":"key-auth"}`, `{"name":"correlation-id"}`, `{"name":"basic-auth"}`},
			"name", "filter[name][contains]=auth", []string{"key-auth", "basic-auth"}},
	}
	for _, tc := range cases {
		t.Run(strings.TrimPrefix(tc.collection, "/"), func(t *testing.T) {
			for i, body := range tc.bodies {
				if s, b := h.raw(http.MethodPut, h.core(tc.collection+"/"+orderedID(i+1)), body); s != http.StatusOK {
					t.Fatalf("PUT %s: %d %v", body, s, b)
				}
			}
			// size=1: the first match, and a next that leads to the second one only.
			status, page := h.raw(http.MethodGet, h.core(tc.collection+"?size=1&"+tc.query), "")
			if status != http.StatusOK || !slices.Equal(names(page, tc.field), tc.want[:1]) {
				t.Fatalf("size=1&%s: %d %v", tc.query, status, page)
			}
			next, _ := page["next"].(string)
			if next == "" {
				t.Fatalf("size=1&%s: no next with a second match: %v", tc.query, page)
			}
			status, page = h.raw(http.MethodGet, next, "")
			if status != http.StatusOK || !slices.Equal(names(page, tc.field), tc.want[1:]) || page["next"] != nil {
				t.Fatalf("%s: %d %v", next, status, page)
			}
			// The eq form finds the last entity alone, with no next.
			last := url.Values{"size": {"1"}, "filter[name][eq]": {tc.want[1]}}
			status, page = h.raw(http.MethodGet, h.core(tc.collection+"?"+last.Encode()), "")
			if status != http.StatusOK || len(names(page, tc.field)) != 1 || names(page, tc.field)[0] != tc.want[1] || page["next"] != nil {
				t.Fatalf("%s: %d %v", last.Encode(), status, page)
			}
		})
	}
	t.Run("custom_id", func(t *testing.T) {
		for i, c := range []string{"x-1", "x-2", "wanted"} {
			body := fmt.Sprintf(`{"username":"cid-%d","custom_id":%q}`, i, c)
			if s, b := h.raw(http.MethodPut, h.core("/consumers/"+orderedID(100+i)), body); s != http.StatusOK {
				t.Fatalf("PUT %s: %d %v", body, s, b)
			}
		}
		status, page := h.raw(http.MethodGet, h.core("/consumers?size=1&custom_id=wanted"), "")
		if status != http.StatusOK || !slices.Equal(names(page, "custom_id"), []string{"wanted"}) || page["next"] != nil {
			t.Fatalf("size=1&custom_id=wanted: %d %v", status, page)
		}
	})
	t.Run("with tags and the shorthand", func(t *testing.T) {
		for i, body := range []string{`{"name":"tagged","host":"t.test","tags":["x"]}`, `{"name":"tagged-no","host":"t.test"}`, `{"name":"tagged-yes","host":"t.test","tags":["x"]}`} {
			if s, b := h.raw(http.MethodPut, h.core("/services/"+orderedID(200+i)), body); s != http.StatusOK {
				t.Fatalf("PUT %s: %d %v", body, s, b)
			}
		}
		status, page := h.raw(http.MethodGet, h.core("/services?tags=x&filter[name][contains]=tagged-"), "")
		if status != http.StatusOK || !slices.Equal(names(page, "name"), []string{"tagged-yes"}) {
			t.Fatalf("tags with a filter: %d %v", status, page)
		}
		status, page = h.raw(http.MethodGet, h.core("/services?filter[name]=tagged-no"), "")
		if status != http.StatusOK || !slices.Equal(names(page, "name"), []string{"tagged-no"}) {
			t.Fatalf("filter[name]=: %d %v", status, page)
		}
	})
}

// TestControlPlaneFilters: every filter of the control-plane list, and labels, combined with
// page[size].
func TestControlPlaneFilters(t *testing.T) {
	t.Parallel()
	h := start(t)
	create := func(req client.CreateControlPlaneRequest) string {
		t.Helper()
		r, err := h.c.CreateControlPlaneWithResponse(h.ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return r.JSON201.Id.String()
	}
	group := client.CreateControlPlaneRequestClusterTypeCLUSTERTYPECONTROLPLANEGROUP
	first := create(client.CreateControlPlaneRequest{Name: "team-a", Labels: &client.Labels{"env": "prod", "team": "a"}})
	second := create(client.CreateControlPlaneRequest{Name: "team-b", Labels: &client.Labels{"env": "dev"}, ClusterType: &group})
	third := create(client.CreateControlPlaneRequest{Name: "other", Labels: &client.Labels{"env": "prod"}, CloudGateway: ptr(true)})
	// Control planes created in the same millisecond list in id order, so the expectations
	// are sets; the sort case compares with the ascending order.
	cases := []struct {
		query string
		want  []string
	}{
		{"filter[name][eq]=other", []string{"other"}},
		{"filter[name]=other", []string{"other"}},
		{"filter[name][contains]=team-", []string{"team-a", "team-b"}},
		{"filter[name][neq]=default&filter[name][contains]=t", []string{"other", "team-a", "team-b"}},
		{"filter[id][eq]=" + third, []string{"other"}},
		{"filter[id][oeq]=" + first + "," + second, []string{"team-a", "team-b"}},
		{"filter[cluster_type][eq]=CLUSTER_TYPE_CONTROL_PLANE_GROUP", []string{"team-b"}},
		{"filter[cluster_type][oeq]=CLUSTER_TYPE_CONTROL_PLANE_GROUP,CLUSTER_TYPE_SERVERLESS", []string{"team-b"}},
		{"filter[cluster_type][neq]=CLUSTER_TYPE_CONTROL_PLANE", []string{"team-b"}},
		{"filter[cloud_gateway]=true", []string{"other"}},
		{"labels=env:prod", []string{"other", "team-a"}},
		{"labels=env:prod,team", []string{"team-a"}},
		{"labels=team:a,env:dev", nil},
		{"labels=env:prod&filter[name][contains]=o", []string{"other"}},
	}
	list := func(query string) []string {
		t.Helper()
		status, body := h.raw(http.MethodGet, "/v2/control-planes?page[size]=100&"+strings.ReplaceAll(query, " ", "%20"), "")
		if status != http.StatusOK {
			t.Fatalf("%s: %d %v", query, status, body)
		}
		return names(body, "name")
	}
	for _, tc := range cases {
		if got := slices.Sorted(slices.Values(list(tc.query))); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.query, got, tc.want)
		}
	}
	asc := list("sort=created_at")
	desc := list("sort=created_at desc")
	slices.Reverse(desc)
	if len(asc) != 5 || !slices.Equal(asc, desc) {
		t.Errorf("sort=created_at desc is not the reverse of sort=created_at: %v, %v", asc, desc)
	}
	// Paging counts the matches only: two matches make two pages of size 1.
	var paged []string
	for page := 1; page <= 3; page++ {
		status, body := h.raw(http.MethodGet, fmt.Sprintf("/v2/control-planes?page[size]=1&page[number]=%d&labels=env:prod", page), "")
		total := body["meta"].(map[string]any)["page"].(map[string]any)["total"]
		if status != http.StatusOK || total != float64(2) {
			t.Fatalf("page %d of labels=env:prod: %d %v", page, status, body)
		}
		paged = append(paged, names(body, "name")...)
	}
	if slices.Sort(paged); !slices.Equal(paged, []string{"other", "team-a"}) {
		t.Fatalf("pages of labels=env:prod: %v", paged)
	}
}

// TestUndeclaredFiltersAreRefused: a filter the spec does not declare for that list, or an
// operator it does not take, is a 400 naming the parameter, in the API family's format.
func TestUndeclaredFiltersAreRefused(t *testing.T) {
	t.Parallel()
	h := start(t)
	svc := h.post("/services", `{"name":"s","host":"s.test"}`)["id"].(string)
	for _, tc := range []struct{ path, param string }{
		{h.core("/services?filter[foo][eq]=x"), "filter[foo][eq]"},
		{h.core("/services?filter[name][gt]=x"), "filter[name][gt]"},
		{h.core("/upstreams?filter[name][eq]=x"), "filter[name][eq]"},
		{h.core("/services/" + svc + "/routes?filter[name][eq]=x"), "filter[name][eq]"},
		{h.core("/consumers?filter[username][eq]=x"), "filter[username][eq]"},
		{h.core("/consumers?filter[name"), "filter[name"},
		{h.core("/consumers?filter=x"), "filter"},
	} {
		status, body := h.raw(http.MethodGet, tc.path, "")
		if status != http.StatusBadRequest {
			t.Errorf("%s: %d %v", tc.path, status, body)
			continue
		}
		checkCoreError(t, status, body, tc.param)
	}
	for _, tc := range []struct{ query, param string }{
		{"filter[foo][eq]=x", "filter[foo][eq]"},
		{"filter[name][gt]=x", "filter[name][gt]"},
		{"filter[id][contains]=x", "filter[id][contains]"},
	} {
		status, body := h.raw(http.MethodGet, "/v2/control-planes?"+tc.query, "")
		if status != http.StatusBadRequest {
			t.Errorf("%s: %d %v", tc.query, status, body)
			continue
		}
		checkProblem(t, status, body, tc.param)
	}
	if status, body := h.raw(http.MethodGet, "/v2/control-planes?sort=name", ""); status != http.StatusBadRequest {
		t.Errorf("sort=name: %d %v", status, body)
	}
}
