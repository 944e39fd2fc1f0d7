package emulator_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/openkonnect/terraform-provider-konnect/internal/redistest"
)

// Rate-limiting with `policy: redis` and a redis-ce partial counts in the partial's Redis, not
// in the Redis of its own config; pointing the partial at another Redis moves the counting
// there on the next request.
func TestRateLimitingCountsInItsRedisPartial(t *testing.T) {
	t.Parallel()
	hostA, portA := redistest.Start(t)
	hostB, portB := redistest.Start(t)
	up := echoServer(t, "echo")
	h := start(t)
	upHost, upPort := hostPort(t, up.URL)
	_, svc := h.raw(http.MethodPost, h.core("/services"), fmt.Sprintf(`{"host":%q,"port":%d}`, upHost, upPort))
	_, route := h.raw(http.MethodPost, h.core("/routes"), fmt.Sprintf(`{"paths":["/limited"],"service":{"id":%q}}`, svc["id"]))
	status, partial := h.raw(http.MethodPost, h.core("/partials"), fmt.Sprintf(`{"type":"redis-ce","name":"counters","config":{"host":%q,"port":%d}}`, hostA, portA))
	if status != http.StatusCreated {
		t.Fatalf("partial: %d %v", status, partial)
	}
	// The plugin's own Redis does not exist: were it used, the requests would fail.
	status, plugin := h.raw(http.MethodPost, h.core("/routes/"+route["id"].(string)+"/plugins"), fmt.Sprintf(
		`{"name":"rate-limiting","config":{"hour":3,"limit_by":"ip","policy":"redis","fault_tolerant":false,"redis":{"host":"unused.invalid"}},"partials":[{"id":%q}]}`,
		partial["id"]))
	if status != http.StatusCreated {
		t.Fatalf("plugin: %d %v", status, plugin)
	}
	proxy := h.proxy()
	statuses := ""
	for range 4 {
		resp, _ := send(t, proxy, http.MethodGet, "/limited", nil)
		statuses += strconv.Itoa(resp.StatusCode) + " "
	}
	if statuses != "200 200 200 429 " {
		t.Fatalf("statuses: %s", statuses)
	}
	counters := func(host string, port int) map[string]string {
		t.Helper()
		rdb := redistest.Client(t, host, port)
		keys, err := rdb.Keys(context.Background(), "ratelimit:*").Result()
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, k := range keys {
			out[k] = rdb.Get(context.Background(), k).Val()
		}
		return out
	}
	a := counters(hostA, portA)
	if len(a) != 1 {
		t.Fatalf("the partial's Redis holds %v, want one counter", a)
	}
	for _, v := range a {
		if v != "3" {
			t.Fatalf("the counter is %s, want 3", v)
		}
	}
	status, body := h.raw(http.MethodPut, h.core("/partials/"+partial["id"].(string)),
		fmt.Sprintf(`{"type":"redis-ce","name":"counters","config":{"host":%q,"port":%d}}`, hostB, portB))
	if status != http.StatusOK {
		t.Fatalf("partial update: %d %v", status, body)
	}
	if resp, _ := send(t, proxy, http.MethodGet, "/limited", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("after moving the partial to an empty Redis: %d", resp.StatusCode)
	}
	if b := counters(hostB, portB); len(b) != 1 {
		t.Fatalf("the partial's new Redis holds %v, want one counter", b)
	}
	if got := counters(hostA, portA); fmt.Sprint(got) != fmt.Sprint(a) {
		t.Fatalf("the old Redis changed: %v, was %v", got, a)
	}
}
