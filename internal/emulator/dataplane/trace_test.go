package dataplane

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// TestTraceRedactsTheClientsQuerySecrets: the client's URL in the trace, its summary and the
// debug log keeps its path and plain arguments but not the values of secret ones (OAuth's
// access_token, client_secret and callback code).
func TestTraceRedactsTheClientsQuerySecrets(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	g := newTestGatewayConfigured(t, logger, Settings{Traces: NewTraceLog(100)})
	g.route("/ok")
	// An upstream that refuses connections: its failure is logged with the URL sent.
	g.add("services", Entity{"id": "svc-down", "host": "127.0.0.1", "port": 1, "protocol": "http", "retries": 0})
	g.add("routes", Entity{"paths": []any{"/down"}, "service": map[string]any{"id": "svc-down"}})

	secrets := []string{"SECRET-ACCESS", "SECRET-CLIENT", "SECRET-CODE", "SECRET-ID-TOKEN"}
	query := "?access_token=SECRET-ACCESS&client_secret=SECRET-CLIENT&code=SECRET-CODE&id_token=SECRET-ID-TOKEN&x=1&country_code=fr"
	if resp, body := g.get("/ok/callback"+query, nil); resp.StatusCode != 200 || !strings.Contains(g.echo(body).Query, "SECRET-CODE") {
		t.Fatalf("the upstream did not get the query as sent: %d %s", resp.StatusCode, body)
	}
	if resp, _ := g.get("/down/callback"+query, nil); resp.StatusCode != 502 {
		t.Fatalf("the refusing upstream: %d, want 502", resp.StatusCode)
	}
	for _, view := range g.traces() {
		shown, _ := json.Marshal(view)
		for _, s := range secrets {
			if strings.Contains(string(shown), s) {
				t.Errorf("the trace shows %s: %s", s, shown)
			}
		}
		if !strings.Contains(view.URL, "/callback?") || !strings.Contains(view.URL, "x=1") || !strings.Contains(view.URL, "country_code=fr") ||
			!strings.Contains(view.Summary, "x=1") {
			t.Errorf("the trace lost the path or the plain arguments: url %q, summary %q", view.URL, view.Summary)
		}
	}
	mu.Lock()
	logged := logs.String()
	mu.Unlock()
	if !strings.Contains(logged, "request trace") || !strings.Contains(logged, "upstream failed") || !strings.Contains(logged, "x=1") {
		t.Fatalf("no request trace and upstream failure with the plain arguments in the debug log:\n%s", logged)
	}
	for _, s := range secrets {
		if strings.Contains(logged, s) {
			t.Errorf("the debug log shows %s:\n%s", s, logged)
		}
	}
}
