package pluginschema_test

import (
	"slices"
	"testing"

	"github.com/openkonnect/terraform-provider-konnect/internal/pluginschema"
)

// TestKonnectDefaults pins the defaults where Konnect's answers differ from the Kong 3.15
// reference schemas: Konnect's win, as the emulator emulates Konnect.
func TestKonnectDefaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		plugin, path string
		want         any
	}{
		{"key-auth", "hide_credentials", false},
		{"basic-auth", "hide_credentials", false},
		{"hmac-auth", "hide_credentials", false},
		{"key-auth", "identity_realms", []any{map[string]any{"scope": "cp", "id": nil, "region": nil}}},
		{"cors", "methods", []any{"GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS", "TRACE", "CONNECT"}},
	} {
		t.Run(tc.plugin+"/"+tc.path, func(t *testing.T) {
			out := normalizeOK(t, mustLookup(t, tc.plugin), nil)
			sameJSON(t, out[tc.path], tc.want)
		})
	}
}

// TestRedisSSLVerifyOff checks every Redis block of every plugin (a record with Redis's
// cloud_authentication), generated ones included, so that a plugin added later keeps
// Konnect's default. Other ssl_verify fields (an HTTP client's) keep Kong's.
func TestRedisSSLVerifyOff(t *testing.T) {
	t.Parallel()
	found := 0
	var walk func(plugin string, fields []*pluginschema.Field, path string)
	walk = func(plugin string, fields []*pluginschema.Field, path string) {
		redis := slices.ContainsFunc(fields, func(f *pluginschema.Field) bool { return f.Name == "cloud_authentication" })
		for _, f := range fields {
			if redis && f.Name == "ssl_verify" {
				found++
				if f.Default != false {
					t.Errorf("%s: %s.ssl_verify defaults to %v, want false", plugin, path, f.Default)
				}
			}
			walk(plugin, f.Fields, path+"."+f.Name)
			if f.Elements != nil {
				walk(plugin, f.Elements.Fields, path+"."+f.Name+"[]")
			}
		}
	}
	for _, name := range pluginschema.Names() {
		p, _ := pluginschema.Lookup(name)
		walk(name, p.Config, "config")
	}
	if found < 20 { // rate-limiting, basic-auth and the generated plugins' Redis blocks
		t.Errorf("found %d Redis blocks", found)
	}
}
