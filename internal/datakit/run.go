package datakit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// NodeError is a node that failed at run time; the flow stops and the client gets a 500.
// Error() is the line Kong logs.
type NodeError struct {
	Index int // 0-based position in config.nodes
	Name  string
	Type  string
	Err   error
}

func (e *NodeError) Error() string {
	return fmt.Sprintf("node #%d (%s) failed with error: %q", e.Index+1, e.Name, e.Err.Error())
}

func (e *NodeError) Unwrap() error { return e.Err }

// Exit is an answer the flow gives the client instead of the upstream's: an exit node's, or
// the 500 of a failed node.
type Exit struct {
	Status int
	Header http.Header
	Body   []byte
}

type nodeState uint8

const (
	pending nodeState = iota
	running
	done
	skipped
)

// Run is one request's execution of a Flow: Access before proxying, then Response on the
// upstream's answer (only when Flow.UsesServiceResponse). A Run is used by one goroutine.
type Run struct {
	f       *Flow
	env     *Env
	outs    []any
	state   []nodeState
	taken   []bool // per branch node: its condition
	sresp   ServiceResponse
	vaultOK bool
}

// Start begins a run for one request.
func (f *Flow) Start(env *Env) *Run {
	r := &Run{f: f, env: env, outs: make([]any, len(f.nodes)), state: make([]nodeState, len(f.nodes)), taken: make([]bool, f.nUser)}
	for i := f.nUser; i < len(f.nodes); i++ {
		r.state[i] = done
	}
	return r
}

// Access runs the nodes that do not need the upstream's answer, then writes the
// service_request inputs. A non-nil Exit is the client's answer (an exit node's, or the
// 500 of a failed node, with the *NodeError to log as err); the request is then not proxied.
func (r *Run) Access(ctx context.Context) (*Exit, error) {
	if err := r.loadImplicit(r.f.implicit(nodeRequest)); err != nil {
		return r.implicitFailure(err)
	}
	if vi := r.f.implicit(nodeVault); len(r.f.usesInput[vi]) > 0 {
		if _, err := r.vaultValues(ctx); err != nil {
			return r.implicitFailure(implicitError(vi, r.f, err))
		}
	}
	if exit, err := r.phase(ctx, false); exit != nil || err != nil {
		return exit, err
	}
	if err := r.apply(r.f.implicit(nodeServiceRequest), serviceRequestSink{r.env.ServiceRequest}); err != nil {
		return r.implicitFailure(err)
	}
	return nil, nil
}

// implicitFailure is the 500 of a failure outside a user node's run, observed.
func (r *Run) implicitFailure(err error) (*Exit, error) {
	var ne *NodeError
	if errors.As(err, &ne) {
		r.observeFailure(ne)
	}
	return r.failure(err), err
}

// Response runs the nodes that read the upstream's answer and writes the response inputs
// into resp. A non-nil Exit replaces the answer.
func (r *Run) Response(ctx context.Context, upstream ServiceResponse, resp Response) (*Exit, error) {
	r.sresp = upstream
	if err := r.loadImplicit(r.f.implicit(nodeServiceResponse)); err != nil {
		return r.implicitFailure(err)
	}
	if exit, err := r.phase(ctx, true); exit != nil || err != nil {
		return exit, err
	}
	if err := r.apply(r.f.implicit(nodeResponse), responseSink{resp}); err != nil {
		return r.implicitFailure(err)
	}
	return nil, nil
}

type result struct {
	node int
	out  any
	err  error
	took time.Duration // measured only when observed
}

// exec runs node t, timing it when the run is observed.
func (r *Run) exec(ctx context.Context, t int, in input) result {
	if r.env.Observe == nil {
		out, err := r.f.nodes[t].exec.run(ctx, r, in)
		return result{node: t, out: out, err: err}
	}
	began := time.Now()
	out, err := r.f.nodes[t].exec.run(ctx, r, in)
	return result{node: t, out: out, err: err, took: time.Since(began)}
}

// phase runs the user nodes of one phase in dependency order: call nodes in the background
// (so independent calls overlap), the others in turn, config order breaking ties.
func (r *Run) phase(ctx context.Context, late bool) (*Exit, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // an exit or a failure cancels the calls still running
	results := make(chan result, r.f.nUser)
	inflight := 0
	for {
		var calls, inline []int
		skippedAny := false
		for t := range r.f.nUser {
			if r.f.inResponse[t] != late || r.state[t] != pending || !r.ready(t) {
				continue
			}
			switch {
			case r.skip(t):
				r.state[t], skippedAny = skipped, true
				if r.env.Observe != nil {
					n := r.f.nodes[t]
					r.env.Observe(NodeEvent{Name: n.name, Type: n.typ, Outcome: NodeSkipped})
				}
			case r.f.nodes[t].typ == "call":
				calls = append(calls, t)
			default:
				inline = append(inline, t)
			}
		}
		if skippedAny { // skipping may skip or ready more nodes
			continue
		}
		if len(calls) == 1 && len(inline) == 0 && inflight == 0 {
			// Nothing could run beside this call: run it here, sparing a goroutine handoff.
			t := calls[0]
			r.state[t] = running
			if exit, err := r.finish(r.exec(ctx, t, r.inputs(t))); exit != nil || err != nil {
				return exit, err
			}
			continue
		}
		for _, t := range calls {
			in := r.inputs(t)
			r.state[t] = running
			inflight++
			go func() { results <- r.exec(ctx, t, in) }()
		}
		if len(inline) > 0 { // one at a time: it may make more calls ready to start
			t := inline[0]
			if exit, err := r.finish(r.exec(ctx, t, r.inputs(t))); exit != nil || err != nil {
				return exit, err
			}
			continue
		}
		if inflight == 0 {
			return nil, nil
		}
		res := <-results
		inflight--
		if exit, err := r.finish(res); exit != nil || err != nil {
			return exit, err
		}
	}
}

// finish records a node's result; an exit node's result ends the flow.
func (r *Run) finish(res result) (*Exit, error) {
	n := r.f.nodes[res.node]
	if r.env.Observe != nil {
		r.observe(res.node, res.out, res.err, res.took)
	}
	if res.err != nil {
		ne := &NodeError{Index: n.index, Name: n.name, Type: n.typ, Err: res.err}
		return r.failure(ne), ne
	}
	r.state[res.node] = done
	r.outs[res.node] = res.out
	if exit, ok := res.out.(*Exit); ok {
		return exit, nil
	}
	if n.typ == "branch" {
		r.taken[res.node] = res.out.(bool)
	}
	return nil, nil
}

func (r *Run) ready(t int) bool {
	for _, d := range r.f.deps[t] {
		if r.state[d] != done && r.state[d] != skipped {
			return false
		}
	}
	return true
}

// skip: a node on the branch not taken is skipped, and so is a node fed by a skipped node.
func (r *Run) skip(t int) bool {
	if b := r.f.branchOf[t]; b >= 0 && (r.state[b] == skipped || r.taken[b] != r.f.branchSide[t]) {
		return true
	}
	for _, d := range r.f.deps[t] {
		if r.state[d] == skipped {
			return true
		}
	}
	return false
}

// input is what a node receives: the node-wise value, or its connected fields.
type input struct {
	self     any
	hasSelf  bool
	fields   map[string]any
	hasField map[string]bool
}

func (in input) field(name string) (any, bool) { return in.fields[name], in.hasField[name] }

// inputs gathers node t's inputs from the outputs of its sources. A node-wise value spread
// into an object input gives the fields it has.
func (r *Run) inputs(t int) input {
	in := input{fields: map[string]any{}, hasField: map[string]bool{}}
	for field, c := range r.f.slots[t] {
		if r.state[c.from.node] == skipped {
			continue
		}
		v := r.value(c.from)
		switch {
		case c.spread:
			in.self, in.hasSelf = v, true
			if m, ok := v.(map[string]any); ok {
				for k := range r.f.nodes[t].in.fields {
					if fv, has := m[k]; has {
						in.fields[k], in.hasField[k] = fv, true
					}
				}
			}
		case field == "":
			in.self, in.hasSelf = v, true
		default:
			in.fields[field], in.hasField[field] = v, true
		}
	}
	return in
}

func (r *Run) value(e endpoint) any {
	v := r.outs[e.node]
	if e.field == "" {
		return v
	}
	if m, ok := v.(map[string]any); ok {
		return m[e.field]
	}
	return nil
}

// loadImplicit fills the output of the request, service_response and vault nodes with the
// fields the flow uses.
func (r *Run) loadImplicit(idx int) error {
	used := r.f.usesInput[idx]
	if len(used) == 0 {
		return nil
	}
	want := func(k string) bool { return used[k] || used[""] }
	out := map[string]any{}
	switch r.f.nodes[idx].name {
	case nodeRequest:
		req := r.env.Request
		if want("body") {
			b, err := req.Body()
			if err != nil {
				return implicitError(idx, r.f, fmt.Errorf("reading the request body: %w", err))
			}
			out["body"] = decodeBody(b, req.Header().Get("Content-Type"), false)
		}
		if want("headers") {
			out["headers"] = headerMap(req.Header())
		}
		if want("query") {
			out["query"] = queryMap(req.Query())
		}
		out["path"], out["raw_path"], out["method"], out["scheme"] = req.Path(), req.RawPath(), req.Method(), req.Scheme()
		out["port"] = float64(req.Port())
	case nodeServiceResponse:
		if want("body") || want("raw_body") {
			b, err := r.sresp.Body()
			if err != nil {
				return implicitError(idx, r.f, fmt.Errorf("reading the upstream's answer: %w", err))
			}
			out["raw_body"] = string(b)
			out["body"] = decodeBody(b, r.sresp.Header().Get("Content-Type"), false)
		}
		out["headers"] = headerMap(r.sresp.Header())
		out["status"] = float64(r.sresp.Status())
	}
	r.outs[idx] = out
	return nil
}

// implicitError is a failure attributed to node idx (-1 as the index of an implicit node).
func implicitError(idx int, f *Flow, err error) *NodeError {
	n := f.nodes[idx]
	if n.implicit {
		idx = -1
	}
	return &NodeError{Index: idx, Name: n.name, Type: n.typ, Err: err}
}

// vaultValues resolves config.resources.vault on first use.
func (r *Run) vaultValues(ctx context.Context) (map[string]any, error) {
	idx := r.f.implicit(nodeVault)
	if r.vaultOK {
		return r.outs[idx].(map[string]any), nil
	}
	if r.env.Vault == nil {
		return nil, errors.New("no vault is available to resolve references")
	}
	out := map[string]any{}
	for name, ref := range r.f.vault {
		if !r.f.usesInput[idx][name] && !r.f.usesInput[idx][""] {
			continue
		}
		v, err := r.env.Vault.Resolve(ctx, ref)
		if err != nil {
			return nil, fmt.Errorf("vault %s: %w", name, err)
		}
		out[name] = v
	}
	r.outs[idx], r.vaultOK = out, true
	return out, nil
}

// failure is the client's 500 for a failed node (naming it with debug on).
func (r *Run) failure(err error) *Exit {
	body := map[string]any{"message": "An unexpected error occurred"}
	var ne *NodeError
	if r.f.debug && errors.As(err, &ne) {
		node := map[string]any{"name": ne.Name, "type": ne.Type}
		if ne.Index >= 0 {
			node["index"] = ne.Index + 1
		}
		body = map[string]any{"message": "node execution error", "error": ne.Err.Error(), "node": node}
	}
	if r.env.RequestID != "" {
		body["request_id"] = r.env.RequestID
	}
	b, _ := json.Marshal(body)
	return &Exit{Status: http.StatusInternalServerError, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}, Body: b}
}

// sink is service_request or response as the end of a flow writes them.
type sink interface {
	setHeader(name string, values []string)
	setBody(b []byte)
	setQuery(rawQuery string) error
	setStatus(s int) error
	ok() bool
}

type serviceRequestSink struct{ s ServiceRequest }

func (s serviceRequestSink) setHeader(n string, v []string) { s.s.SetHeader(n, v) }
func (s serviceRequestSink) setBody(b []byte)               { s.s.SetBody(b) }
func (s serviceRequestSink) setQuery(q string) error        { s.s.SetQuery(q); return nil }
func (s serviceRequestSink) setStatus(int) error            { return errors.New("service_request has no status") }
func (s serviceRequestSink) ok() bool                       { return s.s != nil }

type responseSink struct{ s Response }

func (s responseSink) setHeader(n string, v []string) { s.s.SetHeader(n, v) }
func (s responseSink) setBody(b []byte)               { s.s.SetBody(b) }
func (s responseSink) setQuery(string) error          { return errors.New("response has no query") }
func (s responseSink) setStatus(st int) error         { s.s.SetStatus(st); return nil }
func (s responseSink) ok() bool                       { return s.s != nil }

// apply writes the connected inputs of service_request or response. A value of the wrong
// type fails the node it came from.
func (r *Run) apply(idx int, dst sink) error {
	if len(r.f.slots[idx]) == 0 || !dst.ok() {
		return nil
	}
	in := r.inputs(idx)
	source := func(field string) *NodeError {
		c := r.f.slots[idx][field]
		if c == nil {
			c = r.f.slots[idx][""]
		}
		return implicitError(c.from.node, r.f, nil)
	}
	fail := func(field string, err error) error {
		ne := source(field)
		ne.Err = fmt.Errorf("%s.%s: %w", r.f.nodes[idx].name, field, err)
		return ne
	}
	var headers map[string]any
	if v, ok := in.field("headers"); ok && v != nil {
		h, err := asHeaderMap(v)
		if err != nil {
			return fail("headers", err)
		}
		headers = h
		for _, k := range sortedKeys(h) {
			if !isFramingHeader(k) {
				dst.setHeader(k, headerValues(h[k]))
			}
		}
	}
	if v, ok := in.field("query"); ok && v != nil {
		q, err := asQuery(v)
		if err != nil {
			return fail("query", err)
		}
		if err := dst.setQuery(q.encode()); err != nil {
			return fail("query", err)
		}
	}
	if v, ok := in.field("status"); ok && v != nil {
		s, err := asNumber(v)
		if err != nil || s < 100 || s > 999 {
			return fail("status", fmt.Errorf("invalid status %v", v))
		}
		if err := dst.setStatus(int(s)); err != nil {
			return fail("status", err)
		}
	}
	if v, ok := in.field("body"); ok && v != nil {
		b, ctype, err := encodeBody(v, headers)
		if err != nil {
			return fail("body", err)
		}
		if ctype != "" {
			dst.setHeader("Content-Type", []string{ctype})
		}
		dst.setBody(b)
	}
	return nil
}

// hasHeader finds a header in a headers map, ignoring case.
func hasHeader(h map[string]any, name string) (string, bool) {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			vals := headerValues(v)
			if len(vals) == 0 {
				return "", false
			}
			return vals[0], true
		}
	}
	return "", false
}
