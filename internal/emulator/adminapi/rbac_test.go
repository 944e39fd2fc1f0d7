package adminapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/adminapi"
)

const adminToken = "kong-admin-secret"

// rbacFixture builds, through the RBAC endpoints with the super admin's token, the users of the
// permission table: each user <name> has the token <name>-token.
func rbacFixture(t *testing.T, mode string) (string, map[string]string) {
	t.Helper()
	emu := start(t, adminapi.RBACOptions{Enforce: mode, AdminToken: adminToken})
	a := emu.AdminURL
	root := []string{"Kong-Admin-Token", adminToken}
	post := func(path string, body any, status int) map[string]any {
		return expect(t, call(t, http.MethodPost, a+path, body, root...), status).json(t)
	}
	ids := map[string]string{
		"example": post("/services", form("name=example", "host=example.com"), http.StatusCreated)["id"].(string),
		"other":   post("/services", form("name=other", "host=other.com"), http.StatusCreated)["id"].(string),
	}
	post("/consumers", form("username=bob"), http.StatusCreated)
	user := func(name string, roles ...string) {
		created := post("/rbac/users", form("name="+name, "user_token="+name+"-token"), http.StatusCreated)
		if created["user_token"] != name+"-token" || created["user_token_ident"] == nil {
			t.Fatalf("the token is shown once, at creation: %v", created)
		}
		if len(roles) > 0 {
			post("/rbac/users/"+name+"/roles", form("roles="+joinComma(roles)), http.StatusCreated)
		}
	}
	role := func(name string, endpoints [][3]string, entities [][3]string) {
		post("/rbac/roles", form("name="+name), http.StatusCreated)
		for _, e := range endpoints { // endpoint, workspace, actions; a leading "!" is negative
			negative, endpoint := "false", e[0]
			if endpoint[0] == '!' {
				negative, endpoint = "true", endpoint[1:]
			}
			post("/rbac/roles/"+name+"/endpoints", form("endpoint="+endpoint, "workspace="+e[1], "actions="+e[2], "negative="+negative), http.StatusCreated)
		}
		for _, e := range entities { // entity (a name in ids, or *), actions, negative
			id := e[0]
			if known, ok := ids[id]; ok {
				id = known
			}
			post("/rbac/roles/"+name+"/entities", fmt.Sprintf(`{"entity_id":%q,"actions":%q,"negative":%s}`, id, e[1], e[2]), http.StatusCreated)
		}
	}
	user("reader", "read-only")
	user("operator", "admin")
	user("nobody")
	role("services-reader", [][3]string{{"/services", "*", "read"}}, nil)
	user("svc", "services-reader")
	role("one-service", [][3]string{{"/services/*", "default", "read,update"}, {"/services/*/plugins", "*", "read"}}, nil)
	user("one", "one-service")
	role("no-deleting-consumers", [][3]string{{"*", "*", "*"}, {"!/consumers/*", "*", "delete"}}, nil)
	user("keeper", "no-deleting-consumers")
	role("elsewhere", [][3]string{{"/services", "other-workspace", "read"}}, nil)
	user("lost", "elsewhere")
	role("deny-services", [][3]string{{"!/services", "*", "read"}}, nil)
	user("torn", "read-only", "deny-services")
	user("split", "services-reader", "deny-services")
	role("example-only", [][3]string{{"*", "*", "read"}}, [][3]string{{"example", "read", "false"}})
	user("scoped", "example-only")
	role("all-but-other", [][3]string{{"*", "*", "*"}}, [][3]string{{"*", "read,update", "false"}, {"other", "read", "true"}})
	user("most", "all-but-other")
	user("off")
	expect(t, call(t, http.MethodPost, a+"/rbac/users/off/roles", form("roles=super-admin"), root...), http.StatusCreated)
	expect(t, call(t, http.MethodPatch, a+"/rbac/users/off", form("enabled=false"), root...), http.StatusOK)
	return a, ids
}

func joinComma(list []string) string {
	out := ""
	for i, s := range list {
		if i > 0 {
			out += ","
		}
		out += s
	}
	return out
}

// The permission table: role or permission, action, entity, and Kong's answer.
func TestRBACPermissions(t *testing.T) {
	t.Parallel()
	const invalid = `{"message":"Invalid RBAC credentials"}`
	denied := func(user, act string) string {
		return `{"message":"` + user + `, you do not have permissions to ` + act + ` this resource"}`
	}
	cases := []struct {
		mode   string
		name   string
		user   string // "" sends no token; "?" an unknown one
		method string
		path   string
		body   any
		status int
		want   string // the whole body, when set
	}{
		{"on", "no token", "", http.MethodGet, "/services", nil, 401, invalid},
		{"on", "unknown token", "?", http.MethodGet, "/services", nil, 401, invalid},
		{"on", "disabled user", "off", http.MethodGet, "/services", nil, 401, invalid},
		{"on", "super admin reads RBAC", "kong_admin", http.MethodGet, "/rbac/users", nil, 200, ""},
		{"on", "read-only reads", "reader", http.MethodGet, "/services/example", nil, 200, ""},
		{"on", "read-only cannot create", "reader", http.MethodPost, "/services", form("host=x.com"), 403, denied("reader", "create")},
		{"on", "read-only cannot delete", "reader", http.MethodDelete, "/consumers/bob", nil, 403, denied("reader", "delete")},
		{"on", "read-only cannot update (PATCH)", "reader", http.MethodPatch, "/services/example", form("retries=1"), 403, denied("reader", "update")},
		{"on", "admin creates", "operator", http.MethodPost, "/consumers", form("username=carol"), 201, ""},
		{"on", "admin cannot read RBAC", "operator", http.MethodGet, "/rbac/users", nil, 403, denied("operator", "read")},
		{"on", "admin cannot create RBAC users", "operator", http.MethodPost, "/rbac/users", form("name=x", "user_token=y"), 403, denied("operator", "create")},
		{"on", "no role, nothing", "nobody", http.MethodGet, "/services", nil, 403, denied("nobody", "read")},
		{"on", "endpoint permission matches its endpoint", "svc", http.MethodGet, "/services", nil, 200, ""},
		{"on", "workspace prefix is the same endpoint", "svc", http.MethodGet, "/default/services", nil, 200, ""},
		{"on", "not another endpoint", "svc", http.MethodGet, "/consumers", nil, 403, denied("svc", "read")},
		{"on", "not the items under it", "svc", http.MethodGet, "/services/example", nil, 403, denied("svc", "read")},
		{"on", "* is one segment", "one", http.MethodGet, "/services/example", nil, 200, ""},
		{"on", "* in the middle", "one", http.MethodGet, "/services/example/plugins", nil, 200, ""},
		{"on", "* is not the collection", "one", http.MethodGet, "/services", nil, 403, denied("one", "read")},
		{"on", "actions granted: update by PUT", "one", http.MethodPut, "/services/example", form("host=example.org"), 200, ""},
		{"on", "actions not granted: delete", "one", http.MethodDelete, "/services/example", nil, 403, denied("one", "delete")},
		{"on", "negative on the specific endpoint wins over *", "keeper", http.MethodDelete, "/consumers/bob", nil, 403, denied("keeper", "delete")},
		{"on", "negative only for its action", "keeper", http.MethodPost, "/consumers", form("username=dave"), 201, ""},
		{"on", "another workspace's permission", "lost", http.MethodGet, "/services", nil, 403, denied("lost", "read")},
		{"on", "negative in one role beats positive in another", "torn", http.MethodGet, "/services", nil, 403, denied("torn", "read")},
		{"on", "negative and positive on the same endpoint: negative wins", "split", http.MethodGet, "/services", nil, 403, denied("split", "read")},
		{"on", "entity permissions are not checked under on", "scoped", http.MethodGet, "/services/other", nil, 200, ""},
		{"entity", "entity permission on its entity", "scoped", http.MethodGet, "/services/example", nil, 200, ""},
		{"entity", "not on another entity", "scoped", http.MethodGet, "/services/other", nil, 403, denied("scoped", "read")},
		{"entity", "endpoint permissions are not checked under entity", "svc", http.MethodGet, "/consumers", nil, 200, ""},
		{"entity", "negative entity permission beats *", "most", http.MethodGet, "/services/other", nil, 403, denied("most", "read")},
		{"entity", "* covers the rest", "most", http.MethodPatch, "/services/example", form("retries=2"), 200, ""},
		{"entity", "entity actions not granted", "most", http.MethodDelete, "/services/example", nil, 403, denied("most", "delete")},
		{"entity", "token still required", "", http.MethodGet, "/services/example", nil, 401, invalid},
		{"both", "endpoint allows, entity refuses", "scoped", http.MethodGet, "/services/other", nil, 403, denied("scoped", "read")},
		{"both", "endpoint refuses first", "svc", http.MethodGet, "/services/example", nil, 403, denied("svc", "read")},
		{"both", "both allow", "scoped", http.MethodGet, "/services/example", nil, 200, ""},
		{"off", "no token needed when off", "", http.MethodGet, "/services/example", nil, 200, ""},
	}
	fixtures := map[string]string{}
	for _, mode := range []string{"on", "entity", "both", "off"} {
		fixtures[mode], _ = rbacFixture(t, mode)
	}
	for _, c := range cases {
		var headers []string
		switch c.user {
		case "":
		case "?":
			headers = []string{"Kong-Admin-Token", "not-a-token"}
		case "kong_admin":
			headers = []string{"Kong-Admin-Token", adminToken}
		default:
			headers = []string{"Kong-Admin-Token", c.user + "-token"}
		}
		got := call(t, c.method, fixtures[c.mode]+c.path, c.body, headers...)
		if got.status != c.status || c.want != "" && got.body != c.want {
			t.Errorf("%s: %s %s %s as %q: %d %s, want %d %s", c.mode, c.name, c.method, c.path, c.user, got.status, got.body, c.status, c.want)
		}
	}
}

// The token header is configurable (rbac_auth_header); under entity, lists show only what the
// user may read; the token is never shown again and a changed token replaces the old one.
func TestRBACHeaderListsAndTokens(t *testing.T) {
	t.Parallel()
	emu := start(t, adminapi.RBACOptions{Enforce: adminapi.RBACEntity, AdminToken: adminToken, Header: "X-Admin-Token"})
	a := emu.AdminURL
	root := []string{"X-Admin-Token", adminToken}
	expect(t, call(t, http.MethodGet, a+"/services", nil, "Kong-Admin-Token", adminToken), http.StatusUnauthorized)
	keep := expect(t, call(t, http.MethodPost, a+"/services", form("name=keep", "host=a.com"), root...), http.StatusCreated).json(t)
	expect(t, call(t, http.MethodPost, a+"/services", form("name=hidden", "host=b.com"), root...), http.StatusCreated)
	expect(t, call(t, http.MethodPost, a+"/rbac/roles", form("name=keeper"), root...), http.StatusCreated)
	expect(t, call(t, http.MethodPost, a+"/rbac/roles/keeper/entities", form("entity_id="+keep["id"].(string), "actions=read"), root...), http.StatusCreated)
	expect(t, call(t, http.MethodPost, a+"/rbac/users", form("name=ann", "user_token=ann-1"), root...), http.StatusCreated)
	expect(t, call(t, http.MethodPost, a+"/rbac/users/ann/roles", form("roles=keeper"), root...), http.StatusCreated)

	list := expect(t, call(t, http.MethodGet, a+"/services", nil, "X-Admin-Token", "ann-1"), http.StatusOK).json(t)
	if data := list["data"].([]any); len(data) != 1 || data[0].(map[string]any)["name"] != "keep" {
		t.Fatalf("ann should see keep only: %v", list)
	}
	user := expect(t, call(t, http.MethodGet, a+"/rbac/users/ann", nil, root...), http.StatusOK).json(t)
	if _, shown := user["user_token"]; shown {
		t.Fatalf("the token is shown at creation only: %v", user)
	}
	expect(t, call(t, http.MethodPatch, a+"/rbac/users/ann", form("user_token=ann-2"), root...), http.StatusOK)
	expect(t, call(t, http.MethodGet, a+"/services/keep", nil, "X-Admin-Token", "ann-1"), http.StatusUnauthorized)
	expect(t, call(t, http.MethodGet, a+"/services/keep", nil, "X-Admin-Token", "ann-2"), http.StatusOK)
	// Names are unique, in Kong's words.
	dup := call(t, http.MethodPost, a+"/rbac/users", form("name=ann", "user_token=x"), root...)
	if dup.status != http.StatusConflict || dup.body != `{"code":5,"name":"unique constraint violation","message":"UNIQUE violation detected on '{name=\"ann\"}'","fields":{"name":"ann"}}` {
		t.Fatalf("duplicate user: %d %s", dup.status, dup.body)
	}
}

// Every user has a role of its own name: a user named super-admin is a super admin, and under
// entity-level RBAC what a user creates goes into its role, so its creator may use it.
func TestRBACDefaultRoles(t *testing.T) {
	t.Parallel()
	emu := start(t, adminapi.RBACOptions{Enforce: adminapi.RBACBoth, AdminToken: adminToken})
	a := emu.AdminURL
	root := []string{"Kong-Admin-Token", adminToken}
	expect(t, call(t, http.MethodPost, a+"/services", form("name=theirs", "host=a.com"), root...), http.StatusCreated)
	expect(t, call(t, http.MethodPost, a+"/rbac/users", form("name=super-admin", "user_token=sa"), root...), http.StatusCreated)
	expect(t, call(t, http.MethodGet, a+"/rbac/users", nil, "Kong-Admin-Token", "sa"), http.StatusOK)

	expect(t, call(t, http.MethodPost, a+"/rbac/roles", form("name=writers"), root...), http.StatusCreated)
	expect(t, call(t, http.MethodPost, a+"/rbac/roles/writers/endpoints", form("endpoint=*", "workspace=*", "actions=read,create,update"), root...), http.StatusCreated)
	expect(t, call(t, http.MethodPost, a+"/rbac/users", form("name=wes", "user_token=wes-token"), root...), http.StatusCreated)
	expect(t, call(t, http.MethodPost, a+"/rbac/users/wes/roles", form("roles=writers"), root...), http.StatusCreated)
	wes := []string{"Kong-Admin-Token", "wes-token"}
	expect(t, call(t, http.MethodPost, a+"/services", form("name=mine", "host=b.com"), wes...), http.StatusCreated)
	expect(t, call(t, http.MethodPatch, a+"/services/mine", form("retries=1"), wes...), http.StatusOK)
	if got := call(t, http.MethodGet, a+"/services/theirs", nil, wes...); got.status != http.StatusForbidden || got.body != `{"message":"wes, you do not have permissions to read this resource"}` {
		t.Fatalf("another's service: %d %s", got.status, got.body)
	}
	roles := expect(t, call(t, http.MethodGet, a+"/rbac/roles/wes/entities", nil, root...), http.StatusOK).json(t)
	if data := roles["data"].([]any); len(data) != 1 || data[0].(map[string]any)["entity_type"] != "services" {
		t.Fatalf("wes's role: %v", roles)
	}
}
