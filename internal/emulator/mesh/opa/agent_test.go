package opa

import (
	"bytes"
	"context"
	"log/slog"
	"reflect"
	"strings"
	"testing"
)

// TestAgentConfig: decision_logs.console turns decision logging on; every other setting is
// listed as not enforced; OPA's own parser rejects what OPA rejects.
func TestAgentConfig(t *testing.T) {
	t.Parallel()
	a, err := ParseAgentConfig([]byte("decision_logs:\n  console: true\n  reporting:\n    min_delay_seconds: 5\nservices:\n  acme:\n    url: https://example.com\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !a.ConsoleDecisionLogs {
		t.Error("console decision logs off")
	}
	want := []string{"agentConfig.decision_logs.reporting", "agentConfig.services"}
	if !reflect.DeepEqual(a.NotEnforced, want) {
		t.Errorf("not enforced %v, want %v", a.NotEnforced, want)
	}
	var buf bytes.Buffer
	a.Log(context.Background(), slog.New(slog.NewJSONHandler(&buf, nil)), DecisionLog{DecisionID: "d1", Path: "data.envoy.authz.allow", Result: true})
	if !strings.Contains(buf.String(), `"msg":"Decision Log"`) || !strings.Contains(buf.String(), `"decision_id":"d1"`) {
		t.Errorf("decision log: %s", buf.String())
	}
	if _, err := ParseAgentConfig([]byte("decision_logs: [1\n")); err == nil {
		t.Error("a broken agentConfig parsed")
	}
}
