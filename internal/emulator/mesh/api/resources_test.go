package api_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// kindCases are a valid body of each kind (for mesh "default", name "one") and a change to it.
var kindCases = []struct {
	plural  string
	body    string
	changed string
	kri     string
}{
	{
		plural:  "dataplanes",
		body:    `{"type":"Dataplane","name":"one","mesh":"default","networking":{"address":"127.0.0.1","inbound":[{"port":18080,"servicePort":8080,"tags":{"kuma.io/service":"echo","kuma.io/protocol":"http"}}]}}`,
		changed: `{"type":"Dataplane","name":"one","mesh":"default","labels":{"team":"a"},"networking":{"address":"127.0.0.1","inbound":[{"port":18081,"servicePort":8080,"tags":{"kuma.io/service":"echo"}}]}}`,
		kri:     "kri_dp_default___one_",
	},
	{
		plural:  "secrets",
		body:    `{"type":"Secret","name":"one","mesh":"default","data":"c2VjcmV0"}`,
		changed: `{"type":"Secret","name":"one","mesh":"default","data":"b3RoZXI="}`,
	},
	{
		plural:  "meshopas",
		body:    `{"type":"MeshOPA","name":"one","mesh":"default","spec":{"targetRef":{"kind":"Mesh"},"default":{"appendPolicies":[{"rego":{"inlineString":"package envoy.authz\ndefault allow = false"}}],"authConfig":{"onAgentFailure":"Deny","statusOnError":413,"timeout":"1s","requestBody":{"maxSize":1024,"sendRawBody":true}}}}}`,
		changed: `{"type":"MeshOPA","name":"one","mesh":"default","labels":{"env":"dev"},"spec":{"targetRef":{"kind":"Dataplane","name":"dp-1"},"default":{"agentConfig":{"inlineString":"decision_logs:\n  console: true"},"appendPolicies":[{"rego":{"secret":"policy"},"ignoreDecision":true}]}}}`,
		kri:     "kri_mopa_default___one_",
	},
	{
		plural:  "meshtrafficpermissions",
		body:    `{"type":"MeshTrafficPermission","name":"one","mesh":"default","spec":{"targetRef":{"kind":"Mesh"},"from":[{"targetRef":{"kind":"Mesh"},"default":{"action":"Allow"}}]}}`,
		changed: `{"type":"MeshTrafficPermission","name":"one","mesh":"default","spec":{"targetRef":{"kind":"MeshService","name":"echo"},"from":[{"targetRef":{"kind":"MeshService","name":"web"},"default":{"action":"Deny"}}]}}`,
		kri:     "kri_mtp_default___one_",
	},
}

// withServerFields is a body as the API returns it: as sent, plus the times and the kri.
func withServerFields(t *testing.T, body, kri string, got map[string]any) string {
	t.Helper()
	extra := `"creationTime":"` + got["creationTime"].(string) + `","modificationTime":"` + got["modificationTime"].(string) + `"`
	if kri != "" {
		extra += `,"kri":"` + kri + `"`
	}
	return strings.TrimSuffix(body, "}") + "," + extra + "}"
}

func TestMeshResourceCRUD(t *testing.T) {
	t.Parallel()
	h := start(t)
	for _, tc := range kindCases {
		t.Run(tc.plural, func(t *testing.T) {
			path := "meshes/default/" + tc.plural + "/one"
			status, headers, body := h.doHeaders(http.MethodPut, h.api(path), tc.body)
			if status != http.StatusCreated || len(body) != 0 || headers.Get("Content-Type") != "" {
				t.Fatalf("create: %d %q %q, want 201 with no body", status, headers.Get("Content-Type"), body)
			}
			got := h.mustGet(path)
			created := got["creationTime"].(string)
			if _, err := time.Parse(time.RFC3339Nano, created); err != nil || got["modificationTime"] != created {
				t.Errorf("times: %v", got)
			}
			_, raw := h.do(http.MethodGet, h.api(path), "")
			jsonEqual(t, raw, withServerFields(t, tc.body, tc.kri, got))

			time.Sleep(2 * time.Millisecond) // so the modification time moves
			if status := h.mustPut(path, tc.changed); status != http.StatusOK {
				t.Errorf("update: %d, want 200", status)
			}
			got = h.mustGet(path)
			if got["creationTime"] != created || got["modificationTime"] == created {
				t.Errorf("after update: creationTime %v (was %s), modificationTime %v", got["creationTime"], created, got["modificationTime"])
			}
			_, raw = h.do(http.MethodGet, h.api(path), "")
			jsonEqual(t, raw, withServerFields(t, tc.changed, tc.kri, got))

			_, list := h.do(http.MethodGet, h.api("meshes/default/"+tc.plural), "")
			jsonEqual(t, list, `{"total":1,"items":[`+string(raw)+`],"next":null}`)

			status, body = h.do(http.MethodDelete, h.api(path), "")
			if status != http.StatusOK || len(body) != 0 {
				t.Fatalf("delete: %d %s", status, body)
			}
			status, body = h.do(http.MethodGet, h.api(path), "")
			if status != http.StatusNotFound {
				t.Fatalf("get after delete: %d", status)
			}
			jsonEqual(t, body, `{"type":"/std-errors","status":404,"title":"Could not retrieve a resource","detail":"Not found"}`)
			status, body = h.do(http.MethodDelete, h.api(path), "")
			if status != http.StatusNotFound {
				t.Fatalf("second delete: %d", status)
			}
			jsonEqual(t, body, `{"type":"/std-errors","status":404,"title":"Could not delete a resource","detail":"Not found"}`)
		})
	}
}

func TestMeshCRUD(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.mustPut("meshes/prod", `{"type":"Mesh","name":"prod","labels":{"team":"a"},"routing":{"zoneEgress":true}}`)
	got := h.mustGet("meshes/prod")
	if got["name"] != "prod" || got["labels"].(map[string]any)["team"] != "a" || got["routing"].(map[string]any)["zoneEgress"] != true {
		t.Errorf("mesh: %v", got)
	}
	_, list := h.do(http.MethodGet, h.api("meshes"), "")
	var page struct {
		Total int
		Items []struct{ Name string }
	}
	mustDecode(t, list, &page)
	if page.Total != 2 || page.Items[0].Name != "default" || page.Items[1].Name != "prod" {
		t.Errorf("meshes: %s", list)
	}
	if status, body := h.do(http.MethodDelete, h.api("meshes/prod"), ""); status != http.StatusOK {
		t.Fatalf("delete: %d %s", status, body)
	}
	if status, _ := h.do(http.MethodGet, h.api("meshes/prod"), ""); status != http.StatusNotFound {
		t.Errorf("deleted mesh: %d", status)
	}
}

func TestMeshPagination(t *testing.T) {
	t.Parallel()
	h := start(t)
	for _, name := range []string{"e", "c", "a", "d", "b"} {
		h.mustPut("meshes/default/secrets/"+name, `{"type":"Secret","name":"`+name+`","mesh":"default","data":"eA=="}`)
	}
	names := func(body []byte) (string, int, any) {
		var page struct {
			Total int
			Items []struct{ Name string }
			Next  any
		}
		mustDecode(t, body, &page)
		var ns []string
		for _, it := range page.Items {
			ns = append(ns, it.Name)
		}
		return strings.Join(ns, ","), page.Total, page.Next
	}
	_, body := h.do(http.MethodGet, h.api("meshes/default/secrets?size=2"), "")
	got, total, next := names(body)
	wantNext := h.emu.URL + h.api("meshes/default/secrets?offset=2&size=2")
	if got != "a,b" || total != 5 || next != wantNext {
		t.Errorf("first page: %s total %d next %v, want a,b 5 %s", got, total, next, wantNext)
	}
	_, body = h.do(http.MethodGet, strings.TrimPrefix(next.(string), h.emu.URL), "")
	if got, _, next := names(body); got != "c,d" || next == nil {
		t.Errorf("second page: %s next %v", got, next)
	}
	_, body = h.do(http.MethodGet, h.api("meshes/default/secrets?size=2&offset=4"), "")
	if got, total, next := names(body); got != "e" || total != 5 || next != nil {
		t.Errorf("last page: %s %d %v", got, total, next)
	}
	_, body = h.do(http.MethodGet, h.api("meshes/default/secrets?offset=9"), "")
	if got, total, next := names(body); got != "" || total != 5 || next != nil {
		t.Errorf("past the end: %q %d %v", got, total, next)
	}

	for _, tc := range []struct{ query, want string }{
		{"size=1001", `{"type":"/std-errors","status":400,"title":"Could not retrieve resources","detail":"Invalid page size","invalid_parameters":[{"field":"size","reason":"Invalid page size of 1001. Maximum page size is 1000"}]}`},
		{"size=0", `{"type":"/std-errors","status":400,"title":"Could not retrieve resources","detail":"Invalid page size","invalid_parameters":[{"field":"size","reason":"Invalid format"}]}`},
		{"size=x", `{"type":"/std-errors","status":400,"title":"Could not retrieve resources","detail":"Invalid page size","invalid_parameters":[{"field":"size","reason":"Invalid format"}]}`},
		{"offset=x", `{"type":"/std-errors","status":400,"title":"Could not retrieve resources","detail":"Invalid offset","invalid_parameters":[{"field":"offset","reason":"Invalid format"}]}`},
		{"filter[label.team]=a", `{"type":"/std-errors","status":400,"title":"Could not retrieve resources","detail":"Unsupported query parameter","invalid_parameters":[{"field":"filter[label.team]","reason":"the emulator lists with offset and size only"}]}`},
		{"offset=-1", `{"type":"/std-errors","status":400,"title":"Could not retrieve resources","detail":"Invalid offset","invalid_parameters":[{"field":"offset","reason":"Invalid format"}]}`},
	} {
		status, body := h.do(http.MethodGet, h.api("meshes/default/secrets?"+tc.query), "")
		if status != http.StatusBadRequest {
			t.Errorf("%s: %d", tc.query, status)
		}
		jsonEqual(t, body, tc.want)
	}
}

func TestMeshNotFound(t *testing.T) {
	t.Parallel()
	h := start(t)
	unknownCP := "/v1/mesh/control-planes/00000000-0000-4000-8000-000000000000/api/meshes/default/meshopas/x"
	for _, method := range []string{http.MethodGet, http.MethodDelete} {
		status, headers, body := h.doHeaders(method, unknownCP, "")
		if status != http.StatusNotFound || headers.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s unknown control plane: %d %q", method, status, headers.Get("Content-Type"))
		}
		var p map[string]any
		mustDecode(t, body, &p)
		if p["status"] != float64(404) || p["title"] != "Not Found" || !strings.HasPrefix(p["instance"].(string), "kong:trace:") {
			t.Errorf("unknown control plane: %s", body)
		}
	}
	meshGone := `{"type":"/std-errors","status":404,"title":"Failed to retrieve Mesh","detail":"Not found"}`
	for _, tc := range []struct{ method, path, body string }{
		{http.MethodGet, "meshes/nope/meshopas", ""},
		{http.MethodGet, "meshes/nope/dataplanes/x", ""},
		{http.MethodDelete, "meshes/nope/secrets/x", ""},
		{http.MethodPut, "meshes/nope/secrets/x", `{"type":"Secret","name":"x","mesh":"nope","data":"eA=="}`},
		{http.MethodGet, "meshes/nope/dataplanes/x/_policies", ""},
	} {
		status, body := h.do(tc.method, h.api(tc.path), tc.body)
		if status != http.StatusNotFound {
			t.Errorf("%s %s: %d", tc.method, tc.path, status)
		}
		jsonEqual(t, body, meshGone)
	}
	status, body := h.do(http.MethodGet, h.api("meshes/nope"), "")
	if status != http.StatusNotFound {
		t.Errorf("unknown mesh: %d", status)
	}
	jsonEqual(t, body, `{"type":"/std-errors","status":404,"title":"Could not retrieve a resource","detail":"Not found"}`)
	status, body = h.do(http.MethodGet, h.api("meshes/default/dataplanes/nope/_policies"), "")
	if status != http.StatusNotFound {
		t.Errorf("unknown dataplane: %d", status)
	}
	jsonEqual(t, body, `{"type":"/std-errors","status":404,"title":"Could not retrieve a resource","detail":"Not found"}`)
}

func TestMeshDeleteCascadeAndNotifications(t *testing.T) {
	t.Parallel()
	h := start(t)
	var mu sync.Mutex
	var changes []string
	h.emu.Mesh().SetOnChange(func(cp, mesh string) {
		mu.Lock()
		defer mu.Unlock()
		if cp == h.cp {
			changes = append(changes, mesh)
		}
	})
	h.mustPut("meshes/other", `{"type":"Mesh","name":"other"}`)
	for _, tc := range kindCases {
		h.mustPut("meshes/default/"+tc.plural+"/one", tc.body)
		h.mustPut("meshes/other/"+tc.plural+"/one", strings.ReplaceAll(tc.body, `"mesh":"default"`, `"mesh":"other"`))
	}
	res, ok := h.emu.Mesh().Resources(h.cp, "default")
	if !ok || len(res.Dataplanes) != 1 || len(res.Secrets) != 1 || len(res.MeshOPAs) != 1 || len(res.MeshTrafficPermissions) != 1 {
		t.Fatalf("resources of default: %v %+v", ok, res)
	}
	jsonEqual(t, res.MeshOPAs[0], string(mustRaw(h, "meshes/default/meshopas/one")))

	if status, _ := h.do(http.MethodDelete, h.api("meshes/default"), ""); status != http.StatusOK {
		t.Fatalf("delete mesh: %d", status)
	}
	if _, ok := h.emu.Mesh().Resources(h.cp, "default"); ok {
		t.Error("Resources of a deleted mesh")
	}
	h.mustPut("meshes/default", `{"type":"Mesh","name":"default"}`)
	for _, tc := range kindCases {
		_, body := h.do(http.MethodGet, h.api("meshes/default/"+tc.plural), "")
		jsonEqual(t, body, `{"total":0,"items":[],"next":null}`)
		if _, body := h.do(http.MethodGet, h.api("meshes/other/"+tc.plural), ""); !strings.Contains(string(body), `"total":1`) {
			t.Errorf("%s of the other mesh: %s", tc.plural, body)
		}
	}
	mu.Lock()
	got := strings.Join(changes, ",")
	mu.Unlock()
	want := "other," + strings.Repeat("default,other,", len(kindCases)) + "default,default"
	if got != want {
		t.Errorf("changes:\n got %s\nwant %s", got, want)
	}

	refs := h.emu.Mesh().Meshes()
	defer func() {
		// A reset empties the store, and says so for every mesh that went.
		if status, _ := h.do(http.MethodPost, "/_emulator/reset", ""); status != http.StatusNoContent {
			t.Fatalf("reset: %d", status)
		}
		mu.Lock()
		defer mu.Unlock()
		if got := strings.Join(changes, ","); !strings.HasSuffix(got, "default,default,default,other") {
			t.Errorf("changes after reset: %s", got)
		}
		if _, ok := h.emu.Mesh().Resources(h.cp, "other"); ok {
			t.Error("a mesh survived the reset")
		}
	}()
	var mine []string
	for _, r := range refs {
		if r.CP == h.cp {
			mine = append(mine, r.Mesh)
		}
	}
	if strings.Join(mine, ",") != "default,other" {
		t.Errorf("Meshes: %v", mine)
	}
}

func mustRaw(h *harness, rest string) []byte {
	h.t.Helper()
	status, body := h.do(http.MethodGet, h.api(rest), "")
	if status != http.StatusOK {
		h.t.Fatalf("GET %s: %d", rest, status)
	}
	return body
}
