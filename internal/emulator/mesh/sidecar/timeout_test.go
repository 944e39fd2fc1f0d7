package sidecar

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestDecisionTimeout: a decision slower than authConfig.timeout (here an http.send to a slow
// service) is an agent failure: statusOnError, or through with onAgentFailure Allow.
func TestDecisionTimeout(t *testing.T) {
	t.Parallel()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	policy := "package envoy.authz\n\nallow if http.send({\"method\": \"GET\", \"url\": \"" + slow.URL + "\"}).status_code == 200\n"
	for _, c := range []struct {
		name string
		auth map[string]any
		want int
	}{
		{"Deny", map[string]any{"timeout": "100ms", "statusOnError": 504}, http.StatusGatewayTimeout},
		{"Allow", map[string]any{"timeout": "100ms", "onAgentFailure": "Allow"}, http.StatusOK},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			tm := newTestMesh(t)
			tm.apply(Resources{MeshOPAs: []json.RawMessage{opaResource(t, "slow", inlinePolicy(policy, c.auth))}})
			start := time.Now()
			if status, _, body := tm.do(call{}); status != c.want {
				t.Fatalf("status %d, want %d (%s)", status, c.want, body)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("the request took %s: the timeout did not cut the decision", d)
			}
		})
	}
}
