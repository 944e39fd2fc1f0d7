package dataplane

import (
	"bytes"
	"fmt"
	"go/types"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/go/packages"
)

// TestEveryEnforcedConfigFieldIsRead: a field a typed config declares counts as enforced, so
// the data plane's code must read it somewhere; a field kept only to be ignored carries
// enforced:"no" and is listed as not enforced instead. Checked on the package's own source,
// by type (not by name): decoding writes the fields, only a read in the code counts.
func TestEveryEnforcedConfigFieldIsRead(t *testing.T) {
	t.Parallel()
	pkgs, err := packages.Load(&packages.Config{
		Mode: packages.NeedName | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo,
	}, ".")
	if err != nil {
		t.Fatal(err)
	}
	if packages.PrintErrors(pkgs) > 0 {
		t.Fatal("the package does not load")
	}
	pkg := pkgs[0]
	read := map[*types.Var]bool{}
	for _, sel := range pkg.TypesInfo.Selections {
		if v, ok := sel.Obj().(*types.Var); ok && v.IsField() {
			read[v] = true
		}
	}
	for _, name := range Registered() {
		def, _ := lookupPlugin(name)
		for _, path := range unreadFields(t, pkg.Types, def.configType, read, "") {
			t.Errorf("%s: config field %s is declared (so counted as enforced) but never read; read it or tag it %s", name, path, notEnforcedTag)
		}
	}
}

// unreadFields lists the json-named fields of the config type t, nested structs included,
// that are not tagged enforced:"no" and that no code reads.
func unreadFields(t *testing.T, pkg *types.Package, rt reflect.Type, read map[*types.Var]bool, prefix string) []string {
	t.Helper()
	for rt.Kind() == reflect.Pointer || rt.Kind() == reflect.Slice {
		rt = rt.Elem()
	}
	obj := pkg.Scope().Lookup(rt.Name())
	if obj == nil {
		t.Fatalf("config type %s is not declared in package %s", rt, pkg.Path())
	}
	st := obj.Type().Underlying().(*types.Struct)
	var out []string
	for i := range rt.NumField() {
		f := rt.Field(i)
		tv := st.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		nested := f.Type
		for nested.Kind() == reflect.Pointer || nested.Kind() == reflect.Slice {
			nested = nested.Elem()
		}
		switch {
		case f.Anonymous && name == "":
			out = append(out, unreadFields(t, pkg, f.Type, read, prefix)...)
			continue
		case name == "" || name == "-" || f.Tag.Get("enforced") == "no":
			continue
		case !read[tv]:
			out = append(out, prefix+name)
		}
		if nested.Kind() == reflect.Struct && nested.PkgPath() == rt.PkgPath() {
			out = append(out, unreadFields(t, pkg, nested, read, prefix+name+".")...)
		}
	}
	return out
}

// TestNotEnforcedListsAreTrue pins what the data plane now acts on and what it does not.
func TestNotEnforcedListsAreTrue(t *testing.T) {
	t.Parallel()
	byName := map[string][]string{}
	for _, p := range Plugins() {
		byName[p.Name] = p.NotEnforced
	}
	for _, c := range []struct {
		plugin, field string
		listed        bool
	}{
		{"key-auth", "key_in_body", false}, // multipart bodies are read too
		{"key-auth", "identity_realms", true},
		{"key-auth", "principals", true},
		{"rate-limiting", "sync_rate", false},
		{"rate-limiting", "redis.cloud_authentication", true},
		{"rate-limiting", "redis.ssl_verify", false},
		{"request-termination", "trigger", false},
		{"response-transformer", "add.json_types", false},
	} {
		if got := slices.Contains(byName[c.plugin], c.field); got != c.listed {
			t.Errorf("%s %s: listed as not enforced = %v, want %v (%v)", c.plugin, c.field, got, c.listed, byName[c.plugin])
		}
	}
}

// TestIgnoredSettingIsWarnedOncePerInstance: a key-auth that asks for a Konnect identity
// realm (which the data plane does not look in) is warned about when the snapshot is built,
// once, not again on later requests or snapshots; a default identity_realms is not.
func TestIgnoredSettingIsWarnedOncePerInstance(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	var mu sync.Mutex
	g := newTestGatewayLogging(t, slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, nil)))
	route, _ := g.route("/a")
	g.add("plugins", Entity{"name": "key-auth", "route": map[string]any{"id": route}, "config": map[string]any{}})
	realm := map[string]any{"scope": "realm", "id": "6f9c6b1e-6d3f-4a52-9c39-6a1f3f0c1a11", "region": "us"}
	g.add("plugins", Entity{"id": "ka-realm", "name": "key-auth", "config": map[string]any{"identity_realms": []any{realm}}})
	for range 3 {
		g.get("/a", nil)
		g.consumer(fmt.Sprintf("c%d", g.n)) // a new snapshot each time
		g.get("/a", nil)
	}
	mu.Lock()
	out := logs.String()
	mu.Unlock()
	if n := strings.Count(out, "not enforced"); n != 1 {
		t.Fatalf("%d warnings, want 1:\n%s", n, out)
	}
	if !strings.Contains(out, "field=config.identity_realms") || !strings.Contains(out, "id=ka-realm") {
		t.Fatalf("the warning names neither the field nor the instance:\n%s", out)
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestIgnoredSettings(t *testing.T) {
	t.Parallel()
	schema, _ := lookupSchema(t, "rate-limiting")
	notEnforced := []string{"redis.cloud_authentication"}
	cfg := func(cloud any) map[string]any {
		return map[string]any{"redis": map[string]any{"cloud_authentication": cloud}}
	}
	if got := ignoredSettings(schema, notEnforced, cfg(nil)); len(got) != 0 {
		t.Errorf("unset: %v", got)
	}
	if got := ignoredSettings(schema, notEnforced, cfg(map[string]any{"auth_provider": nil, "aws_is_serverless": true})); len(got) != 0 {
		t.Errorf("all defaults: %v", got)
	}
	if got := ignoredSettings(schema, notEnforced, cfg(map[string]any{"auth_provider": "aws"})); !slices.Equal(got, notEnforced) {
		t.Errorf("set: %v", got)
	}
}

func TestEnforcedNoTagListsAField(t *testing.T) {
	t.Parallel()
	schema, _ := lookupSchema(t, "rate-limiting")
	type partial struct {
		Minute   float64 `json:"minute"`
		SyncRate float64 `json:"sync_rate" enforced:"no"`
	}
	got, err := notEnforcedFields(schema, typeOf[partial](), "")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(got, "sync_rate") || slices.Contains(got, "minute") {
		t.Errorf("%v", got)
	}
}
