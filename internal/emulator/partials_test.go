package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// A redis-ce partial is stored with the defaults Konnect returns (ssl_verify false), checked as
// a plugin's Redis block is, unique by name, and listed.
func TestPartialCRUD(t *testing.T) {
	t.Parallel()
	h := start(t)
	status, p := h.raw(http.MethodPost, h.core("/partials"), `{"type":"redis-ce","name":"shared-redis","config":{"host":"redis.internal"}}`)
	if status != http.StatusCreated {
		t.Fatalf("create: %d %v", status, p)
	}
	config := p["config"].(map[string]any)
	want := map[string]any{"host": "redis.internal", "port": "6379", "timeout": "2000", "database": "0", "ssl": "false", "ssl_verify": "false"}
	for k, v := range want {
		if fmt.Sprint(config[k]) != v {
			t.Errorf("config.%s = %v, want %s", k, config[k], v)
		}
	}
	if _, ok := config["password"]; ok {
		t.Errorf("an unset field is returned: %v", config)
	}
	id := p["id"].(string)
	if status, body := h.raw(http.MethodGet, h.core("/partials/shared-redis"), ""); status != http.StatusOK || body["id"] != id {
		t.Fatalf("get by name: %d %v", status, body)
	}
	// Read back and written back as it is.
	_, got := h.raw(http.MethodGet, h.core("/partials/"+id), "")
	delete(got, "created_at")
	delete(got, "updated_at")
	got["config"].(map[string]any)["port"] = 6380
	if status, body := h.raw(http.MethodPut, h.core("/partials/"+id), mustJSON(t, got)); status != http.StatusOK || fmt.Sprint(body["config"].(map[string]any)["port"]) != "6380" {
		t.Fatalf("upsert: %d %v", status, body)
	}
	if status, body := h.raw(http.MethodPost, h.core("/partials"), `{"type":"redis-ce","name":"shared-redis","config":{}}`); status != http.StatusBadRequest ||
		!strings.Contains(fmt.Sprint(body), "name") {
		t.Fatalf("duplicate name: %d %v", status, body)
	}
	if status, body := h.raw(http.MethodGet, h.core("/partials"), ""); status != http.StatusOK || len(body["data"].([]any)) != 1 {
		t.Fatalf("list: %d %v", status, body)
	}
	for _, tc := range []struct{ name, body, field string }{
		{"unknown type", `{"type":"memcached","config":{}}`, "field:type messages:[expected one of: embeddings, model, redis-ce, redis-ee, vectordb]"},
		{"no type", `{"config":{}}`, "field:type messages:[required field missing]"},
		{"no config", `{"type":"redis-ce"}`, "config"},
		{"port out of range", `{"type":"redis-ce","config":{"port":70000}}`, "field:config.port"},
		{"host with a port", `{"type":"redis-ce","config":{"host":"redis:6379"}}`, "field:config.host messages:[must not have a port]"},
		{"unknown field", `{"type":"redis-ce","config":{"hots":"x"}}`, "field:config.hots"},
	} {
		status, body := h.raw(http.MethodPost, h.core("/partials"), tc.body)
		if status != http.StatusBadRequest || !strings.Contains(fmt.Sprint(body["details"]), tc.field) {
			t.Errorf("%s: %d %v", tc.name, status, body)
		}
	}
	if status, body := h.raw(http.MethodDelete, h.core("/partials/"+id), ""); status != http.StatusNoContent {
		t.Fatalf("delete: %d %v", status, body)
	}
}

// Each partial type of Konnect's spec is accepted, with its defaults filled from the spec.
func TestPartialTypes(t *testing.T) {
	t.Parallel()
	h := start(t)
	for _, body := range []string{
		`{"type":"redis-ee","config":{"host":"redis.internal"}}`,
		`{"type":"embeddings","config":{"model":{"name":"text-embedding-3-small","provider":"openai"}}}`,
		`{"type":"vectordb","config":{"dimensions":1536,"distance_metric":"cosine","strategy":"redis","threshold":0.5}}`,
		`{"type":"model","config":{"route_type":"llm/v1/chat","model":{"name":"gpt-4o","provider":"openai"}}}`,
	} {
		if status, p := h.raw(http.MethodPost, h.core("/partials"), body); status != http.StatusCreated {
			t.Errorf("%s: %d %v", body, status, p)
		}
	}
}

// A plugin uses a partial by id or by name; the reference comes back with name and path; the
// type must fit the plugin; the partial cannot go while in use; its links list the plugin; and
// expand_partials returns the partial's config in place.
func TestPluginPartials(t *testing.T) {
	t.Parallel()
	h := start(t)
	_, p := h.raw(http.MethodPost, h.core("/partials"), `{"type":"redis-ce","name":"counters","config":{"host":"redis.internal","port":6380}}`)
	id := p["id"].(string)
	_, ee := h.raw(http.MethodPost, h.core("/partials"), `{"type":"redis-ee","name":"ee","config":{"host":"redis.internal"}}`)

	status, plugin := h.raw(http.MethodPost, h.core("/plugins"), `{"name":"rate-limiting","instance_name":"rl","config":{"minute":5,"policy":"redis"},"partials":[{"name":"counters"}]}`)
	if status != http.StatusCreated {
		t.Fatalf("plugin with a Redis policy and a partial holding the host: %d %v", status, plugin)
	}
	refs := plugin["partials"].([]any)
	if ref := refs[0].(map[string]any); ref["id"] != id || ref["name"] != "counters" || ref["path"] != "config.redis" {
		t.Fatalf("partials: %v", refs)
	}
	if host := plugin["config"].(map[string]any)["redis"].(map[string]any)["host"]; host != nil {
		t.Fatalf("the partial's config is stored in the plugin: host %v", host)
	}
	pid := plugin["id"].(string)
	_, expanded := h.raw(http.MethodGet, h.core("/plugins/"+pid+"?expand_partials=true"), "")
	if redis := expanded["config"].(map[string]any)["redis"].(map[string]any); redis["host"] != "redis.internal" || fmt.Sprint(redis["port"]) != "6380" {
		t.Fatalf("expanded: %v", redis)
	}

	for _, tc := range []struct{ name, body, want string }{
		{"wrong type", `{"name":"rate-limiting","config":{"minute":5},"partials":[{"id":"` + ee["id"].(string) + `"}]}`,
			"partial type 'redis-ee' is not supported by plugin 'rate-limiting'"},
		{"wrong path", `{"name":"rate-limiting","config":{"minute":5},"partials":[{"id":"` + id + `","path":"config.limits"}]}`,
			"can only be used at: config.redis"},
		{"unknown name", `{"name":"rate-limiting","config":{"minute":5},"partials":[{"name":"nope"}]}`,
			"partials (type: foreign) constraint failed"},
		{"plugin without partials", `{"name":"key-auth","partials":[{"id":"` + id + `"}]}`,
			"plugin 'key-auth' does not support partials"},
		{"id and name of different partials", `{"name":"rate-limiting","config":{"minute":5},"partials":[{"id":"` + id + `","name":"ee"}]}`,
			"partials (type: foreign) constraint failed"},
		{"two partials at one path", `{"name":"rate-limiting","config":{"minute":5},"partials":[{"id":"` + id + `"},{"name":"counters"}]}`,
			"another partial is already used at 'config.redis'"},
		{"unknown reference field", `{"name":"rate-limiting","config":{"minute":5},"partials":[{"id":"` + id + `","kind":"x"}]}`,
			"field:partials[0].kind messages:[unknown field]"},
		{"redis policy without a host", `{"name":"rate-limiting","config":{"minute":5,"policy":"redis"}}`, "redis"},
	} {
		status, body := h.raw(http.MethodPost, h.core("/services"), `{"host":"x.test"}`)
		if status != http.StatusCreated {
			t.Fatal(body)
		}
		status, body = h.raw(http.MethodPost, h.core("/services/"+body["id"].(string)+"/plugins"), tc.body)
		if status != http.StatusBadRequest || !strings.Contains(fmt.Sprint(body["details"]), tc.want) {
			t.Errorf("%s: %d %v", tc.name, status, body)
		}
	}

	status, links := h.raw(http.MethodGet, h.core("/partials/"+id+"/links"), "")
	data, _ := links["data"].([]any)
	if status != http.StatusOK || fmt.Sprint(links["count"]) != "1" || len(data) != 1 ||
		data[0].(map[string]any)["id"] != pid || data[0].(map[string]any)["instance_name"] != "rl" {
		t.Fatalf("links: %d %v", status, links)
	}
	status, body := h.raw(http.MethodDelete, h.core("/partials/"+id), "")
	if status != http.StatusBadRequest || !strings.Contains(fmt.Sprint(body["details"]), "constraint failed (type: foreign) as plugin references this value") {
		t.Fatalf("delete in use: %d %v", status, body)
	}
	h.raw(http.MethodDelete, h.core("/plugins/"+pid), "")
	if status, links = h.raw(http.MethodGet, h.core("/partials/"+id+"/links"), ""); status != http.StatusOK || fmt.Sprint(links["count"]) != "0" {
		t.Fatalf("links once unused: %d %v", status, links)
	}
	if status, body := h.raw(http.MethodDelete, h.core("/partials/"+id), ""); status != http.StatusNoContent {
		t.Fatalf("delete once unused: %d %v", status, body)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
