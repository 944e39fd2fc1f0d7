package dataplane

import (
	"net/http"
	"testing"
)

func TestACL(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	consumerWithKey := func(name, key string, groups ...string) string {
		id := g.consumer(name)
		g.add("key-auth", Entity{"key": key, "consumer": map[string]any{"id": id}})
		for _, grp := range groups {
			g.add("acls", Entity{"group": grp, "consumer": map[string]any{"id": id}})
		}
		return id
	}
	consumerWithKey("dev", "k-dev", "dev", "ops")
	consumerWithKey("guest", "k-guest")
	consumerWithKey("banned", "k-banned", "banned")
	member := consumerWithKey("member", "k-member")
	gold := g.add("consumer_groups", Entity{"name": "gold"})
	g.add("consumer_group_consumers", Entity{"consumer_group": map[string]any{"id": gold}, "consumer": map[string]any{"id": member}})
	anon := g.consumer("anon")
	g.add("acls", Entity{"group": "public", "consumer": map[string]any{"id": anon}})

	route := func(path string, keyAuth map[string]any, aclConfig map[string]any) {
		r, _ := g.route(path)
		if keyAuth != nil {
			g.add("plugins", Entity{"name": "key-auth", "route": map[string]any{"id": r}, "config": keyAuth})
		}
		g.add("plugins", Entity{"name": "acl", "route": map[string]any{"id": r}, "config": aclConfig})
	}
	allowDev := map[string]any{"allow": []any{"dev"}}
	route("/allow", map[string]any{}, allowDev)
	route("/deny", map[string]any{}, map[string]any{"deny": []any{"banned"}})
	route("/hidden", map[string]any{}, map[string]any{"allow": []any{"ops"}, "hide_groups_header": true})
	route("/no-auth", nil, allowDev)
	route("/anon-public", map[string]any{"anonymous": "anon"}, map[string]any{"allow": []any{"public"}})
	route("/anon-dev", map[string]any{"anonymous": "anon"}, allowDev)
	route("/groups", map[string]any{}, map[string]any{"allow": []any{"gold"}, "include_consumer_groups": true})
	route("/groups-off", map[string]any{}, map[string]any{"allow": []any{"gold"}})

	const forbidden = "You cannot consume this service"
	key := func(k string) http.Header { return authHeaders("apikey", k) }
	cases := []authCase{
		{name: "allowed group", path: "/allow", header: key("k-dev"), status: 200,
			upstream: map[string]string{"X-Consumer-Groups": "dev, ops", "X-Consumer-Username": "dev"}},
		{name: "not in the allowed group", path: "/allow", header: key("k-banned"), status: 403, message: forbidden},
		{name: "no groups, allow list", path: "/allow", header: key("k-guest"), status: 403, message: forbidden},
		{name: "no credentials: the auth plugin answers", path: "/allow", status: 401, message: "No API key found in request", challenge: "Key"},
		{name: "deny list, other groups", path: "/deny", header: key("k-dev"), status: 200, upstream: map[string]string{"X-Consumer-Groups": "dev, ops"}},
		{name: "deny list, denied group", path: "/deny", header: key("k-banned"), status: 403, message: forbidden},
		{name: "deny list, no groups", path: "/deny", header: key("k-guest"), status: 200},
		{name: "groups header hidden", path: "/hidden", header: key("k-dev"), status: 200, upstream: map[string]string{"X-Consumer-Groups": ""}},
		{name: "no consumer at all", path: "/no-auth", status: 401, message: "Unauthorized"},
		{name: "anonymous consumer's groups", path: "/anon-public", status: 200,
			upstream: map[string]string{"X-Consumer-Groups": "public", "X-Anonymous-Consumer": "true"}},
		{name: "anonymous consumer not allowed", path: "/anon-dev", status: 403, message: forbidden},
		{name: "anonymous configured, identified consumer", path: "/anon-dev", header: key("k-dev"), status: 200},
		{name: "consumer group names count", path: "/groups", header: key("k-member"), status: 200,
			upstream: map[string]string{"X-Consumer-Groups": "gold"}},
		{name: "consumer group names ignored", path: "/groups-off", header: key("k-member"), status: 403, message: forbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, g)
		})
	}

	t.Run("empty groups header on a deny list", func(t *testing.T) {
		t.Parallel()
		resp, body := g.get("/deny", map[string]string{"apikey": "k-guest"})
		values, present := g.echo(body).Headers["X-Consumer-Groups"]
		if resp.StatusCode != http.StatusOK || !present || len(values) != 1 || values[0] != "" {
			t.Fatalf("%d, X-Consumer-Groups %q (present %v)", resp.StatusCode, values, present)
		}
	})
}

// TestACLAuthenticatedGroups covers groups an auth plugin grants without a consumer (LDAP,
// OpenID Connect...), which no plugin of this data plane sets yet: the handler is called
// directly.
func TestACLAuthenticatedGroups(t *testing.T) {
	t.Parallel()
	consumer := Entity{"id": "c-1", "username": "carol"}
	acls := []Entity{{"id": "a-1", "group": "dev", "consumer": map[string]any{"id": "c-1"}}}
	snap := &Snapshot{byKind: map[string][]Entity{"acls": acls, "consumers": {consumer}},
		byID: map[string]map[string]Entity{"consumers": {"c-1": consumer}}, indexes: map[string]map[string]Entity{}}
	credential := Entity{"id": "cred-1"}

	cases := []struct {
		name        string
		config      map[string]any
		consumer    Entity
		credential  Entity
		anonymous   bool
		groups      []string
		status      int
		header, val string
	}{
		{name: "groups without a consumer", config: map[string]any{"allow": []any{"admins"}}, groups: []string{"admins", "x"},
			status: 200, header: "X-Authenticated-Groups", val: "admins, x"},
		{name: "groups without a consumer, not allowed", config: map[string]any{"allow": []any{"admins"}}, groups: []string{"x"}, status: 403},
		{name: "groups without a consumer, denied", config: map[string]any{"deny": []any{"x"}}, groups: []string{"x"}, status: 403},
		{name: "credential but no consumer and no groups", config: map[string]any{"allow": []any{"admins"}}, credential: credential, status: 403},
		{name: "nothing", config: map[string]any{"deny": []any{"admins"}}, status: 401},
		{name: "a consumer's own groups win", config: map[string]any{"allow": []any{"dev"}}, consumer: consumer, credential: credential,
			groups: []string{"x"}, status: 200, header: "X-Consumer-Groups", val: "dev"},
		{name: "always_use_authenticated_groups", config: map[string]any{"allow": []any{"dev"}, "always_use_authenticated_groups": true},
			consumer: consumer, credential: credential, groups: []string{"x"}, status: 403},
		{name: "always_use_authenticated_groups without any", config: map[string]any{"allow": []any{"dev"}, "always_use_authenticated_groups": true},
			consumer: consumer, credential: credential, status: 200, header: "X-Consumer-Groups", val: "dev"},
		{name: "anonymous consumer uses the granted groups", config: map[string]any{"allow": []any{"admins"}}, consumer: consumer, anonymous: true,
			groups: []string{"admins"}, status: 200, header: "X-Authenticated-Groups", val: "admins"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h, err := buildPlugin(t, "acl", c.config)
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest(http.MethodGet, "/", nil)
			ctx := &Context{Request: req, Snapshot: snap, Consumer: c.consumer, Credential: c.credential, Anonymous: c.anonymous,
				AuthenticatedGroups: c.groups}
			h.(AccessHandler).Access(ctx)
			status := http.StatusOK
			if ctx.exit != nil {
				status = ctx.exit.status
			}
			if status != c.status {
				t.Fatalf("status %d, want %d", status, c.status)
			}
			if c.header != "" && req.Header.Get(c.header) != c.val {
				t.Errorf("%s = %q, want %q", c.header, req.Header.Get(c.header), c.val)
			}
			if status == http.StatusForbidden && ctx.exit.message != "You cannot consume this service" {
				t.Errorf("message %q", ctx.exit.message)
			}
		})
	}
}
