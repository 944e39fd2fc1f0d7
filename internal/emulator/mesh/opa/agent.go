package opa

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/open-policy-agent/opa/v1/config"
	"github.com/open-policy-agent/opa/v1/util"
)

// AgentConfig is the part of the OPA agent configuration (agentConfig) the sidecar acts on.
type AgentConfig struct {
	// ConsoleDecisionLogs logs every decision (decision_logs.console: true).
	ConsoleDecisionLogs bool
	// NotEnforced names every other setting given: accepted and validated by OPA's own parser,
	// but with nothing here to act on it (services, bundles, remote decision log reporting...).
	NotEnforced []string
	// Warnings are OPA's own warnings about the configuration (unknown keys and the like).
	Warnings []string
}

// ParseAgentConfig reads an OPA configuration file (YAML or JSON) with OPA's config parser.
func ParseAgentConfig(raw []byte) (AgentConfig, error) {
	var a AgentConfig
	cfg, err := config.ParseConfig(raw, "kong-mesh-sidecar")
	if err != nil {
		return a, fmt.Errorf("agentConfig: %w", err)
	}
	a.Warnings = cfg.Warnings
	var given map[string]any
	if err := util.Unmarshal(raw, &given); err != nil {
		return a, fmt.Errorf("agentConfig: %w", err)
	}
	for key, v := range given {
		if key != "decision_logs" {
			a.NotEnforced = append(a.NotEnforced, "agentConfig."+key)
			continue
		}
		dl, _ := v.(map[string]any)
		for k, setting := range dl {
			if k == "console" {
				a.ConsoleDecisionLogs, _ = setting.(bool)
				continue
			}
			a.NotEnforced = append(a.NotEnforced, "agentConfig.decision_logs."+k)
		}
	}
	sort.Strings(a.NotEnforced)
	return a, nil
}

// DecisionLog is one decision as OPA's console decision logger reports it.
type DecisionLog struct {
	DecisionID string
	Path       string
	Input      any
	Result     any
	Err        error
	Duration   time.Duration
}

// Log writes the decision when console decision logs are on.
func (a AgentConfig) Log(ctx context.Context, logger *slog.Logger, e DecisionLog) {
	if !a.ConsoleDecisionLogs || logger == nil {
		return
	}
	input, _ := json.Marshal(e.Input)
	result, _ := json.Marshal(e.Result)
	attrs := []slog.Attr{
		slog.String("type", "openpolicyagent.org/decision_logs"),
		slog.String("decision_id", e.DecisionID),
		slog.String("path", e.Path),
		slog.String("input", string(input)),
		slog.String("result", string(result)),
		slog.Int64("timer_server_handler_ns", e.Duration.Nanoseconds()),
	}
	if e.Err != nil {
		attrs = append(attrs, slog.String("error", e.Err.Error()))
	}
	logger.LogAttrs(ctx, slog.LevelInfo, "Decision Log", attrs...)
}
