package datakit

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// NodeOutcome is how a node's run ended.
type NodeOutcome uint8

// The outcomes a NodeEvent reports.
const (
	NodeDone NodeOutcome = iota
	NodeFailed
	NodeSkipped
)

// NodeEvent is one node that ran, failed or was skipped in a request's run, for Env.Observe.
type NodeEvent struct {
	Name, Type string
	Outcome    NodeOutcome
	Duration   time.Duration
	Output     any   // NodeDone: the node's output (an exit node's is an *Exit)
	Err        error // NodeFailed: why, as Kong logs it
	// A call node's request: its method, its URL without user info or query, and the
	// status it got (0 when none came back).
	Method, URL string
	Status      int
	// A property node's property and whether it set it.
	Property string
	Set      bool
}

// String is the event in a trace's words: "call `auth`: GET http://idp/token → 200 in 3.1 ms",
// "jq `build`: ok", "exit `deny`: 401", "branch `check`: false (else)", "cache `c`: hit",
// "jq `build` failed: …".
func (e NodeEvent) String() string {
	var b strings.Builder
	if e.Type == e.Name { // an implicit node: request, service_request, vault...
		b.WriteString(e.Name)
	} else {
		b.WriteString(e.Type + " `" + e.Name + "`")
	}
	if e.Outcome == NodeSkipped {
		b.WriteString(": skipped (on a branch not taken, or fed by a skipped node)")
		return b.String()
	}
	if e.Type == "call" && e.URL != "" {
		b.WriteString(": " + e.Method + " " + e.URL)
		if e.Status != 0 {
			b.WriteString(" → " + strconv.Itoa(e.Status))
		}
		if e.Outcome == NodeFailed && e.Status == 0 {
			b.WriteString(" failed after " + millis(e.Duration) + ": " + e.Err.Error())
			return b.String()
		}
		b.WriteString(" in " + millis(e.Duration))
		if e.Outcome == NodeFailed {
			b.WriteString(", failed: " + e.Err.Error())
		}
		return b.String()
	}
	if e.Outcome == NodeFailed {
		b.WriteString(" failed: " + e.Err.Error())
		return b.String()
	}
	b.WriteString(": ")
	switch out := e.Output.(type) {
	case *Exit:
		b.WriteString(strconv.Itoa(out.Status))
	default:
		switch {
		case e.Type == "branch" && out == true:
			b.WriteString("true (then)")
		case e.Type == "branch":
			b.WriteString("false (else)")
		case e.Type == "property" && e.Set:
			b.WriteString("set " + e.Property)
		case e.Type == "property":
			b.WriteString("read " + e.Property)
			if e.Output == nil {
				b.WriteString(" (not set)")
			}
		case e.Type == "cache":
			m, _ := out.(map[string]any)
			for _, k := range []string{"hit", "stored", "miss"} {
				if m[k] == true {
					b.WriteString(k)
					return b.String()
				}
			}
			b.WriteString("bypassed after a cache error")
		default:
			b.WriteString("ok")
		}
	}
	return b.String()
}

func millis(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + " ms"
}

// observe tells Env.Observe about node t's result.
func (r *Run) observe(t int, out any, err error, d time.Duration) {
	n := r.f.nodes[t]
	e := NodeEvent{Name: n.name, Type: n.typ, Duration: d, Output: out, Err: err}
	if err != nil {
		e.Outcome = NodeFailed
	}
	switch x := n.exec.(type) {
	case *callNode:
		e.Method = x.method
		if u, uerr := x.target(r.inputs(t)); uerr == nil {
			e.URL = u.Scheme + "://" + u.Host + u.Path
		}
		var se *callStatusError
		if m, ok := out.(map[string]any); ok {
			s, _ := m["status"].(float64)
			e.Status = int(s)
		} else if errors.As(err, &se) {
			e.Status = se.status
		}
	case *propertyNode:
		e.Property, e.Set = x.name, x.set
	}
	r.env.Observe(e)
}

// observeFailure tells Env.Observe about a failure outside a user node's own run (reading
// the request, resolving the vault, writing service_request or response).
func (r *Run) observeFailure(ne *NodeError) {
	if r.env.Observe == nil {
		return
	}
	r.env.Observe(NodeEvent{Name: ne.Name, Type: ne.Type, Outcome: NodeFailed, Err: ne.Err})
}
