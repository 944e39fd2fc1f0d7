package adminapi_test

import (
	"net/http"
	"strings"
	"testing"
)

// Consumer groups: members added from either side, shown with the group, refused twice, and
// group-scoped plugins.
func TestConsumerGroups(t *testing.T) {
	t.Parallel()
	emu := start(t, adminRBACOff)
	a := emu.AdminURL
	g := expect(t, call(t, http.MethodPost, a+"/consumer_groups", form("name=gold")), http.StatusCreated).json(t)
	c := expect(t, call(t, http.MethodPost, a+"/consumers", form("username=ann")), http.StatusCreated).json(t)
	expect(t, call(t, http.MethodPost, a+"/consumers", form("username=ben")), http.StatusCreated)
	added := expect(t, call(t, http.MethodPost, a+"/consumer_groups/gold/consumers", form("consumer=ann")), http.StatusCreated).json(t)
	if len(added["consumers"].([]any)) != 1 {
		t.Fatalf("add: %v", added)
	}
	expect(t, call(t, http.MethodPost, a+"/consumers/ben/consumer_groups", form("group=gold")), http.StatusCreated)
	dup := call(t, http.MethodPost, a+"/consumer_groups/gold/consumers", form("consumer=ann"))
	want := `{"code":5,"name":"unique constraint violation","message":"UNIQUE violation detected on '{consumer={id=\"<c>\"},consumer_group={id=\"<g>\"}}'","fields":{"consumer":{"id":"<c>"},"consumer_group":{"id":"<g>"}}}`
	want = strings.NewReplacer("<c>", c["id"].(string), "<g>", g["id"].(string)).Replace(want)
	if dup.status != http.StatusConflict || dup.body != want {
		t.Fatalf("twice: %d %s\nwant %s", dup.status, dup.body, want)
	}
	expect(t, call(t, http.MethodPost, a+"/consumer_groups/gold/plugins", form("name=rate-limiting", "config.minute=10")), http.StatusCreated)
	group := expect(t, call(t, http.MethodGet, a+"/consumer_groups/gold", nil), http.StatusOK).json(t)
	if len(group["consumers"].([]any)) != 2 || len(group["plugins"].([]any)) != 1 {
		t.Fatalf("group: %v", group)
	}
	expect(t, call(t, http.MethodDelete, a+"/consumer_groups/gold/consumers/ann", nil), http.StatusNoContent)
	left := expect(t, call(t, http.MethodGet, a+"/consumer_groups/gold/consumers", nil), http.StatusOK).json(t)
	if data := left["data"].([]any); len(data) != 1 || data[0].(map[string]any)["username"] != "ben" {
		t.Fatalf("members: %v", left)
	}
}
