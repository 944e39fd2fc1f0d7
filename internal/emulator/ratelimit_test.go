package emulator_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// newControlPlane creates another control plane in the harness's emulator.
func newControlPlane(t *testing.T, h *harness) client.ControlPlaneId {
	t.Helper()
	r, err := h.c.CreateControlPlaneWithResponse(h.ctx, client.CreateControlPlaneRequest{Name: "cp-" + uuid.NewString()[:8]})
	if err != nil {
		t.Fatal(err)
	}
	return r.JSON201.Id
}

// A Kong node counts for its own configuration only: the local policy's counters of one control
// plane's gateway are not another's, even for plugins with the same scope (global here, so both
// count under the same route and service ids, and the same client IP). Daily limits: the
// requests must be counted in one window, and a minute's could end between them.
func TestRateLimitingLocalCountersArePerControlPlane(t *testing.T) {
	t.Parallel()
	first := start(t)
	second := &harness{t: t, emu: first.emu, c: first.c, ctx: first.ctx}
	second.cp = newControlPlane(t, first)
	up := echoServer(t, "echo")
	host, port := hostPort(t, up.URL)
	var proxies []string
	for _, h := range []*harness{first, second} {
		svc := h.post("/services", fmt.Sprintf(`{"name":"rl","host":%q,"port":%d}`, host, port))
		h.post("/services/"+svc["id"].(string)+"/routes", `{"paths":["/rl"]}`)
		h.post("/plugins", `{"name":"rate-limiting","config":{"day":2,"limit_by":"ip"}}`)
		proxies = append(proxies, h.proxy())
	}
	if proxies[0] == proxies[1] {
		t.Fatalf("both control planes answer on %s", proxies[0])
	}
	for i, want := range []string{"1", "0"} {
		resp, body := send(t, proxies[0], "GET", "/rl", nil)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("X-RateLimit-Remaining-Day") != want {
			t.Fatalf("first control plane, request %d: %d %v %s", i+1, resp.StatusCode, resp.Header, body)
		}
	}
	resp, body := send(t, proxies[1], "GET", "/rl", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-RateLimit-Remaining-Day") != "1" {
		t.Fatalf("second control plane's first request: %d %v %s (want 200 with 1 remaining)", resp.StatusCode, resp.Header, body)
	}
}
