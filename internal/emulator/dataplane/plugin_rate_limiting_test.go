package dataplane

import (
	"net/http"
	"testing"
)

// limit_by=header counts per the value the client sent, whatever plugins of higher priority
// did to the request on its way upstream: key-auth (1250) with hide_credentials removes the
// very header that rate-limiting (910) counts by.
func TestRateLimitingByHeaderReadsTheClientsRequest(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	g.route("/h")
	g.add("plugins", Entity{"name": "key-auth", "config": map[string]any{"hide_credentials": true}})
	g.add("plugins", Entity{"name": "rate-limiting", "config": map[string]any{"minute": 1, "limit_by": "header", "header_name": "apikey"}})
	for _, user := range []string{"ann", "bob"} {
		g.add("key-auth", Entity{"key": user + "-key", "consumer": map[string]any{"id": g.consumer(user)}})
	}
	for _, user := range []string{"ann", "bob"} {
		resp, body := g.get("/h", map[string]string{"apikey": user + "-key"})
		if resp.StatusCode != http.StatusOK || resp.Header.Get("X-RateLimit-Remaining-Minute") != "0" {
			t.Fatalf("%s's first request: %d %v %s (want 200, each key its own counter)", user, resp.StatusCode, resp.Header, body)
		}
		if _, seen := g.echo(body).Headers["Apikey"]; seen {
			t.Fatalf("hide_credentials: the key reached the upstream")
		}
	}
	resp, _ := g.get("/h", map[string]string{"apikey": "ann-key"})
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("ann's second request: %d, want 429", resp.StatusCode)
	}
}
