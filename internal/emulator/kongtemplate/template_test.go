package kongtemplate

import (
	"errors"
	"strings"
	"testing"
)

func testInputs() Inputs {
	return Inputs{
		Headers: func() map[string]any {
			return map[string]any{"x-id": "abc", "host": "example.com", "x-multi": []any{"a", "b"}}
		},
		QueryParams: func() map[string]any {
			return map[string]any{"a": []any{"1", "2"}, "flag": true, "n": "5", "page": "3"}
		},
		URICaptures: func() map[string]string { return map[string]string{"0": "/x", "1": "x", "name": "x"} },
		Shared: func() map[string]any {
			return map[string]any{"user": "bob", "n": 3, "m": map[string]any{"k": "v"}, "\x00private": "secret"}
		},
	}
}

func render(t *testing.T, src string) (string, error) {
	t.Helper()
	s := NewSession(testInputs())
	defer s.Close()
	return Compile(src).Render(s)
}

func TestRender(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ src, want string }{
		{"plain", "plain"},
		{"", ""},
		{"$(headers.x_id)", "abc"},
		{"$(headers['X-ID'])", "abc"},
		{"$(headers.host)", "example.com"},
		{"$(type(headers.x_multi))/$(headers.x_multi[2])", "table/b"},
		{"$(query_params.a[2])", "2"},
		{"$(query_params.flag)", "true"},
		{"$(type(query_params.a))", "table"},
		{"$(uri_captures[1])-$(uri_captures.name)-$(uri_captures['1'])-$(uri_captures[0])", "x-x--/x"},
		{"$(shared.user)/$(shared.n)/$(shared.m.k)", "bob/3/v"},
		{"$(shared.none)", ""},
		{"$(shared['\\0private'])", ""},
		{"$(false)$(nil)", ""},
		{"$(1 == 1.0)", "true"},
		{"$(0x10 .. '')", "16"},
		{"$(1e20)/$(0.1 + 0.2)/$(1/0)/$(-1/0)", "1e+20/0.3/inf/-inf"},
		{"$(tostring(0.1 + 0.2))", "0.3"},
		{"$(tonumber(query_params.n) .. 'x')", "5x"},
		{`$("a\tb\65")`, "a\tbA"},
		{"$( (headers.nope) or 'dflt' )", "dflt"},
		{"$(headers.nope and 'x')", ""},
		{"$(not not headers.x_id)", "true"},
		{"$(query_params.page == '3' and 'three' or 'other')", "three"},
		{"$(tostring(nil))", "nil"},
		{"a$(b)c$(", "ac$("},
		{"$(f(x)", "$(f(x)"},
		{"$(1) -- $(2)", "1 -- 2"},
		{"$(headers.x_id:upper())", "ABC"},
		{"$(string.format('%05d', 42))", "00042"},
		{"$(math.max(1, 7))", "7"},
		{"$(table.concat({'a', 'b'}, ','))", "a,b"},
		{"$((function() local n = 0 for i = 1, 10 do n = n + i end return n end)())", "55"},
		{"$(select('#', 1, 2, 3))", "3"},
	} {
		got, err := render(t, tt.src)
		if err != nil || got != tt.want {
			t.Errorf("%s: %q, %v; want %q", tt.src, got, err, tt.want)
		}
	}
}

func TestRenderErrors(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"$(headers.)", "$(1 +)", "$(a.b.c)", "$('x' .. nil)", "$(headers())", "$(#x)",
		`$("unfinished)`, "$(headers[)", "$(f(x))", "$(query_params.a .. 'x')", "$()", "$(1, 2)",
		"$((function() x = 1 end)())", "$(error('boom'))", "$(('x'):rep(1e9))"} {
		_, err := render(t, bad)
		if !errors.Is(err, ErrTemplate) {
			t.Errorf("%s: error %v, want a template error", bad, err)
		}
	}
	if err := Compile("ok $(1 +)").Err(); err == nil || !strings.Contains(err.Error(), "$(1 +)") {
		t.Errorf("compile error %v, want one naming the expression", err)
	}
	if err := Compile("ok $(1)").Err(); err != nil {
		t.Errorf("compile error %v", err)
	}
}

// TestSandbox shows that templates reach only Kong's sandbox: nothing that touches the
// process, the file system, the loader or metatables.
func TestSandbox(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"os.execute", "os.exit", "os.getenv", "os.remove", "io", "require", "load",
		"loadstring", "dofile", "loadfile", "setmetatable", "getmetatable", "rawset", "rawget", "setfenv",
		"getfenv", "string.dump", "debug", "package", "module", "collectgarbage", "_G", "print", "newproxy"} {
		got, err := render(t, "$(type("+name+"))")
		if err != nil || got != "nil" {
			t.Errorf("type(%s) = %q, %v; want nil", name, got, err)
		}
	}
	for _, name := range []string{"os.time", "os.date", "string.gsub", "math.floor", "table.insert", "pcall", "tostring"} {
		got, err := render(t, "$(type("+name+"))")
		if err != nil || got != "function" {
			t.Errorf("type(%s) = %q, %v; want function", name, got, err)
		}
	}
	if _, err := render(t, "$(os.execute('true'))"); !errors.Is(err, ErrTemplate) {
		t.Errorf("os.execute: %v, want an error", err)
	}
}

// TestRunawayStopped shows that an expression that never ends is stopped with an error, also
// when it catches errors itself.
func TestRunawayStopped(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		"$((function() while true do end end)())",
		"$((function() local f; f = function() return f() end return f() end)())",
		"$(pcall(function() while true do end end))",
		"$((function() while true do pcall(function() while true do end end) end end)())",
		"$((function() local function f() return 1 + f() end return f() end)())", // stack overflow
	} {
		t.Run(src, func(t *testing.T) {
			t.Parallel() // each one runs for the whole budget
			if _, err := render(t, src); !errors.Is(err, ErrTemplate) {
				t.Errorf("error %v, want a template error", err)
			}
		})
	}
}

// TestSessionsAreIsolated shows that what one request's expressions change does not reach
// another request, although Lua states are reused.
func TestSessionsAreIsolated(t *testing.T) {
	t.Parallel()
	for range 3 {
		s := NewSession(testInputs())
		got, err := Compile("$((function() string.upper = nil; shared.user = 'eve'; return 'x' end)())").Render(s)
		if err != nil || got != "x" {
			t.Fatalf("changing the session: %q, %v", got, err)
		}
		// Within the session the change holds, as in Kong.
		if got, err := Compile("$(shared.user)$(type(string.upper))").Render(s); err != nil || got != "evenil" {
			t.Fatalf("same session: %q, %v", got, err)
		}
		s.Close()
		got, err = render(t, "$(shared.user)$(('x'):upper())$(string.upper('y'))")
		if err != nil || got != "bobXY" {
			t.Fatalf("next session: %q, %v", got, err)
		}
	}
}

// TestLazyInputs shows that a request's values are loaded only when a template reads them,
// and once per session.
func TestLazyInputs(t *testing.T) {
	t.Parallel()
	loads := 0
	in := testInputs()
	headers := in.Headers
	in.Headers = func() map[string]any { loads++; return headers() }
	s := NewSession(in)
	defer s.Close()
	for _, src := range []string{"plain", "$(query_params.n)", "$(headers.x_id)", "$(headers.host)"} {
		if _, err := Compile(src).Render(s); err != nil {
			t.Fatal(err)
		}
	}
	if loads != 1 {
		t.Errorf("headers loaded %d times, want 1", loads)
	}
}

func TestCompileCaches(t *testing.T) {
	t.Parallel()
	first, second := Compile("$(headers.cached)"), Compile("$(headers.cached)")
	if first != second {
		t.Error("the same source compiled twice")
	}
	if !Compile("no expression").Literal() || Compile("$(1)").Literal() || Compile("$(").Literal() != true {
		t.Error("Literal is wrong")
	}
}
