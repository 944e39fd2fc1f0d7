// Package kongtemplate renders the value templates of Kong's transformer plugins, such as
// `Bearer $(headers.x_token)` or `/users/$(uri_captures.id)`.
//
// Kong compiles such a value with Penlight's template engine: the text outside `$(...)` is
// copied as it is, and each `$(expression)` is a Lua expression whose value (or "" when it is
// nil or false) is written in its place. The expressions run in a sandbox: the request's
// `headers`, `query_params`, `uri_captures` and `shared` (kong.ctx.shared), `type`, and the
// standard Lua names of Kong's sandbox environment; nothing that reaches the file system, the
// process or the loader. This package does the same with a real Lua VM (gopher-lua), with a
// time budget so that a runaway expression cannot hold a request.
//
// Differences from Kong, on purpose or by the VM: Kong's template environment also holds its
// `kong` and `ngx` objects, which have no counterpart here; gopher-lua is Lua 5.1 where Kong
// runs LuaJIT, so an unknown string escape such as '\q' is the character itself instead of
// an error, and numbers joined with `..` print with Go's digits (a rendered value, and
// tostring, use LuaJIT's "%.14g").
package kongtemplate

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// ErrTemplate is wrapped by every error a template gives, at compile time (a syntax error)
// or when rendered (a Lua error, or the time budget spent). Kong answers a request whose
// template fails with a 500.
var ErrTemplate = errors.New("template")

// Template is a compiled template.
type Template struct {
	src   string
	parts []part
	err   error // a compile error, reported by Render as Kong reports it: on use
}

// part is literal text or a compiled expression.
type part struct {
	text  string
	proto *lua.FunctionProto // nil for text
}

// cache holds compiled templates by source. Templates come from plugin configs, so the set
// is bounded by the configuration; maxCached keeps a misbehaving client that writes ever
// new templates from growing it without end (templates past it are compiled each time).
var (
	cache     sync.Map // string -> *Template
	cached    atomic.Int64
	maxCached int64 = 10000
)

// Compile compiles a template, or returns the one compiled before for the same source.
// A template that does not compile is returned too: its Err says why, and Render fails.
func Compile(src string) *Template {
	if t, ok := cache.Load(src); ok {
		return t.(*Template)
	}
	t := compile(src)
	if cached.Load() < maxCached {
		if prev, loaded := cache.LoadOrStore(src, t); loaded {
			return prev.(*Template)
		}
		cached.Add(1)
	}
	return t
}

func compile(src string) *Template {
	t := &Template{src: src}
	rest := src
	for rest != "" {
		start, end, ok := findExpression(rest)
		if !ok {
			t.parts = append(t.parts, part{text: rest})
			break
		}
		if start > 0 {
			t.parts = append(t.parts, part{text: rest[:start]})
		}
		proto, err := compileExpression(rest[start+2 : end])
		if err != nil {
			t.err = fmt.Errorf("%w %q: %s: %w", ErrTemplate, src, rest[start:end+1], err)
			t.parts = nil
			return t
		}
		t.parts = append(t.parts, part{proto: proto})
		rest = rest[end+1:]
	}
	return t
}

// findExpression finds the first "$" followed by a balanced parenthesis group (Penlight's
// pattern `$(%b())`) and returns the positions of the "$" and of the closing parenthesis.
// A "$(" whose parenthesis never closes is text.
func findExpression(s string) (start, end int, ok bool) {
	for i := 0; i+1 < len(s); i++ {
		if s[i] != '$' || s[i+1] != '(' {
			continue
		}
		depth := 0
		for j := i + 1; j < len(s); j++ {
			switch s[j] {
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 {
					return i, j, true
				}
			}
		}
	}
	return 0, 0, false
}

// compileExpression compiles one expression as the chunk `return (expression)`: like
// Penlight's generated code, the parentheses keep only its first value, and anything that
// is not a single expression is a syntax error.
func compileExpression(expr string) (*lua.FunctionProto, error) {
	const name = "template"
	chunk, err := parse.Parse(strings.NewReader("return ("+expr+"\n)"), name)
	if err != nil {
		return nil, err
	}
	return lua.Compile(chunk, name)
}

// Source is the template's text.
func (t *Template) Source() string { return t.src }

// Err is the template's compile error, or nil.
func (t *Template) Err() error { return t.err }

// Literal tells whether the template has no expression, so that rendering it gives its
// source unchanged (and needs no Lua).
func (t *Template) Literal() bool {
	return t.err == nil && (len(t.parts) == 0 || (len(t.parts) == 1 && t.parts[0].proto == nil))
}

// Render renders the template for the request the session belongs to.
func (t *Template) Render(s *Session) (string, error) {
	if t.err != nil {
		return "", t.err
	}
	if t.Literal() {
		return t.src, nil
	}
	var b strings.Builder
	for _, p := range t.parts {
		if p.proto == nil {
			b.WriteString(p.text)
			continue
		}
		v, err := s.eval(p.proto)
		if err != nil {
			return "", fmt.Errorf("%w %q: %w", ErrTemplate, t.src, err)
		}
		b.WriteString(v)
	}
	return b.String(), nil
}
