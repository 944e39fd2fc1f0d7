package pluginschema_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/openkonnect/terraform-provider-konnect/internal/pluginschema"
)

func TestRegistry(t *testing.T) {
	names := pluginschema.Names()
	if !slices.IsSorted(names) {
		t.Errorf("Names() not sorted: %v", names)
	}
	for _, want := range []string{"key-auth", "rate-limiting"} {
		if !slices.Contains(names, want) {
			t.Errorf("Names() = %v, lacks %q", names, want)
		}
	}
	if _, ok := pluginschema.Lookup("no-such-plugin"); ok {
		t.Error("Lookup found a plugin that does not exist")
	}
	for name, priority := range map[string]int{"key-auth": 1250, "rate-limiting": 910} {
		if p := mustLookup(t, name); p.Name != name || p.Priority != priority {
			t.Errorf("%s: name %q priority %d, want priority %d", name, p.Name, p.Priority, priority)
		}
	}
	if p := mustLookup(t, "rate-limiting"); p.ConfigField("redis.cloud_authentication.aws_region") == nil ||
		p.ConfigField("redis.nope") != nil {
		t.Error("ConfigField does not resolve dotted paths")
	}
}

func TestRegisterRefusesDuplicates(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("registering key-auth twice did not panic")
		}
	}()
	pluginschema.Register(&pluginschema.Plugin{Name: "key-auth"})
}

// Every registered field must be fit for the provider: described, and marked sensitive when
// it is a secret.
func TestDefinitions(t *testing.T) {
	var walk func(t *testing.T, path string, f *pluginschema.Field)
	walk = func(t *testing.T, path string, f *pluginschema.Field) {
		if strings.TrimSpace(f.Description) == "" {
			t.Errorf("%s has no description", path)
		}
		// Only a string can hold a secret: jwt's secret_is_base64 is a plain flag, and an
		// algorithm's or a header's name (client_secret_jwt_alg, secret_token_name) is none.
		if f.Type == pluginschema.TypeString && (strings.Contains(f.Name, "password") || strings.Contains(f.Name, "secret")) &&
			!strings.HasSuffix(f.Name, "_alg") && !strings.HasSuffix(f.Name, "_name") {
			if !f.Sensitive {
				t.Errorf("%s is not marked sensitive", path)
			}
		}
		for _, c := range f.Fields {
			walk(t, path+"."+c.Name, c)
		}
		if f.Elements != nil {
			walk(t, path+".elements", f.Elements)
		}
		if f.Values != nil {
			walk(t, path+".values", f.Values)
		}
	}
	for _, name := range pluginschema.Names() {
		p := mustLookup(t, name)
		if err := p.Check(); err != nil {
			t.Error(err)
		}
		for _, f := range p.Config {
			walk(t, name+".config."+f.Name, f)
		}
		if len(p.Protocols) == 0 || len(p.DefaultProtocols) == 0 {
			t.Errorf("%s has no protocols", name)
		}
	}
}

func TestCheckFindsMistakes(t *testing.T) {
	desc := "described"
	for name, p := range map[string]*pluginschema.Plugin{
		"no description": {Name: "x", Config: []*pluginschema.Field{{Name: "a", Type: pluginschema.TypeString}}},
		"bad default": {Name: "x", Config: []*pluginschema.Field{
			{Name: "a", Type: pluginschema.TypeString, Description: desc, Enum: []string{"b"}, Default: "c"}}},
		"default not normalized": {Name: "x", Config: []*pluginschema.Field{
			{Name: "a", Type: pluginschema.TypeInteger, Description: desc, Default: 5}}},
		"array without elements": {Name: "x", Config: []*pluginschema.Field{
			{Name: "a", Type: pluginschema.TypeArray, Description: desc}}},
		"enum on a number": {Name: "x", Config: []*pluginschema.Field{
			{Name: "a", Type: pluginschema.TypeNumber, Description: desc, Enum: []string{"1"}}}},
		"duplicate field": {Name: "x", Config: []*pluginschema.Field{
			{Name: "a", Type: pluginschema.TypeBoolean, Description: desc},
			{Name: "a", Type: pluginschema.TypeBoolean, Description: desc}}},
		"check on unknown field": {Name: "x", Config: []*pluginschema.Field{
			{Name: "a", Type: pluginschema.TypeBoolean, Description: desc}},
			Checks: []pluginschema.EntityCheck{{AtLeastOneOf: []string{"config.b"}}}},
		"bad regexp": {Name: "x", Config: []*pluginschema.Field{
			{Name: "a", Type: pluginschema.TypeString, Description: desc, Match: "("}}},
		"bad default protocol": {Name: "x", Protocols: []string{"http"}, DefaultProtocols: []string{"https"}},
		"only-one-of on unknown field": {Name: "x", Config: []*pluginschema.Field{
			{Name: "a", Type: pluginschema.TypeBoolean, Description: desc}},
			Checks: []pluginschema.EntityCheck{{OnlyOneOf: []string{"config.a", "config.b"}}}},
		"two rules in one check": {Name: "x", Config: []*pluginschema.Field{
			{Name: "a", Type: pluginschema.TypeBoolean, Description: desc}},
			Checks: []pluginschema.EntityCheck{{OnlyOneOf: []string{"config.a"}, AtLeastOneOf: []string{"config.a"}}}},
		"conditional with two conditions": {Name: "x", Config: []*pluginschema.Field{
			{Name: "a", Type: pluginschema.TypeNumber, Description: desc},
			{Name: "b", Type: pluginschema.TypeBoolean, Description: desc}},
			Checks: []pluginschema.EntityCheck{{Conditional: &pluginschema.Conditional{
				IfField: "config.a", IfEquals: 1.0, IfGreaterThan: ptr(0.0), ThenField: "config.b"}}}},
	} {
		if p.Check() == nil {
			t.Errorf("%s: Check found nothing", name)
		}
	}
}

// allTypes exercises the mechanism on every type, outside the registry.
var allTypes = &pluginschema.Plugin{
	Name: "all-types",
	Config: []*pluginschema.Field{
		{Name: "s", Type: pluginschema.TypeString, Description: "d", Match: `^[a-z]+$`},
		{Name: "i", Type: pluginschema.TypeInteger, Description: "d", Between: &[2]float64{1, 10}},
		{Name: "n", Type: pluginschema.TypeNumber, Description: "d", GreaterThan: ptr(0.5)},
		{Name: "b", Type: pluginschema.TypeBoolean, Description: "d"},
		{Name: "a", Type: pluginschema.TypeArray, Description: "d", LenMin: 2,
			Elements: &pluginschema.Field{Type: pluginschema.TypeInteger, Description: "d"}},
		{Name: "set", Type: pluginschema.TypeSet, Description: "d", Default: []any{"x", "y"},
			Elements: &pluginschema.Field{Type: pluginschema.TypeString, Description: "d"}},
		{Name: "m", Type: pluginschema.TypeMap, Description: "d",
			Values: &pluginschema.Field{Type: pluginschema.TypeNumber, Description: "d"}},
		{Name: "r", Type: pluginschema.TypeRecord, Description: "d",
			Fields: []*pluginschema.Field{{Name: "x", Type: pluginschema.TypeString, Description: "d", Required: true}}},
		{Name: "req", Type: pluginschema.TypeString, Description: "d", StartsWith: "/", AllowEmpty: true},
	},
}

func ptr[T any](v T) *T { return &v }

func TestAllTypes(t *testing.T) {
	if err := allTypes.Check(); err != nil {
		t.Fatal(err)
	}
	out := normalizeOK(t, allTypes, decodeNumbers(t, `{"s":"abc","i":3.0,"n":1,"b":false,"a":[1,2,1],
		"set":["b","a","b"],"m":{"k":2,"j":1.5},"r":{"x":"y"}}`))
	sameJSON(t, out, map[string]any{
		"s": "abc", "i": int64(3), "n": 1.0, "b": false, "a": []any{int64(1), int64(2), int64(1)},
		"set": []any{"b", "a"}, "m": map[string]any{"k": 2.0, "j": 1.5}, "r": map[string]any{"x": "y"},
		"req": nil,
	})
	// A record that is not required stays null; a set default is filled in.
	sameJSON(t, normalizeOK(t, allTypes, nil), map[string]any{
		"s": nil, "i": nil, "n": nil, "b": nil, "a": nil, "set": []any{"x", "y"}, "m": nil, "r": nil, "req": nil,
	})

	for _, tc := range []struct {
		name, config string
		want         []FieldError
	}{
		{"string", `{"s":1}`, fe(field("config.s", "expected a string"))},
		{"match", `{"s":"ABC"}`, fe(field("config.s", "invalid value: ABC"))},
		{"integer", `{"i":2.5}`, fe(field("config.i", "expected an integer"))},
		{"integer from a string", `{"i":"2"}`, fe(field("config.i", "expected an integer"))},
		{"between", `{"i":11}`, fe(field("config.i", "value should be between 1 and 10"))},
		{"number", `{"n":true}`, fe(field("config.n", "expected a number"))},
		{"greater than", `{"n":0.5}`, fe(field("config.n", "value must be greater than 0.5"))},
		{"boolean", `{"b":"false"}`, fe(field("config.b", "expected a boolean"))},
		{"array", `{"a":{}}`, fe(field("config.a", "expected an array"))},
		{"array length", `{"a":[1]}`, fe(field("config.a", "length must be at least 2"))},
		{"array elements", `{"a":[1,"2","3",4]}`, fe(
			field("config.a.2", "expected an integer"),
			field("config.a.3", "expected an integer"),
		)},
		{"set", `{"set":"x"}`, fe(field("config.set", "expected a set"))},
		{"map", `{"m":[1]}`, fe(field("config.m", "expected a map"))},
		{"map value", `{"m":{"b":"x","a":"y"}}`, fe(field("config.m", "expected a number"))},
		{"record", `{"r":[]}`, fe(field("config.r", "expected a record"))},
		{"required in record", `{"r":{}}`, fe(field("config.r.x", "required field missing"))},
		{"starts with", `{"req":"x"}`, fe(field("config.req", "should start with: /"))},
		{"positions sort as numbers", `{"a":[1,2,3,4,5,6,7,8,9,"10","11"],"b":1}`, fe(
			field("config.a.10", "expected an integer"),
			field("config.a.11", "expected an integer"),
			field("config.b", "expected a boolean"),
		)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := allTypes.Normalize(decode(t, tc.config))
			sameErrors(t, errs, tc.want)
		})
	}
}

func TestNumbers(t *testing.T) {
	p := mustLookup(t, "rate-limiting")
	for name, in := range map[string]map[string]any{
		"float64":     {"minute": 5.0, "redis": map[string]any{"port": 6380.0}},
		"json.Number": {"minute": json.Number("5"), "redis": map[string]any{"port": json.Number("6380.0")}},
		"Go integers": {"minute": 5, "redis": map[string]any{"port": int32(6380)}},
	} {
		t.Run(name, func(t *testing.T) {
			out := normalizeOK(t, p, in)
			sameJSON(t, []any{out["minute"], out["redis"].(map[string]any)["port"]}, []any{5.0, int64(6380)})
		})
	}
	_, errs := p.Normalize(map[string]any{"minute": 1, "redis": map[string]any{"port": json.Number("1e30")}})
	sameErrors(t, errs, fe(field("config.redis.port", "expected an integer")))
	_, errs = p.Normalize(map[string]any{"minute": json.Number("5"), "error_message": json.Number("5")})
	sameErrors(t, errs, fe(field("config.error_message", "expected a string")))
}

func TestNormalizeDoesNotModifyInput(t *testing.T) {
	p := mustLookup(t, "rate-limiting")
	in := decode(t, `{"minute":5,"redis":{"host":"localhost"}}`)
	before, _ := json.Marshal(in)
	out := normalizeOK(t, p, in)
	after, _ := json.Marshal(in)
	if string(before) != string(after) {
		t.Errorf("input changed from %s to %s", before, after)
	}
	// Defaults are copies: changing one result does not leak into the next.
	out["redis"].(map[string]any)["port"] = int64(1)
	k := mustLookup(t, "key-auth")
	first := normalizeOK(t, k, nil)
	first["key_names"].([]any)[0] = "changed"
	if got := normalizeOK(t, k, nil)["key_names"]; !reflect.DeepEqual(got, []any{"apikey"}) {
		t.Errorf("default key_names became %v", got)
	}
	if got := normalizeOK(t, p, in)["redis"].(map[string]any)["port"]; got != int64(6379) {
		t.Errorf("default port became %v", got)
	}
}

func TestFieldErrorText(t *testing.T) {
	errs := fe(
		entity("at least one of these fields must be non-empty: 'config.second'"),
		field("config.redis.port", "value should be between 0 and 65535"),
	)
	if !errs[0].IsEntity() || errs[1].IsEntity() {
		t.Error("IsEntity is wrong")
	}
	if got, want := pluginschema.Summary(errs[1:]), "schema violation (config.redis.port: value should be between 0 and 65535)"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
	want := "2 schema violations (at least one of these fields must be non-empty: 'config.second'; " +
		"config.redis.port: value should be between 0 and 65535)"
	if got := pluginschema.Summary(errs); got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
	if pluginschema.Summary(nil) != "" {
		t.Error("Summary of no errors is not empty")
	}
}

// A JSON field takes any JSON value, its numbers normalized as every other field's (whole
// numbers as int64),
// checked by its Validator; a plugin's Compile sees the valid config last and decides what
// is stored, or refuses it with paths of its own.
func TestJSONFieldAndCompile(t *testing.T) {
	p := &pluginschema.Plugin{Name: "json-test", Protocols: []string{"http"}, DefaultProtocols: []string{"http"},
		Config: []*pluginschema.Field{{Name: "program", Type: pluginschema.TypeJSON, Required: true, Description: "d",
			Validator: func(v any) string {
				if _, ok := v.([]any); !ok {
					return "expected a list"
				}
				return ""
			}}},
		Compile: func(config map[string]any) (map[string]any, []pluginschema.FieldError) {
			list := config["program"].([]any)
			if len(list) > 2 {
				return nil, fe(field("config.program.3", "too long"))
			}
			return map[string]any{"program": list, "compiled": true}, nil
		},
	}
	if err := p.Check(); err != nil {
		t.Fatal(err)
	}
	out := normalizeOK(t, p, decodeNumbers(t, `{"program":[1,{"a":[true,"x"]}]}`))
	sameJSON(t, out, map[string]any{"program": []any{int64(1), map[string]any{"a": []any{true, "x"}}}, "compiled": true})
	checkErrors(t, p, []errorCase{
		{"validator", `{"program":{"a":1}}`, fe(field("config.program", "expected a list"))},
		{"required", `{}`, fe(field("config.program", "required field missing"))},
		{"compile", `{"program":[1,2,3]}`, fe(field("config.program.3", "too long"))},
	})
}
