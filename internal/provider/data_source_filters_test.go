package provider_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// Data sources look entities up with the API's filters (filter[name][eq], custom_id) rather
// than reading every page, and still check what comes back: through a proxy that drops the
// filters, as a server ignoring them would, they find the same entities.
func TestAccDataSourcesUseTheAPIFilters(t *testing.T) {
	for _, ignored := range []bool{false, true} {
		t.Run(fmt.Sprintf("filters ignored by the server: %v", ignored), func(t *testing.T) {
			cp := newControlPlane(t)
			var cpInfo struct{ Name string }
			apiCall(t, http.MethodGet, "/v2/control-planes/"+cp, nil, &cpInfo, http.StatusOK)
			// Decoys first, so that an unfiltered list's first match would be wrong.
			for i, name := range []string{"decoy", "target"} {
				apiCall(t, http.MethodPost, "/v2/control-planes/"+cp+"/core-entities/consumers",
					map[string]any{"username": name, "custom_id": fmt.Sprintf("%s-%d", name, i)}, nil, http.StatusCreated)
				apiCall(t, http.MethodPost, "/v2/control-planes/"+cp+"/core-entities/services",
					map[string]any{"name": name, "host": name + ".internal"}, nil, http.StatusCreated)
			}
			lists := &listRecorder{dropFilters: ignored}
			proxy := lists.proxy(t)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: fmt.Sprintf(`
provider "konnect" {
  server_url            = %[1]q
  personal_access_token = %[2]q
}

data "konnect_gateway_control_plane" "cp" {
  name = %[3]q
}

data "konnect_gateway_consumer" "target" {
  control_plane_id = %[4]q
  custom_id        = "target-1"
}

data "konnect_gateway_service" "target" {
  control_plane_id = %[4]q
  name             = "target"
}
`, proxy, testEmulator.Token, cpInfo.Name, cp),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("data.konnect_gateway_control_plane.cp", tfjsonpath.New("id"), knownvalue.StringExact(cp)),
						statecheck.ExpectKnownValue("data.konnect_gateway_consumer.target", tfjsonpath.New("username"), knownvalue.StringExact("target")),
						statecheck.ExpectKnownValue("data.konnect_gateway_service.target", tfjsonpath.New("host"), knownvalue.StringExact("target.internal")),
					},
					Check: func(*terraform.State) error {
						return lists.check(map[string]string{
							"/v2/control-planes": "filter[name][eq]=" + cpInfo.Name,
							"/consumers":         "custom_id=target-1",
							"/services":          "filter[name][eq]=target",
						})
					},
				}},
			})
		})
	}
}

// listRecorder is a reverse proxy to the test emulator that records the queries of list
// requests, and can drop their filters.
type listRecorder struct {
	dropFilters bool
	mu          sync.Mutex
	queries     map[string][]string // by path
}

func (l *listRecorder) proxy(t *testing.T) string {
	target, _ := url.Parse(testEmulator.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			q, _ := url.QueryUnescape(r.URL.RawQuery)
			l.mu.Lock()
			if l.queries == nil {
				l.queries = map[string][]string{}
			}
			l.queries[r.URL.Path] = append(l.queries[r.URL.Path], q)
			l.mu.Unlock()
			if l.dropFilters {
				v := r.URL.Query()
				for k := range v {
					if strings.HasPrefix(k, "filter[") || k == "custom_id" {
						v.Del(k)
					}
				}
				r.URL.RawQuery = v.Encode()
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// check says that lists under each path suffix were requested, each with its filter.
func (l *listRecorder) check(want map[string]string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for suffix, filter := range want {
		seen := false
		for path, queries := range l.queries {
			if !strings.HasSuffix(path, suffix) {
				continue
			}
			for _, q := range queries {
				seen = true
				if !strings.Contains(q, filter) {
					return fmt.Errorf("GET %s?%s: want the filter %s", path, q, filter)
				}
			}
		}
		if !seen {
			return fmt.Errorf("no list under %s was requested", suffix)
		}
	}
	return nil
}
