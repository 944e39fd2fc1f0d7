package pluginschema_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/openkonnect/terraform-provider-konnect/internal/pluginschema"
)

// decode turns JSON into what an HTTP handler hands to Normalize.
func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	if s == "" {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return m
}

// decodeNumbers decodes JSON keeping numbers as json.Number.
func decodeNumbers(t *testing.T, s string) map[string]any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return m
}

func mustLookup(t *testing.T, name string) *pluginschema.Plugin {
	t.Helper()
	p, ok := pluginschema.Lookup(name)
	if !ok {
		t.Fatalf("plugin %q is not registered", name)
	}
	return p
}

// normalizeOK normalizes a config that must be valid.
func normalizeOK(t *testing.T, p *pluginschema.Plugin, config map[string]any) map[string]any {
	t.Helper()
	out, errs := p.Normalize(config)
	if errs != nil {
		t.Fatalf("Normalize: unexpected errors %v", errs)
	}
	return out
}

// sameJSON compares values exactly (Go types included), showing both as JSON when they differ.
func sameJSON(t *testing.T, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("got\n%s\nwant\n%s\n(got %#v)", g, w, got)
	}
}

func sameErrors(t *testing.T, got, want []pluginschema.FieldError) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("errors\ngot  %q\nwant %q", got, want)
	}
}

func entity(msg string) pluginschema.FieldError {
	return pluginschema.FieldError{Field: pluginschema.EntityField, Message: msg}
}

func field(path, msg string) pluginschema.FieldError {
	return pluginschema.FieldError{Field: path, Message: msg}
}

// Short names for the tables.
type (
	FieldError = pluginschema.FieldError
	Scope      = pluginschema.Scope
)

func fe(errs ...FieldError) []FieldError { return errs }
