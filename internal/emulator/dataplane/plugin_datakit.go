package dataplane

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/openkonnect/terraform-provider-konnect/internal/datakit"
)

// datakit: Kong's flow engine (internal/datakit) on the gateway's requests. The flow is
// compiled once per snapshot; each request gets a run whose access phase goes before
// proxying and, when nodes read the upstream's answer or write the client's, whose response
// phase goes on the buffered answer.

func init() {
	RegisterTyped("datakit", newDatakit)
	alsoNotEnforced("datakit", datakit.NotEnforced, datakitDefaults())
}

// datakitDefaults are the values the engine fills in for its not-enforced fields (a Redis
// block's keepalive_pool_size...), read from a minimal config as the engine completes it.
func datakitDefaults() map[string]any {
	flow, err := datakit.Compile(map[string]any{
		"nodes":     []any{map[string]any{"name": "N", "type": "exit"}},
		"resources": map[string]any{"cache": map[string]any{"redis": map[string]any{}}},
	})
	if err != nil {
		panic("dataplane: datakit's minimal config: " + err.Error())
	}
	out := map[string]any{}
	for _, path := range datakit.NotEnforced {
		if values := valuesAt(flow.Normalized(), path); len(values) > 0 {
			out[path] = values[0]
		}
	}
	return out
}

// datakitConfig is Datakit's config; nodes and resources are checked and read by the engine.
type datakitConfig struct {
	Debug     bool           `json:"debug"`
	Nodes     []any          `json:"nodes"`
	Resources map[string]any `json:"resources"`
}

// datakitPlugin runs a flow. It implements AccessHandler; datakitWithResponse adds the
// response phase, so a flow that does not need the upstream's answer leaves it unbuffered.
type datakitPlugin struct {
	flow   *datakit.Flow
	redis  *datakit.DefaultRedis
	in     Instance
	logger *slog.Logger
	vault  datakit.VaultResolver
}

type datakitWithResponse struct{ *datakitPlugin }

// datakitRequest is one request's state: its run, its kong.ctx.plugin table, and in a traced
// request the words of the nodes that ran.
type datakitRequest struct {
	run    *datakit.Run
	plugin map[string]any
	nodes  []string
}

func (s *datakitRequest) observe(e datakit.NodeEvent) { s.nodes = append(s.nodes, e.String()) }

// flowWords is what the flow did, node by node, and what became of the request.
func (s *datakitRequest) flowWords(exit *datakit.Exit, err error) string {
	words := strings.Join(s.nodes, "; ")
	switch {
	case err != nil:
		words += "; the flow failed, so the client gets a 500"
	case exit != nil:
		words += "; the flow answered the client itself with " + strconv.Itoa(exit.Status)
	}
	return words
}

// memoryResource is a proxy's memory cache for one dictionary, held as a proxy resource.
type memoryResource struct{ *datakit.MemoryCache }

func (memoryResource) Close() error { return nil }

func newDatakit(c datakitConfig, in Instance) (Handler, error) {
	config := map[string]any{"debug": c.Debug, "nodes": c.Nodes}
	if c.Resources != nil {
		config["resources"] = c.Resources
	}
	flow, err := datakit.Compile(config)
	if err != nil {
		return nil, fmt.Errorf("datakit: %w", err)
	}
	// One Redis factory per proxy: its clients outlive snapshots and close with the proxy.
	r, err := in.Resource("datakit redis", func() (io.Closer, error) { return &datakit.DefaultRedis{}, nil })
	if err != nil {
		return nil, fmt.Errorf("datakit: %w", err)
	}
	d := &datakitPlugin{flow: flow, redis: r.(*datakit.DefaultRedis), in: in, logger: in.Logger(), vault: datakit.EnvVault{}}
	if flow.UsesServiceResponse() {
		return datakitWithResponse{d}, nil
	}
	return d, nil
}

// memory is the proxy's memory cache for a dictionary, like a Kong node's shared dictionary.
func (d *datakitPlugin) memory(dictionary string) datakit.Cache {
	r, err := d.in.Resource("datakit memory "+dictionary, func() (io.Closer, error) {
		return memoryResource{datakit.NewMemoryCache()}, nil
	})
	if err != nil { // the proxy is closing: a cache of this request only
		return datakit.NewMemoryCache()
	}
	return r.(memoryResource).MemoryCache
}

func (d *datakitPlugin) Access(ctx *Context) {
	state := &datakitRequest{plugin: map[string]any{}}
	var observer func(datakit.NodeEvent)
	tracing := ctx.Tracing()
	if tracing {
		observer = state.observe
	}
	state.run = d.flow.Start(&datakit.Env{
		Request:        datakit.HTTPRequest(ctx.Downstream, ctx.Protocol, ctx.LocalPort()),
		ServiceRequest: datakit.HTTPServiceRequest(ctx.Request),
		Properties:     d.properties(ctx, state.plugin),
		Vault:          d.vault,
		Memory:         d.memory,
		Redis:          d.redis,
		RequestID:      ctx.RequestID,
		Observe:        observer,
	})
	exit, err := state.run.Access(requestContext(ctx))
	d.logFailure(ctx, err)
	if tracing && (len(state.nodes) > 0 || err != nil) {
		ctx.Decide(state.flowWords(exit, err))
		state.nodes = state.nodes[:0]
	}
	if exit != nil {
		ctx.ExitRaw(exit.Status, exit.Body, exit.Header.Get("Content-Type"), exit.Header)
		return
	}
	ctx.SetPluginData(d, state)
}

// Answer is the response phase: nodes that read service_response or write response.
func (d datakitWithResponse) Answer(ctx *Context, status int, header http.Header, body []byte) (int, http.Header, []byte) {
	state, _ := ctx.PluginData(d.datakitPlugin).(*datakitRequest)
	if state == nil {
		return status, header, body
	}
	answer := datakit.NewAnswer(status, header, body)
	exit, err := state.run.Response(requestContext(ctx), answer, answer)
	d.logFailure(ctx, err)
	if ctx.Tracing() && (len(state.nodes) > 0 || err != nil) {
		status := 0
		if exit != nil {
			status = exit.Status
		}
		ctx.addDecision(Str(d.in.Entity, "id"), "on the upstream's answer: "+state.flowWords(exit, err), status)
	}
	if exit != nil {
		h := exit.Header
		if h == nil {
			h = http.Header{}
		}
		return exit.Status, h, exit.Body
	}
	return answer.Status(), answer.Header(), answer.Bytes()
}

// logFailure logs a failed node with Kong's line.
func (d *datakitPlugin) logFailure(ctx *Context, err error) {
	if err != nil {
		d.logger.Error("[datakit] "+err.Error(), "plugin", Str(d.in.Entity, "id"), "request_id", ctx.RequestID)
	}
}

func requestContext(ctx *Context) context.Context {
	if ctx.Downstream != nil {
		return ctx.Downstream.Context()
	}
	return context.Background()
}

// properties are the Kong properties a property node reads and writes, over the request's
// Context.
func (d *datakitPlugin) properties(ctx *Context, plugin map[string]any) datakit.PropertyTable {
	entity := func(e Entity) func() (any, bool) {
		return func() (any, bool) { return e, e != nil }
	}
	str := func(s func() string) func() (any, bool) {
		return func() (any, bool) { v := s(); return v, v != "" }
	}
	return datakit.PropertyTable{
		Getters: map[string]func() (any, bool){
			"kong.client.consumer":   func() (any, bool) { return entity(ctx.Consumer)() },
			"kong.client.credential": func() (any, bool) { return entity(ctx.Credential)() },
			"kong.client.ip":         str(func() string { return ctx.ClientIP }),
			"kong.router.route":      func() (any, bool) { return entity(ctx.Match.Route)() },
			"kong.router.service":    func() (any, bool) { return entity(ctx.Service)() },
			"kong.route_id":          str(ctx.RouteID),
			"kong.service_id":        str(ctx.ServiceID),
			"kong.version":           str(func() string { v, _, _ := strings.Cut(KongVersion, "-"); return v }),
		},
		Setters: map[string]func(any) error{
			"kong.client.consumer":  func(v any) error { return setConsumer(ctx, v) },
			"kong.service.target":   func(v any) error { return setTarget(ctx, v) },
			"kong.service.upstream": func(v any) error { return setUpstream(ctx, v) },
		},
		Prefixed: map[string]map[string]any{"kong.ctx.shared.": ctx.Shared, "kong.ctx.plugin.": plugin},
	}
}

// setConsumer authenticates the request as a consumer, as an auth plugin does: the value is
// the consumer's id or username, or an object with its id, username or custom_id.
func setConsumer(ctx *Context, v any) error {
	var consumer Entity
	found := false
	switch x := v.(type) {
	case string:
		if consumer, found = ctx.Snapshot.Get("consumers", x); !found {
			consumer, found = ctx.Snapshot.Lookup("consumers", "username", x)
		}
	case map[string]any:
		for _, key := range []string{"id", "username", "custom_id"} {
			s, _ := x[key].(string)
			if s == "" {
				continue
			}
			if key == "id" {
				consumer, found = ctx.Snapshot.Get("consumers", s)
			} else {
				consumer, found = ctx.Snapshot.Lookup("consumers", key, s)
			}
			break
		}
	default:
		return fmt.Errorf("kong.client.consumer: expected a consumer id, username or object, got %T", v)
	}
	if !found {
		return errors.New("kong.client.consumer: consumer not found")
	}
	ctx.Authenticate(consumer, Entity{}, "")
	ctx.Credential = nil // a consumer set by the flow, with no credential
	return nil
}

// setTarget sends the request to host:port instead of the service's host and port.
func setTarget(ctx *Context, v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("kong.service.target: expected \"host:port\", got %T", v)
	}
	host, portText, err := net.SplitHostPort(s)
	port, perr := strconv.Atoi(portText)
	if err != nil || perr != nil || host == "" || port < 1 || port > 65535 {
		return fmt.Errorf("kong.service.target: %q is not host:port", s)
	}
	if ctx.Service == nil {
		return errors.New("kong.service.target: the route has no service")
	}
	svc := cloneEntity(ctx.Service)
	svc["host"], svc["port"] = host, float64(port)
	ctx.Service = svc
	return nil
}

// setUpstream sends the request to the named upstream (its balancer) instead of the service's host.
func setUpstream(ctx *Context, v any) error {
	name, ok := v.(string)
	if !ok {
		return fmt.Errorf("kong.service.upstream: expected an upstream name, got %T", v)
	}
	if ctx.Snapshot.balancers[name] == nil {
		return fmt.Errorf("kong.service.upstream: could not find an Upstream named '%s'", name)
	}
	if ctx.Service == nil {
		return errors.New("kong.service.upstream: the route has no service")
	}
	svc := cloneEntity(ctx.Service)
	svc["host"] = name
	ctx.Service = svc
	return nil
}

// cloneEntity is a shallow copy: the snapshot's entities are shared by every request.
func cloneEntity(e Entity) Entity {
	out := make(Entity, len(e))
	for k, v := range e {
		out[k] = v
	}
	return out
}
