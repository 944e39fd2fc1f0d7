package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/dataplane"
)

// runRequests is `konnect-emulator requests`: it reads GET /_emulator/requests and prints one
// trace per block, oldest first; with --follow it keeps polling and prints new traces.
func runRequests(ctx context.Context, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("konnect-emulator requests", flag.ContinueOnError)
	apiURL := fs.String("api-url", env("KONNECT_EMULATOR_API_URL", "http://127.0.0.1:8080"), "the emulator's API (KONNECT_EMULATOR_API_URL)")
	token := fs.String("token", env("KONNECT_EMULATOR_TOKEN", emulator.DevelopmentToken), "the emulator's API token (KONNECT_EMULATOR_TOKEN)")
	follow := fs.Bool("follow", false, "keep polling and print new traces as they come")
	interval := fs.Duration("interval", 500*time.Millisecond, "how often --follow polls")
	var filters []string
	for _, name := range []string{"control_plane_id", "route", "status", "consumer"} {
		fs.Func(strings.ReplaceAll(name, "_", "-"), "only traces with this "+name, func(v string) error {
			filters = append(filters, name+"="+url.QueryEscape(v))
			return nil
		})
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	client := &http.Client{Timeout: 10 * time.Second}
	var after uint64
	for {
		traces, err := fetchTraces(ctx, client, *apiURL, *token, filters, after)
		if err != nil {
			if ctx.Err() != nil {
				return nil //nolint:nilerr // interrupted (Ctrl-C): following ends without an error
			}
			return err
		}
		// The API answers newest first; a terminal reads oldest first.
		slices.Reverse(traces)
		for _, t := range traces {
			printTrace(w, t)
			after = max(after, t.Seq)
		}
		if !*follow {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(*interval):
		}
	}
}

func fetchTraces(ctx context.Context, client *http.Client, apiURL, token string, filters []string, after uint64) ([]dataplane.TraceView, error) {
	q := append([]string{"after=" + strconv.FormatUint(after, 10)}, filters...)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(apiURL, "/")+"/_emulator/requests?"+strings.Join(q, "&"), nil)
	if err != nil {
		return nil, fmt.Errorf("requests: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("requests: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("requests: reading the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("requests: %s answered %d: %s", req.URL.Redacted(), resp.StatusCode, strings.TrimSpace(string(body)))
	}
	var out emulator.RequestTraces
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, fmt.Errorf("requests: the answer is not a list of traces: %w", err)
	}
	if out.Data == nil {
		return nil, errors.New("requests: the answer has no data")
	}
	return out.Data, nil
}

// printTrace writes a trace for a person: the summary, then each step on its own line.
func printTrace(w io.Writer, t dataplane.TraceView) {
	_, _ = fmt.Fprintf(w, "#%d %s %s\n", t.Seq, t.Time.Format(time.RFC3339Nano), t.Summary)
	line := func(format string, args ...any) { _, _ = fmt.Fprintf(w, "  "+format+"\n", args...) }
	line("request_id %s, client %s (connected from %s), control plane %s", t.RequestID, t.ClientIP, t.ConnectedFrom, t.ControlPlaneID)
	if t.Route != nil {
		line("route %s %s, service %s", t.Route.ID, t.Route.Name, serviceText(t.Service))
	}
	if t.NoRoute != nil {
		closest := "none"
		if t.NoRoute.ClosestRoute != nil {
			closest = t.NoRoute.ClosestRoute.ID + " " + t.NoRoute.ClosestRoute.Name
		}
		line("no route matched; closest route %s:", closest)
		for _, f := range t.NoRoute.Failed {
			line("  %s", f)
		}
	}
	if t.Message != "" {
		line("kong answered: %s", t.Message)
	}
	if t.Consumer != nil {
		cred := ""
		if t.Credential != nil {
			cred = ", credential " + t.Credential.ID + " (" + t.Credential.Type + ")"
		}
		line("consumer %s %s%s", t.Consumer.ID, t.Consumer.Name, cred)
	}
	for _, p := range t.Plugins {
		status := ""
		if p.Status != 0 {
			status = "; " + strconv.Itoa(p.Status)
		}
		line("%s: %s%s (%.0f µs)", p.Name, p.Decision, status, p.DurationUS)
	}
	if u := t.Upstream; u != nil {
		if u.Error != "" {
			line("upstream %s %s (Host %s) failed after %.1f ms: %s", u.Method, u.URL, u.Host, u.LatencyMS, u.Error)
		} else {
			line("upstream %s %s (Host %s) answered %d in %.1f ms", u.Method, u.URL, u.Host, u.Status, u.LatencyMS)
		}
	}
}

func serviceText(s *dataplane.EntityRef) string {
	if s == nil {
		return "none"
	}
	return s.ID + " " + s.Name
}
