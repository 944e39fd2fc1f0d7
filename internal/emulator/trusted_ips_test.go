package emulator_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator"
)

// A load balancer in front: the test client connects from 127.0.0.1, so with 127.0.0.1 in
// trusted_ips it is the load balancer, and its X-Forwarded-For names the client; without it,
// the header is the client's claim and counts for nothing.
func TestTrustedForwardedForDecidesIPRestrictionAndRateLimiting(t *testing.T) {
	t.Parallel()
	trusted := startWith(t, emulator.Options{TrustedIPs: []string{"127.0.0.1"}, RealIPHeader: "X-Forwarded-For"})
	untrusted := startWith(t, emulator.Options{RealIPHeader: "X-Forwarded-For"})
	up := echoServer(t, "echo")
	host, port := hostPort(t, up.URL)
	setup := func(h *harness) {
		svc := h.post("/services", fmt.Sprintf(`{"name":"lb","host":%q,"port":%d}`, host, port))
		h.post("/services/"+svc["id"].(string)+"/routes", `{"name":"open","paths":["/open"]}`)
		h.post("/services/"+svc["id"].(string)+"/routes", `{"name":"secure","paths":["/secure"],"protocols":["https"]}`)
		limited := h.post("/services/"+svc["id"].(string)+"/routes", `{"name":"limited","paths":["/limited"]}`)
		guarded := h.post("/services/"+svc["id"].(string)+"/routes", `{"name":"guarded","paths":["/guarded"]}`)
		h.post("/routes/"+guarded["id"].(string)+"/plugins", `{"name":"ip-restriction","config":{"allow":["203.0.113.0/24"]}}`)
		h.post("/routes/"+limited["id"].(string)+"/plugins", `{"name":"rate-limiting","config":{"day":1,"limit_by":"ip"}}`)
	}
	setup(trusted)
	setup(untrusted)
	client := func(ip string) map[string]string {
		return map[string]string{"X-Forwarded-For": ip, "X-Forwarded-Host": "public.example.com", "X-Forwarded-Proto": "https"}
	}

	// ip-restriction sees the forwarded client only behind a trusted peer.
	resp, body := send(t, trusted.proxy(), "GET", "/guarded", client("203.0.113.7"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("trusted peer, allowed client: %d %s", resp.StatusCode, body)
	}
	tr := trusted.trace(resp.Header.Get("X-Kong-Request-Id"))
	if tr.ClientIP != "203.0.113.7" || tr.ConnectedFrom != "127.0.0.1" || !strings.Contains(tr.Plugins[0].Decision, "client 203.0.113.7 (from the real-IP header of trusted peer 127.0.0.1) may pass") {
		t.Fatalf("trace: %+v", tr)
	}
	resp, body = send(t, untrusted.proxy(), "GET", "/guarded", client("203.0.113.7"))
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "IP address not allowed: 127.0.0.1") {
		t.Fatalf("untrusted peer: %d %s", resp.StatusCode, body)
	}
	resp, body = send(t, trusted.proxy(), "GET", "/guarded", client("198.51.100.1"))
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "IP address not allowed: 198.51.100.1") {
		t.Fatalf("trusted peer, refused client: %d %s", resp.StatusCode, body)
	}

	// An https-only route believes a trusted load balancer that the client used https.
	if resp, body := send(t, trusted.proxy(), "GET", "/secure", client("203.0.113.7")); resp.StatusCode != http.StatusOK {
		t.Fatalf("https-only route behind a trusted peer saying https: %d %s", resp.StatusCode, body)
	}
	if resp, body := send(t, untrusted.proxy(), "GET", "/secure", client("203.0.113.7")); resp.StatusCode != http.StatusUpgradeRequired {
		t.Fatalf("https-only route, untrusted peer saying https: %d %s", resp.StatusCode, body)
	}

	// rate-limiting by ip counts each forwarded client apart only behind a trusted peer.
	for _, c := range []struct {
		h    *harness
		want []int
	}{{trusted, []int{200, 200, 429}}, {untrusted, []int{200, 429, 429}}} {
		var got []int
		for _, ip := range []string{"203.0.113.1", "203.0.113.2", "203.0.113.1"} {
			resp, _ := send(t, c.h.proxy(), "GET", "/limited", client(ip))
			got = append(got, resp.StatusCode)
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Fatalf("rate-limiting by ip: %v, want %v", got, c.want)
		}
	}

	// X-Forwarded-* from a trusted peer are kept, from another replaced; X-Forwarded-For gets
	// the connecting peer appended either way, and X-Real-IP is the client as resolved.
	for _, c := range []struct {
		h                   *harness
		host, proto, realIP string
	}{{trusted, "public.example.com", "https", "203.0.113.9"}, {untrusted, "127.0.0.1", "http", "127.0.0.1"}} {
		resp, body := send(t, c.h.proxy(), "GET", "/open", client("203.0.113.9"))
		saw := upstreamSaw(t, body)
		if resp.StatusCode != http.StatusOK || saw.Headers["X-Forwarded-Host"][0] != c.host || saw.Headers["X-Forwarded-Proto"][0] != c.proto ||
			saw.Headers["X-Forwarded-For"][0] != "203.0.113.9, 127.0.0.1" || saw.Headers["X-Real-Ip"][0] != c.realIP {
			t.Fatalf("upstream saw %v", saw.Headers)
		}
	}
}

// real_ip_recursive walks X-Forwarded-For from the right past trusted proxies; without it the
// last address is the client even when it is a trusted proxy.
func TestRealIPRecursive(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		recursive bool
		want      string
	}{{true, "203.0.113.50"}, {false, "10.0.0.2"}} {
		h := startWith(t, emulator.Options{TrustedIPs: []string{"127.0.0.1", "10.0.0.0/8"}, RealIPHeader: "X-Forwarded-For", RealIPRecursive: c.recursive})
		resp, _ := send(t, h.proxy(), "GET", "/none", map[string]string{"X-Forwarded-For": "198.51.100.1, 203.0.113.50, 10.0.0.2"})
		if tr := h.trace(resp.Header.Get("X-Kong-Request-Id")); tr.ClientIP != c.want {
			t.Fatalf("recursive %v: client %s, want %s", c.recursive, tr.ClientIP, c.want)
		}
	}
}
