package kongtemplate

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// Budget is how long one expression may run before it is stopped with an error. Kong sets
// no such limit; without one a template such as `$((function() while true do end end)())`
// would hold the request, and a proxy worker, for ever. It is wall-clock time, so it leaves
// room: on a loaded machine (or under the race detector) an ordinary expression that takes
// microseconds may wait tens of milliseconds for a CPU, and must not fail for that. It is not
// longer because the time also bounds memory: an expression doubling a string with `..`
// reaches about 250 MiB in 250 ms and 2 GiB in 1 s (gopher-lua has no memory limit).
var Budget = 250 * time.Millisecond

// maxString bounds the strings string.rep builds, so that one call cannot take the memory
// of the process.
const maxString = 1 << 20

// Inputs are the request's values a template can read, each loaded on first use as Kong
// loads them.
type Inputs struct {
	// Headers are the request headers by lowercase name: a string, or a []any of strings
	// for a repeated header (kong.request.get_headers).
	Headers func() map[string]any
	// QueryParams are the query arguments: a string, true for a name without "=", or a
	// []any for a repeated name (kong.request.get_query).
	QueryParams func() map[string]any
	// URICaptures are the route's regex captures: "0" for the whole match, "1" and on for
	// the groups, and the names of named groups.
	URICaptures func() map[string]string
	// Shared is kong.ctx.shared.
	Shared func() map[string]any
}

// Session renders the templates of one request. Like Kong's, its environment is made for
// the request: values loaded, and anything an expression changes, stay with it. Close it
// when the request is done with templates.
type Session struct {
	in  Inputs
	vm  *vm
	env *lua.LTable
	str *lua.LTable // the string library, built on first use
}

// NewSession starts the templates' environment for one request. No Lua state is taken
// until an expression is evaluated.
func NewSession(in Inputs) *Session { return &Session{in: in} }

// Close gives the Lua state back for another request.
func (s *Session) Close() {
	if s.vm != nil {
		vms.Put(s.vm)
		s.vm, s.env, s.str = nil, nil, nil
	}
}

// vm is a Lua state with the functions the sandbox offers. States are reused across
// requests, but what a template can reach is built afresh for each session: the global
// environment, the library tables and the string methods.
type vm struct {
	L     *lua.LState
	funcs map[string]lua.LValue            // global functions (and _VERSION), by name
	libs  map[string]map[string]lua.LValue // library tables' contents, by library name
	index *lua.LFunction                   // the headers table's __index
}

var vms = sync.Pool{New: func() any { return newVM() }}

// The standard names a template may use: the ones of the Lua environment of Kong's sandbox
// (kong/tools/sandbox/environment/lua.lua) that gopher-lua has, less print (the gateway's
// stdout is not the template's). Nothing reaches the file system, the process, the loader
// or metatables: no io, require, load, dofile, os.execute, os.getenv, setmetatable,
// getfenv, rawset or string.dump.
var (
	safeFuncs = []string{"_VERSION", "assert", "error", "ipairs", "next", "pairs", "pcall", "select",
		"tonumber", "tostring", "type", "unpack", "xpcall"}
	safeLibs = map[string][]string{
		lua.StringLibName: {"byte", "char", "find", "format", "gmatch", "gsub", "len", "lower", "match", "rep",
			"reverse", "sub", "upper"},
		lua.MathLibName: {"abs", "acos", "asin", "atan", "atan2", "ceil", "cos", "cosh", "deg", "exp", "floor",
			"fmod", "frexp", "huge", "ldexp", "log", "log10", "max", "min", "modf", "pi", "pow", "rad",
			"random", "sin", "sinh", "sqrt", "tan", "tanh"},
		lua.TabLibName: {"concat", "getn", "insert", "maxn", "remove", "sort"},
		lua.OsLibName:  {"clock", "date", "difftime", "time"},
	}
)

func newVM() *vm {
	// A small call stack turns deep recursion into a Lua error; the data stack may grow to
	// a bound for the same reason.
	L := lua.NewState(lua.Options{SkipOpenLibs: true, CallStackSize: 128, RegistrySize: 256, RegistryMaxSize: 1 << 16})
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{{lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}, {lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath}, {lua.OsLibName, lua.OpenOs}} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	// The opened libraries stay in the state's own globals, which templates never see: they
	// run with the session's environment instead.
	v := &vm{L: L, funcs: map[string]lua.LValue{}, libs: map[string]map[string]lua.LValue{},
		index: L.NewFunction(headerIndex)}
	for _, name := range safeFuncs {
		v.funcs[name] = L.GetGlobal(name)
	}
	v.funcs["tostring"] = L.NewFunction(toString)
	for lib, names := range safeLibs {
		table := L.GetGlobal(lib).(*lua.LTable)
		v.libs[lib] = map[string]lua.LValue{}
		for _, name := range names {
			v.libs[lib][name] = table.RawGetString(name)
		}
	}
	v.libs[lua.StringLibName]["rep"] = L.NewFunction(stringRep)
	return v
}

// begin takes a Lua state and builds the session's environment.
func (s *Session) begin() {
	s.vm = vms.Get().(*vm)
	L := s.vm.L
	s.env = L.NewTable()
	meta := L.NewTable()
	meta.RawSetString("__index", L.NewFunction(s.lookup))
	meta.RawSetString("__newindex", L.NewFunction(readOnly))
	L.SetMetatable(s.env, meta)
	// String values' methods ("x"):upper() use this session's string table, so that nothing
	// an expression does to it outlives the request.
	methods := L.NewTable()
	methods.RawSetString("__index", L.NewFunction(s.stringMethod))
	L.SetMetatable(lua.LString(""), methods)
}

func (s *Session) stringLibrary() *lua.LTable {
	if s.str == nil {
		s.str = s.library(lua.StringLibName)
	}
	return s.str
}

// stringMethod is the __index of string values.
func (s *Session) stringMethod(L *lua.LState) int {
	L.Push(L.GetField(s.stringLibrary(), L.CheckString(2)))
	return 1
}

// lookup is the environment's __index: the request's values, loaded on first use and kept
// (Kong's lazy loaders), then the sandbox's functions and libraries. Any other name is nil.
func (s *Session) lookup(L *lua.LState) int {
	key, ok := L.Get(2).(lua.LString)
	if !ok {
		L.Push(lua.LNil)
		return 1
	}
	var v lua.LValue
	switch name := string(key); name {
	case "headers":
		v = s.headers()
	case "query_params":
		v = s.table(s.in.QueryParams)
	case "uri_captures":
		v = s.captures()
	case "shared":
		v = s.table(s.in.Shared)
	default:
		if fn, ok := s.vm.funcs[name]; ok {
			L.Push(fn)
			return 1
		}
		switch _, ok := s.vm.libs[name]; {
		case !ok:
			L.Push(lua.LNil)
			return 1
		case name == lua.StringLibName:
			v = s.stringLibrary()
		default:
			v = s.library(name)
		}
	}
	s.env.RawSetString(string(key), v)
	L.Push(v)
	return 1
}

func readOnly(L *lua.LState) int {
	L.RaiseError("This environment is read-only.")
	return 0
}

// library builds a fresh table of one library's safe functions.
func (s *Session) library(name string) *lua.LTable {
	t := s.vm.L.CreateTable(0, len(s.vm.libs[name]))
	for k, fn := range s.vm.libs[name] {
		t.RawSetString(k, fn)
	}
	return t
}

func (s *Session) table(load func() map[string]any) lua.LValue {
	if load == nil {
		return s.vm.L.NewTable()
	}
	return toLua(s.vm.L, load(), 0)
}

// headers is the headers table, whose __index finds a header by any case and with "_" for
// "-", as the table kong.request.get_headers returns does.
func (s *Session) headers() lua.LValue {
	t := s.table(s.in.Headers)
	meta := s.vm.L.NewTable()
	meta.RawSetString("__index", s.vm.index)
	s.vm.L.SetMetatable(t, meta)
	return t
}

func headerIndex(L *lua.LState) int {
	t := L.CheckTable(1)
	name, ok := L.Get(2).(lua.LString)
	if !ok {
		L.Push(lua.LNil)
		return 1
	}
	lower := strings.ToLower(string(name))
	v := t.RawGetString(lower)
	if v == lua.LNil {
		v = t.RawGetString(strings.ReplaceAll(lower, "_", "-"))
	}
	L.Push(v)
	return 1
}

// captures is the uri_captures table: numbered groups under number keys, named ones under
// their names.
func (s *Session) captures() lua.LValue {
	t := s.vm.L.NewTable()
	if s.in.URICaptures == nil {
		return t
	}
	for k, v := range s.in.URICaptures() {
		if n, err := strconv.Atoi(k); err == nil {
			t.RawSetInt(n, lua.LString(v))
		} else {
			t.RawSetString(k, lua.LString(v))
		}
	}
	return t
}

// maxDepth bounds the nesting copied from Go values, which may in principle be cyclic.
const maxDepth = 32

// toLua copies a Go value into Lua: strings, numbers, booleans, lists and maps; anything
// else as its text.
func toLua(L *lua.LState, v any, depth int) lua.LValue {
	switch v := v.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(v)
	case string:
		return lua.LString(v)
	case float64:
		return lua.LNumber(v)
	case float32:
		return lua.LNumber(v)
	case int:
		return lua.LNumber(v)
	case int64:
		return lua.LNumber(v)
	case json.Number:
		f, _ := v.Float64()
		return lua.LNumber(f)
	}
	if depth >= maxDepth {
		return lua.LNil
	}
	t := L.NewTable()
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			t.Append(toLua(L, e, depth+1))
		}
	case []string:
		for _, e := range v {
			t.Append(lua.LString(e))
		}
	case map[string]any:
		for k, e := range v {
			// Keys with a NUL are the gateway's own (see correlation-id), not the plugins'.
			if !strings.ContainsRune(k, 0) {
				t.RawSetString(k, toLua(L, e, depth+1))
			}
		}
	case map[string]string:
		for k, e := range v {
			if !strings.ContainsRune(k, 0) {
				t.RawSetString(k, lua.LString(e))
			}
		}
	default:
		return lua.LString(fmt.Sprint(v))
	}
	return t
}

// eval runs one compiled expression and returns what Penlight writes for its value.
func (s *Session) eval(proto *lua.FunctionProto) (string, error) {
	if s.vm == nil {
		s.begin()
	}
	L := s.vm.L
	fn := L.NewFunctionFromProto(proto)
	fn.Env = s.env
	ctx, cancel := context.WithTimeout(context.Background(), Budget)
	defer cancel()
	L.SetContext(ctx)
	err := L.CallByParam(lua.P{Fn: fn, NRet: 1, Protect: true})
	L.RemoveContext()
	if ctx.Err() != nil {
		// Also when the expression caught the error with pcall and went on.
		err = fmt.Errorf("stopped after %v: %w", Budget, ctx.Err())
	}
	if err != nil {
		// The state may hold half-done work: it is not reused, and the next expression of
		// this request starts a new environment.
		L.Close()
		s.vm, s.env, s.str = nil, nil, nil
		return "", err
	}
	v := L.Get(-1)
	L.Pop(1)
	return display(v), nil
}

// display is Penlight's tostring(value or ”), with LuaJIT's number format.
func display(v lua.LValue) string {
	switch v := v.(type) {
	case *lua.LNilType:
		return ""
	case lua.LBool:
		if !v {
			return ""
		}
		return "true"
	case lua.LString:
		return string(v)
	case lua.LNumber:
		return formatNumber(float64(v))
	}
	return v.String()
}

// formatNumber is LuaJIT's tostring of a number: "%.14g", with inf and nan spelled as C
// prints them.
func formatNumber(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	return strconv.FormatFloat(f, 'g', 14, 64)
}

// toString is tostring with LuaJIT's number format.
func toString(L *lua.LState) int {
	v := L.CheckAny(1)
	if n, ok := v.(lua.LNumber); ok {
		L.Push(lua.LString(formatNumber(float64(n))))
		return 1
	}
	L.Push(lua.LString(L.ToStringMeta(v).String()))
	return 1
}

// stringRep is string.rep with a bound on the result.
func stringRep(L *lua.LState) int {
	s := L.CheckString(1)
	n := L.CheckInt(2)
	if n <= 0 || s == "" {
		L.Push(lua.LString(""))
		return 1
	}
	if len(s) > maxString/n {
		L.RaiseError("resulting string too large")
	}
	L.Push(lua.LString(strings.Repeat(s, n)))
	return 1
}
