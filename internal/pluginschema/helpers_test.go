package pluginschema_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
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

// errorCase is a config that must be refused, with the errors Kong gives, in Kong's order.
type errorCase struct {
	name, config string
	want         []FieldError
}

func checkErrors(t *testing.T, p *pluginschema.Plugin, cases []errorCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, errs := p.Normalize(decode(t, tc.config))
			if out != nil {
				t.Errorf("got a config %v along with errors", out)
			}
			sameErrors(t, errs, tc.want)
		})
	}
}

func checkAccepts(t *testing.T, p *pluginschema.Plugin, configs ...string) {
	t.Helper()
	for _, config := range configs {
		t.Run(config, func(t *testing.T) {
			normalizeOK(t, p, decode(t, config))
		})
	}
}

// checkRegistration checks a plugin's priority, its protocols (allowed and default) and the
// scopes it refuses, named as Kong names the foreign keys.
func checkRegistration(t *testing.T, name string, priority int, protocols, defaults []string, refused ...string) {
	t.Helper()
	p := mustLookup(t, name)
	if p.Priority != priority {
		t.Errorf("priority %d, want %d", p.Priority, priority)
	}

	got, errs := p.NormalizeProtocols(nil)
	sameErrors(t, errs, nil)
	sameJSON(t, got, defaults)
	got, errs = p.NormalizeProtocols(toAnySlice(protocols))
	sameErrors(t, errs, nil)
	sameJSON(t, got, protocols)
	_, errs = p.NormalizeProtocols([]any{protocols[0], "ftp"})
	sameErrors(t, errs, fe(field("protocols.2", "expected one of: "+strings.Join(protocols, ", "))))

	var want []FieldError
	for _, scope := range refused {
		want = append(want, field(scope, "value must be null"))
	}
	sameErrors(t, p.CheckScope(Scope{Consumer: true, ConsumerGroup: true, Route: true, Service: true}), want)
	sameErrors(t, p.CheckScope(Scope{Route: true, Service: true}), nil)
}

func toAnySlice(values []string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}
