package emulator_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator"
)

// badInput is a request the API must refuse with a 4xx in its own error format.
type badInput struct {
	name   string
	method string
	path   string // under core-entities unless it starts with /v2
	body   string
	status int
	field  string // the field the answer must name ("" for none)
}

func TestBadInputGetsTheAPIsFourHundredFormat(t *testing.T) {
	t.Parallel()
	h := start(t)
	_, svc := h.raw(http.MethodPost, h.core("/services"), `{"name":"bad-svc","host":"x.test"}`)
	_, c := h.raw(http.MethodPost, h.core("/consumers"), `{"username":"bad-c"}`)
	sid, cid := svc["id"].(string), c["id"].(string)
	huge := `{"username":"` + strings.Repeat("x", 2<<20) + `"}`
	cases := []badInput{
		{"malformed JSON", "POST", "/consumers", `{"username":`, 400, ""},
		{"not an object", "POST", "/consumers", `["alice"]`, 400, ""},
		{"trailing garbage", "POST", "/consumers", `{"username":"a"} x`, 400, ""},
		{"unknown field", "POST", "/consumers", `{"username":"a","nickname":"b"}`, 400, "nickname"},
		{"wrong type string", "POST", "/consumers", `{"username":5}`, 400, "username"},
		{"wrong type array", "POST", "/consumers", `{"username":"a","tags":"t"}`, 400, "tags"},
		{"wrong element type", "POST", "/consumers", `{"username":"a","tags":[1]}`, 400, "tags[0]"},
		{"neither username nor custom_id", "POST", "/consumers", `{"tags":["x"]}`, 400, ""},
		{"service without host", "POST", "/services", `{"name":"s"}`, 400, "host"},
		{"service port too big", "POST", "/services", `{"host":"a.test","port":70000}`, 400, "port"},
		{"service negative retries", "POST", "/services", `{"host":"a.test","retries":-1}`, 400, "retries"},
		{"service bad protocol", "POST", "/services", `{"host":"a.test","protocol":"ftp"}`, 400, "protocol"},
		{"service timeout zero", "POST", "/services", `{"host":"a.test","connect_timeout":0}`, 400, "connect_timeout"},
		{"service port as string", "POST", "/services", `{"host":"a.test","port":"80"}`, 400, "port"},
		{"service bad url", "POST", "/services", `{"url":"not a url"}`, 400, "host"},
		{"route without matcher", "POST", "/routes", `{"name":"r"}`, 400, ""},
		{"route bad redirect code", "POST", "/routes", `{"paths":["/"],"https_redirect_status_code":303}`, 400, "https_redirect_status_code"},
		{"route path without slash", "POST", "/routes", `{"paths":["api"]}`, 400, "paths[0]"},
		{"route host header", "POST", "/routes", `{"paths":["/"],"headers":{"Host":["a"]}}`, 400, "headers"},
		{"route bad protocol element", "POST", "/routes", `{"paths":["/"],"protocols":["gopher"]}`, 400, "protocols[0]"},
		{"route bool as string", "POST", "/routes", `{"paths":["/"],"strip_path":"yes"}`, 400, "strip_path"},
		{"route service wrong shape", "POST", "/routes", `{"paths":["/"],"service":"` + sid + `"}`, 400, "service"},
		{"plugin without name", "POST", "/plugins", `{"config":{}}`, 400, "name"},
		{"unknown plugin", "POST", "/plugins", `{"name":"no-such-plugin"}`, 400, "name"},
		{"plugin config not an object", "POST", "/plugins", `{"name":"key-auth","config":"x"}`, 400, "config"},
		{"plugin bad protocols", "POST", "/plugins", `{"name":"key-auth","protocols":["udp"]}`, 400, "protocols[0]"},
		{"key-auth on a consumer", "POST", "/consumers/" + cid + "/plugins", `{"name":"key-auth"}`, 400, "consumer"},
		{"rate-limiting with no limit", "POST", "/plugins", `{"name":"rate-limiting","config":{}}`, 400, ""},
		{"basic-auth without password", "POST", "/consumers/" + cid + "/basic-auth", `{"username":"u"}`, 400, "password"},
		{"acl without group", "POST", "/consumers/" + cid + "/acls", `{}`, 400, "group"},
		{"jwt unknown algorithm", "POST", "/consumers/" + cid + "/jwt", `{"algorithm":"none"}`, 400, "algorithm"},
		{"jwt RS256 without key", "POST", "/consumers/" + cid + "/jwt", `{"algorithm":"RS256"}`, 400, "rsa_public_key"},
		{"certificate not PEM", "POST", "/certificates", `{"cert":"nope","key":"nope"}`, 400, "cert"},
		{"upstream algorithm", "POST", "/upstreams", `{"name":"u","algorithm":"random"}`, 400, "algorithm"},
		{"body id not a UUID", "POST", "/consumers", `{"id":"abc","username":"x"}`, 400, "id"},
		{"PUT id not a UUID on a kind without names", "PUT", "/certificates/not-a-uuid", `{"cert":"x","key":"y"}`, 400, ""},
		{"size zero", "GET", "/consumers?size=0", ``, 400, "size"},
		{"size too big", "GET", "/consumers?size=1001", ``, 400, "size"},
		{"size not a number", "GET", "/consumers?size=ten", ``, 400, "size"},
		{"offset garbage", "GET", "/consumers?offset=%%%", ``, 400, ""},
		{"control plane id not a UUID", "GET", "/v2/control-planes/not-a-uuid/core-entities/consumers", ``, 400, "controlPlaneId"},
		{"unknown control plane", "GET", "/v2/control-planes/00000000-0000-4000-8000-000000000000/core-entities/consumers", ``, 404, ""},
		{"oversized body", "POST", "/consumers", huge, 413, ""},
		{"unknown path", "GET", "/v2/control-planes/" + h.cp.String() + "/core-entities/nothing-here", ``, 404, ""},
		{"control plane name too short", "POST", "/v2/control-planes", `{"name":"x"}`, 400, "name"},
		{"control plane unknown field", "POST", "/v2/control-planes", `{"name":"xyz","colour":"red"}`, 400, "colour"},
		{"control plane bad cluster type", "POST", "/v2/control-planes", `{"name":"xyz","cluster_type":"CLUSTER_TYPE_NOPE"}`, 400, "cluster_type"},
		{"control plane reserved label", "POST", "/v2/control-planes", `{"name":"xyz","labels":{"konnect-x":"y"}}`, 400, "labels.konnect-x"},
		{"control plane malformed JSON", "POST", "/v2/control-planes", `{`, 400, ""},
		{"control plane page size", "GET", "/v2/control-planes?page[size]=abc", ``, 400, ""},
	}
	if len(cases) < 30 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path
			if !strings.HasPrefix(path, "/v2") {
				path = h.core(path)
			}
			status, body := h.raw(tc.method, path, tc.body)
			if status != tc.status {
				t.Fatalf("%s %s: %d %v, want %d", tc.method, path, status, body, tc.status)
			}
			if strings.HasPrefix(path, "/v2/control-planes") && !strings.Contains(path, "core-entities") {
				checkProblem(t, status, body, tc.field)
			} else {
				checkCoreError(t, status, body, tc.field)
			}
		})
	}
}

// checkCoreError checks {code, message, details[{@type, type, field, messages}]}.
func checkCoreError(t *testing.T, status int, body map[string]any, field string) {
	t.Helper()
	if body["code"] == nil || body["message"] == "" || body["message"] == nil {
		t.Fatalf("%d answer is not a core-entity error: %v", status, body)
	}
	if field == "" {
		return
	}
	details, _ := body["details"].([]any)
	for _, d := range details {
		dm := d.(map[string]any)
		if dm["field"] == field && dm["@type"] == "type.googleapis.com/kong.admin.model.v1.ErrorDetail" && len(dm["messages"].([]any)) > 0 {
			return
		}
	}
	t.Fatalf("no detail names %q: %v", field, body)
}

// checkProblem checks problem+json {status, title, instance, detail, invalid_parameters}.
func checkProblem(t *testing.T, status int, body map[string]any, field string) {
	t.Helper()
	if body["status"] != float64(status) || body["title"] == nil || body["instance"] == nil || body["detail"] == nil {
		t.Fatalf("%d answer is not problem+json: %v", status, body)
	}
	if field == "" {
		return
	}
	params, _ := body["invalid_parameters"].([]any)
	for _, p := range params {
		if p.(map[string]any)["field"] == field && p.(map[string]any)["reason"] != "" {
			return
		}
	}
	t.Fatalf("no invalid parameter names %q: %v", field, body)
}

func TestValidationMessagesReadLikeKong(t *testing.T) {
	t.Parallel()
	h := start(t)
	_, err := h.c.CreateServiceWithResponse(h.ctx, h.cp, client.Service{Host: "a.test", Port: ptr(70000)})
	if err == nil || !strings.HasSuffix(err.Error(), "400 validation error: port: value should be between 0 and 65535") {
		t.Fatalf("got %v", err)
	}
	status, body := h.raw(http.MethodPost, h.core("/consumers"), `{"username":"a","nickname":"b"}`)
	if status != 400 || !strings.Contains(body["details"].([]any)[0].(map[string]any)["messages"].([]any)[0].(string), "unknown field") {
		t.Fatalf("unknown field: %v", body)
	}
}

func TestFaultInjection(t *testing.T) {
	t.Parallel()
	h := start(t)
	status, _ := h.raw(http.MethodPut, "/_emulator/faults", `{"rate":0.5,"status":429,"retry_after":0}`)
	if status != http.StatusOK {
		t.Fatalf("set faults: %d", status)
	}
	failed := 0
	for range 10 {
		if s, _ := h.raw(http.MethodGet, h.core("/consumers"), ""); s == http.StatusTooManyRequests {
			failed++
		}
	}
	if failed != 5 {
		t.Fatalf("%d of 10 failed at rate 0.5", failed)
	}
	// A client with retries does not notice, and a failed write changed nothing.
	retrying, _ := client.New(h.emu.URL, client.WithPersonalAccessToken(h.emu.Token),
		client.WithRetryPolicy(client.RetryPolicy{MaxAttempts: 5, MinWait: 5 * time.Millisecond, MaxWait: 20 * time.Millisecond, MaxTotalWait: 5 * time.Second}))
	for i := range 20 {
		if _, _, err := client.Create(h.ctx, retrying.UpsertConsumerWithResponse, h.cp, client.Consumer{Username: ptr("f" + string(rune('a'+i)))}); err != nil {
			t.Fatalf("create %d through faults: %v", i, err)
		}
	}
	if s, _ := h.raw(http.MethodDelete, "/_emulator/faults", ""); s != http.StatusNoContent {
		t.Fatal("clear faults")
	}
	n := 0
	for _, err := range h.c.Consumers(h.ctx, h.cp, client.ListConsumerParams{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 20 {
		t.Fatalf("%d consumers after 20 retried creates", n)
	}
	if s, body := h.raw(http.MethodPut, "/_emulator/faults", `{"rate":2,"status":429}`); s != http.StatusBadRequest {
		t.Fatalf("bad faults: %d %v", s, body)
	}
}

func TestFaultsFromOptionsCarryRetryAfter(t *testing.T) {
	t.Parallel()
	emu, err := emulator.Start(context.Background(), emulator.Options{Faults: &emulator.Faults{Rate: 1, Status: 503, RetryAfter: 7}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = emu.Close() }()
	c, _ := client.New(emu.URL, client.WithPersonalAccessToken(emu.Token), client.WithRetryPolicy(client.RetryPolicy{MaxAttempts: 1}))
	_, err = c.ListControlPlanesWithResponse(context.Background(), nil)
	var e *client.APIError
	if !errors.As(err, &e) || e.StatusCode != http.StatusServiceUnavailable || e.RetryAfter != "7" {
		t.Fatalf("got %v", err)
	}
}

func TestResetAndClose(t *testing.T) {
	t.Parallel()
	h := start(t)
	before := h.emu.DefaultControlPlaneID()
	if s, _ := h.raw(http.MethodPost, "/_emulator/reset", ""); s != http.StatusNoContent {
		t.Fatal("reset")
	}
	if _, err := h.c.GetControlPlaneWithResponse(h.ctx, h.cp); !client.IsNotFound(err) {
		t.Fatalf("control plane survived a reset: %v", err)
	}
	if after := h.emu.DefaultControlPlaneID(); after == "" || after == before {
		t.Fatalf("default control plane after reset: %q (before %q)", after, before)
	}
	start := time.Now()
	if err := h.emu.Close(); err != nil {
		t.Fatal(err)
	}
	// Close bounds its shutdown by 5 s: reaching that means it waited on something. Well under
	// it, the bound leaves room for a loaded machine.
	if took := time.Since(start); took > 4*time.Second {
		t.Fatalf("close took %s", took)
	}
	if resp, err := http.Get(h.emu.URL + "/_emulator/health"); err == nil {
		_ = resp.Body.Close()
		t.Fatal("still serving after Close")
	}
}
