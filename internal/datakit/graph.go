package datakit

import (
	"fmt"
	"slices"
	"strings"
)

// connect resolves every node's input/inputs/output/outputs into connections, checking
// types and that each input has one source, with Kong's error texts.
func (f *Flow) connect() error {
	f.slots = make([]map[string]*conn, len(f.nodes))
	f.usesInput = make([]map[string]bool, len(f.nodes))
	for i := range f.nodes {
		f.slots[i] = map[string]*conn{}
		f.usesInput[i] = map[string]bool{}
	}
	f.branchOf = make([]int, f.nUser)
	f.branchSide = make([]bool, f.nUser)
	for i := range f.branchOf {
		f.branchOf[i] = -1
	}
	for _, n := range f.nodes[:f.nUser] {
		m := n.cfg
		if s, ok := m["input"].(string); ok {
			if err := f.link(n, "input", s, n.name); err != nil {
				return err
			}
		}
		if ins, ok := m["inputs"].(map[string]any); ok {
			for _, field := range sortedKeys(ins) {
				if s, ok := ins[field].(string); ok {
					if err := f.link(n, "inputs."+field, s, n.name+"."+field); err != nil {
						return err
					}
				}
			}
		}
		if s, ok := m["output"].(string); ok {
			if err := f.link(n, "output", n.name, s); err != nil {
				return err
			}
		}
		if outs, ok := m["outputs"].(map[string]any); ok {
			for _, field := range sortedKeys(outs) {
				s, ok := outs[field].(string)
				if !ok {
					continue
				}
				if n.typ == "branch" { // outputs.then / outputs.else name one more node of that list
					if err := f.addToBranch(n, "outputs."+field, field == "then", s); err != nil {
						return err
					}
					continue
				}
				if err := f.link(n, "outputs."+field, n.name+"."+field, s); err != nil {
					return err
				}
			}
		}
		if n.typ == "branch" {
			for _, side := range []string{"then", "else"} {
				list, _ := m[side].([]any)
				for _, e := range list {
					if err := f.addToBranch(n, side, side == "then", e.(string)); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

func (f *Flow) find(name string) *node {
	for _, n := range f.nodes {
		if n.name == name {
			return n
		}
	}
	return nil
}

func (f *Flow) addToBranch(b *node, field string, then bool, name string) error {
	t := f.find(name)
	fail := func(msg string) error { return &ConfigError{Index: b.index, Node: b.name, Field: field, Message: msg} }
	switch {
	case t == nil:
		return fail(fmt.Sprintf("unknown node %q", name))
	case t.implicit || t == b:
		return fail(fmt.Sprintf("node %q cannot be on a branch", name))
	case f.branchOf[t.index] >= 0 && (f.branchOf[t.index] != b.index || f.branchSide[t.index] != then):
		return fail(fmt.Sprintf("node %q is already on a branch (%s)", name, f.nodes[f.branchOf[t.index]].name))
	}
	f.branchOf[t.index] = b.index
	f.branchSide[t.index] = then
	return nil
}

// link connects the label from to the label to, as declared by node n's field.
func (f *Flow) link(n *node, field, from, to string) error {
	fail := func(msg string) error {
		return &ConfigError{Index: n.index, Node: n.name, Field: field,
			Message: fmt.Sprintf("invalid connection (%q -> %q): %s", from, to, msg)}
	}
	srcName, srcField, _ := strings.Cut(from, ".")
	dstName, dstField, _ := strings.Cut(to, ".")
	src, dst := f.find(srcName), f.find(dstName)
	switch {
	case src == nil:
		return fail(fmt.Sprintf("unknown node %q", srcName))
	case dst == nil:
		return fail(fmt.Sprintf("unknown node %q", dstName))
	case src == dst:
		return fail("a node cannot be connected to itself")
	}
	var sk kind
	if srcField == "" {
		sk = src.out.self
	} else {
		sk = src.out.fields[srcField]
	}
	if sk == tNone {
		if srcField == "" || src.out.fields == nil {
			return fail(fmt.Sprintf("%s has no outputs%s", src.label(), map[bool]string{true: " by field", false: ""}[srcField != "" && src.out.self != tNone]))
		}
		return fail(fmt.Sprintf("%s has no output %q", src.label(), srcField))
	}
	var dk kind
	switch {
	case dstField == "":
		dk = dst.in.self
	case dst.in.open:
		dk = tAny
	default:
		dk = dst.in.fields[dstField]
	}
	if dk == tNone {
		if dstField == "" || (dst.in.fields == nil && !dst.in.open) {
			return fail(fmt.Sprintf("%s has no inputs%s", dst.label(), map[bool]string{true: " by field", false: ""}[dstField != "" && dst.in.self != tNone]))
		}
		return fail(fmt.Sprintf("%s has no input %q", dst.label(), dstField))
	}
	from0, to0 := endpoint{src.index, srcField}, endpoint{dst.index, dstField}
	if sk == tObject && dk == tMap && srcField == "" && (src.typ == "static" || src.typ == nodeVault) {
		sk = tMap // a static node's (or the vault's) values are also a plain map, headers say
	}
	if dk == tObject {
		switch sk {
		case tObject: // node-wise object -> object: the fields both sides have
			var common []string
			for _, k := range sortedKeys(dst.in.fields) {
				if _, ok := src.out.fields[k]; ok {
					common = append(common, k)
				}
			}
			if len(common) == 0 {
				return fail("no common fields")
			}
			for _, k := range common {
				if !compatible(src.out.fields[k], dst.in.fields[k]) {
					return fail(fmt.Sprintf("type mismatch on %q: %s -> %s", k, src.out.fields[k], dst.in.fields[k]))
				}
				if err := f.addConn(fail, &conn{from: endpoint{src.index, k}, to: endpoint{dst.index, k}}); err != nil {
					return err
				}
			}
			return nil
		case tAny, tMap:
			return f.addConn(fail, &conn{from: from0, to: to0, spread: true})
		default:
			return fail(fmt.Sprintf("type mismatch: %s -> %s", sk, dk))
		}
	}
	if !compatible(sk, dk) {
		return fail(fmt.Sprintf("type mismatch: %s -> %s", sk, dk))
	}
	return f.addConn(fail, &conn{from: from0, to: to0})
}

// compatible says whether a connection from an output of type s to an input of type d is
// allowed (some with a run-time check), per Datakit's connection rules.
func compatible(s, d kind) bool {
	switch {
	case s == d, s == tAny, d == tAny:
		return true
	case s == tString && d == tNumber, s == tNumber && d == tString:
		return true
	}
	return false
}

func (f *Flow) addConn(fail func(string) error, c *conn) error {
	dst := f.nodes[c.to.node]
	slots := f.slots[c.to.node]
	label := func(c *conn, field string) string {
		s := f.nodes[c.from.node].name
		if c.from.field != "" {
			s += "." + c.from.field
		}
		t := dst.name
		if field != "" {
			t += "." + field
		}
		return fmt.Sprintf("(%q -> %q)", s, t)
	}
	conflict := func(existing *conn, field string) error {
		return fail("conflicts with existing connection " + label(existing, field))
	}
	if old, ok := slots[c.to.field]; ok {
		if old.from == c.from && old.spread == c.spread {
			return nil // the same connection, declared from both of its ends
		}
		return conflict(old, c.to.field)
	}
	if c.to.field == "" { // node-wise: no field may be connected already
		for _, k := range sortedKeys(slots) {
			return conflict(slots[k], k)
		}
	} else if old, ok := slots[""]; ok {
		return conflict(old, c.to.field)
	}
	slots[c.to.field] = c
	f.usesInput[c.from.node][c.from.field] = true
	return nil
}

// order computes dependencies, refuses cycles, and puts each node in its phase: nodes that
// depend (through data or a branch) on service_response run after the upstream answered.
func (f *Flow) order() error {
	f.deps = make([][]int, f.nUser)
	for t := range f.nUser {
		for _, c := range f.slots[t] {
			if c.from.node < f.nUser && !slices.Contains(f.deps[t], c.from.node) {
				f.deps[t] = append(f.deps[t], c.from.node)
			}
		}
		if b := f.branchOf[t]; b >= 0 && !slices.Contains(f.deps[t], b) {
			f.deps[t] = append(f.deps[t], b)
		}
		slices.Sort(f.deps[t])
	}
	// Kahn's algorithm; what is left is on or behind a cycle.
	done := make([]bool, f.nUser)
	for progress := true; progress; {
		progress = false
		for t := range f.nUser {
			if done[t] {
				continue
			}
			ready := true
			for _, d := range f.deps[t] {
				ready = ready && done[d]
			}
			if ready {
				done[t], progress = true, true
			}
		}
	}
	for t := range f.nUser {
		if done[t] {
			continue
		}
		for _, d := range f.deps[t] {
			if !done[d] {
				n := f.nodes[t]
				return &ConfigError{Index: t, Node: n.name,
					Message: fmt.Sprintf("invalid dependency (%s -> node %s): circular dependency", n.label(), f.nodes[d].name)}
			}
		}
	}
	sresp := f.implicit(nodeServiceResponse)
	f.inResponse = make([]bool, f.nUser)
	for changed := true; changed; {
		changed = false
		for t := range f.nUser {
			if f.inResponse[t] {
				continue
			}
			late := false
			for _, c := range f.slots[t] {
				late = late || c.from.node == sresp || (c.from.node < f.nUser && f.inResponse[c.from.node])
			}
			if b := f.branchOf[t]; b >= 0 && f.inResponse[b] {
				late = true
			}
			if late {
				f.inResponse[t], changed = true, true
			}
		}
	}
	// The upstream request is sent before the answer exists.
	for _, c := range f.slots[f.implicit(nodeServiceRequest)] {
		if c.from.node == sresp || (c.from.node < f.nUser && f.inResponse[c.from.node]) {
			n := f.nodes[c.from.node]
			idx := n.index
			if n.implicit {
				idx = -1
			}
			return &ConfigError{Index: idx, Node: n.name,
				Message: fmt.Sprintf("invalid dependency (%s -> node %s): circular dependency", n.label(), nodeServiceResponse)}
		}
	}
	return nil
}
