package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/openkonnect/terraform-provider-konnect/internal/pluginschema"
)

func TestPluginName(t *testing.T) {
	for file, want := range map[string]string{
		"AiProxyAdvanced": "ai-proxy-advanced", "ACL": "acl", "AiA2AProxy": "ai-a2a-proxy", "AiA2aProxy": "ai-a2a-proxy",
		"Oauth2Introspection": "oauth2-introspection", "GrpcWeb": "grpc-web", "Jq": "jq", "AppDynamics": "app-dynamics",
	} {
		if got := pluginName(file); got != want {
			t.Errorf("pluginName(%s) = %s, want %s", file, got, want)
		}
	}
}

func sample(t *testing.T) *pluginschema.Plugin {
	t.Helper()
	raw, err := os.ReadFile("testdata/plugins/SampleLogger.json")
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := convert("sample-logger", raw)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConvert(t *testing.T) {
	p := sample(t)
	if !reflect.DeepEqual(p.Protocols, []string{"grpc", "http", "https"}) || !reflect.DeepEqual(p.DefaultProtocols, []string{"http", "https"}) {
		t.Errorf("protocols %v default %v", p.Protocols, p.DefaultProtocols)
	}
	if !p.NoConsumer || !p.NoConsumerGroup || p.NoRoute || p.NoService || !p.Generated {
		t.Errorf("scopes or flags: %+v", p)
	}
	if len(p.Partials) != 1 || p.Partials[0].Type != "redis-ce" || p.Partials[0].Paths[0] != "config.redis" {
		t.Errorf("partials %v", p.Partials)
	}
	endpoint := p.ConfigField("endpoint")
	if !endpoint.Required || !endpoint.Sensitive || !endpoint.Referenceable || strings.Contains(endpoint.Description, "prose") {
		t.Errorf("endpoint %+v", endpoint)
	}
	if d := p.ConfigField("ratio").Description; d != "Number, from 0 to 1." {
		t.Errorf("ratio described as %q", d)
	}
	if d := p.ConfigField("tag").Description; d != "String, 2 to 8 characters." {
		t.Errorf("tag described as %q", d)
	}
	for path, want := range map[string]pluginschema.Type{
		"headers": pluginschema.TypeMap, "metadata": pluginschema.TypeJSON, "queue": pluginschema.TypeRecord, "rules": pluginschema.TypeArray,
	} {
		if got := p.ConfigField(path).Type; got != want {
			t.Errorf("%s is a %s, want %s", path, got, want)
		}
	}

	// {} with the required field: defaults everywhere, records filled in when they can be.
	out, errs := p.Normalize(map[string]any{"endpoint": "https://logs.test"})
	if errs != nil {
		t.Fatal(pluginschema.Summary(errs))
	}
	for path, want := range map[string]any{
		"format": "json", "level": int64(1), "ratio": 0.25, "prefix": "", "fields": []any{"a", "b"},
		"queue":    map[string]any{"size": int64(10), "delay": 0.5},
		"upstream": nil, // it has a field that must be given, so it stays null until it is
		"redis": map[string]any{"host": nil, "port": int64(6379), "ssl_verify": false, // Konnect's default
			"cloud_authentication": nil},
		"metadata": nil, "retries": nil,
	} {
		if !reflect.DeepEqual(out[path], want) {
			t.Errorf("config.%s = %#v, want %#v", path, out[path], want)
		}
	}

	for _, tc := range []struct {
		config map[string]any
		field  string
		msg    string
	}{
		{map[string]any{}, "config.endpoint", "required field missing"},
		{map[string]any{"format": "xml"}, "config.format", "expected one of: json, text"},
		{map[string]any{"level": 3}, "config.level", "expected one of: 0, 1, 5"},
		{map[string]any{"ratio": 1.5}, "config.ratio", "value should be between 0 and 1"},
		{map[string]any{"retries": 0}, "config.retries", "value must be greater than 0"},
		{map[string]any{"tag": "a-long-tag"}, "config.tag", "length must be at most 8"},
		{map[string]any{"fields": []any{"a", "b", "c", "d"}}, "config.fields", "length must be at most 3"},
		{map[string]any{"upstream": map[string]any{}}, "config.upstream.url", "required field missing"},
		{map[string]any{"rules": []any{map[string]any{"weight": 2}}}, "config.rules.1.name", "required field missing"},
	} {
		tc.config["endpoint"] = "https://logs.test"
		if tc.field == "config.endpoint" {
			delete(tc.config, "endpoint")
		}
		_, errs := p.Normalize(tc.config)
		if len(errs) != 1 || errs[0].Field != tc.field || errs[0].Message != tc.msg {
			t.Errorf("%v: %v, want %s: %s", tc.config, errs, tc.field, tc.msg)
		}
	}
	// Free-form values are kept as given.
	out, _ = p.Normalize(map[string]any{"endpoint": "x", "metadata": map[string]any{"k": []any{1.0, "v"}}})
	if !reflect.DeepEqual(out["metadata"], map[string]any{"k": []any{int64(1), "v"}}) {
		t.Errorf("metadata %#v", out["metadata"])
	}
}

// run writes a definition per plugin (not for those Konnect lacks), formatted Go that
// declares the same plugin, and the examples; a stale generated file goes, a hand-written one
// stays; without the schemas it changes nothing.
func TestRun(t *testing.T) {
	out, examples := t.TempDir(), t.TempDir()
	stale := filepath.Join(out, "gone.gen.go")
	handWritten := filepath.Join(out, "mine.gen.go")
	if err := os.WriteFile(stale, []byte(header+"package pluginschema\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(handWritten, []byte("package pluginschema\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run("testdata/no-such-dir", out, examples); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); err != nil {
		t.Fatal("a run without schemas removed a file")
	}
	if err := run("testdata/plugins", out, examples); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(out, "*.go"))
	if len(files) != 2 || filepath.Base(files[0]) != "mine.gen.go" || filepath.Base(files[1]) != "sample_logger.gen.go" {
		t.Fatalf("wrote %v", files)
	}
	src, _ := os.ReadFile(files[1])
	for _, want := range []string{header, `"sample-logger",`, `Validator: IntegerOneOf(0, 1, 5)`, `{Name: "ssl_verify", Type: TypeBoolean, Default: false`} {
		if !strings.Contains(string(src), want) {
			t.Errorf("generated source lacks %q:\n%s", want, src)
		}
	}
	if strings.Contains(string(src), "prose") {
		t.Error("a description was copied")
	}
	example, err := os.ReadFile(filepath.Join(examples, "konnect_gateway_plugin_sample_logger", "resource.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(example), `endpoint = "{vault://env/EXAMPLE_SECRET}"`) {
		t.Errorf("example:\n%s", example)
	}
	if _, err := os.Stat(filepath.Join(examples, "konnect_gateway_plugin_sample_logger", "import.sh")); err != nil {
		t.Error(err)
	}
}
