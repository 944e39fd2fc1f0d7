package adminapi_test

import (
	"net/http"
	"strings"
	"testing"
)

// Kong's error bodies, byte for byte (ids replaced by <id>), from the domain's errors.
func TestErrorBodies(t *testing.T) {
	t.Parallel()
	emu := start(t, adminRBACOff)
	a := emu.AdminURL
	svc := expect(t, call(t, http.MethodPost, a+"/services", form("name=example-service", "url=http://example.com")), http.StatusCreated).json(t)
	svcID := svc["id"].(string)
	expect(t, call(t, http.MethodPost, a+"/consumers", form("username=bob")), http.StatusCreated)
	expect(t, call(t, http.MethodPost, a+"/services/example-service/plugins", form("name=basic-auth")), http.StatusCreated)
	expect(t, call(t, http.MethodPost, a+"/services/example-service/routes", form("paths[]=/a")), http.StatusCreated)

	cases := []struct {
		name         string
		method, path string
		body         any
		status       int
		want         string
	}{
		{"unique username", http.MethodPost, "/consumers", form("username=bob"), http.StatusConflict,
			`{"code":5,"name":"unique constraint violation","message":"UNIQUE violation detected on '{username=\"bob\"}'","fields":{"username":"bob"}}`},
		{"unique plugin per scope", http.MethodPost, "/services/" + svcID + "/plugins", `{"name":"basic-auth"}`, http.StatusConflict,
			`{"code":5,"name":"unique constraint violation","message":"UNIQUE violation detected on '{consumer=null,consumer_group=null,name=\"basic-auth\",route=null,service={id=\"<id>\"}}'","fields":{"consumer":null,"consumer_group":null,"name":"basic-auth","route":null,"service":{"id":"<id>"}}}`},
		{"consumer without username or custom_id", http.MethodPost, "/consumers", `{}`, http.StatusBadRequest,
			`{"code":2,"name":"schema violation","message":"schema violation (at least one of these fields must be non-empty: 'custom_id', 'username')","fields":{"@entity":["at least one of these fields must be non-empty: 'custom_id', 'username'"]}}`},
		{"form value of the wrong type", http.MethodPost, "/routes", form("paths[]=/b", "regex_priority=high"), http.StatusBadRequest,
			`{"code":2,"name":"schema violation","message":"schema violation (regex_priority: expected an integer)","fields":{"regex_priority":"expected an integer"}}`},
		{"two violations, positions from 1", http.MethodPost, "/routes", form("paths[]=/b", "protocols[]=http", "protocols[]=ftp", "regex_priority=high"), http.StatusBadRequest,
			`{"code":2,"name":"schema violation","message":"2 schema violations (protocols.2: expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp, ws, wss; regex_priority: expected an integer)","fields":{"protocols":[null,"expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp, ws, wss"],"regex_priority":"expected an integer"}}`},
		{"plugin config", http.MethodPost, "/plugins", form("name=key-auth", "config.key_in_header=maybe"), http.StatusBadRequest,
			`{"code":2,"name":"schema violation","message":"schema violation (config.key_in_header: expected a boolean)","fields":{"config":{"key_in_header":"expected a boolean"}}}`},
		{"reference to a missing service", http.MethodPost, "/routes", form("paths[]=/b", "service.id=6f1c3a52-2b7e-4f8e-9a55-3c1d9e0b7a41"), http.StatusBadRequest,
			`{"code":4,"name":"foreign key violation","message":"the foreign key '{id=\"6f1c3a52-2b7e-4f8e-9a55-3c1d9e0b7a41\"}' does not reference an existing 'services' entity.","fields":{"service":{"id":"6f1c3a52-2b7e-4f8e-9a55-3c1d9e0b7a41"}}}`},
		{"reference by a name that resolves to nothing", http.MethodPost, "/routes", form("paths[]=/b", "service.name=nope"), http.StatusBadRequest,
			`{"code":13,"name":"foreign keys unresolved","message":"foreign key unresolved (service.name: the foreign key cannot be resolved with '{name=\"nope\"}' for an existing 'services' entity)","fields":{"service":{"name":"the foreign key cannot be resolved with '{name=\"nope\"}' for an existing 'services' entity"}}}`},
		{"service with routes", http.MethodDelete, "/services/example-service", nil, http.StatusBadRequest,
			`{"code":4,"name":"foreign key violation","message":"an existing 'routes' entity references this 'services' entity","fields":{"@referenced_by":"routes"}}`},
		{"unknown entity", http.MethodGet, "/consumers/nobody", nil, http.StatusNotFound, `{"message":"Not found"}`},
		{"unknown parent", http.MethodGet, "/consumers/nobody/key-auth", nil, http.StatusNotFound, `{"message":"Not found"}`},
		{"PATCH of nothing", http.MethodPatch, "/services/nothing", form("retries=1"), http.StatusNotFound, `{"message":"Not found"}`},
		{"unknown path", http.MethodGet, "/nowhere", nil, http.StatusNotFound, `{"message":"Not found"}`},
		{"method the path does not take", http.MethodDelete, "/services", nil, http.StatusMethodNotAllowed, `{"message":"Method not allowed"}`},
		{"bad JSON", http.MethodPost, "/services", `{"name":`, http.StatusBadRequest, `{"message":"Cannot parse JSON body"}`},
		{"page size", http.MethodGet, "/services?size=1001", nil, http.StatusBadRequest,
			`{"code":9,"name":"invalid size","message":"size must be an integer between 1 and 1000"}`},
	}
	for _, c := range cases {
		got := call(t, c.method, a+c.path, c.body)
		body := strings.ReplaceAll(got.body, svcID, "<id>")
		if got.status != c.status || body != c.want {
			t.Errorf("%s: %d %s\nwant %d %s", c.name, got.status, body, c.status, c.want)
		}
	}
	// Deleting what is not there succeeds, as in Kong.
	expect(t, call(t, http.MethodDelete, a+"/consumers/nobody", nil), http.StatusNoContent)
}
