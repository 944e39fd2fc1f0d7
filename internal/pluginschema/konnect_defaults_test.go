package pluginschema_test

import (
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

// TestRedisSSLVerifyOff checks every Redis block of every plugin, so that a plugin added
// later keeps Konnect's default.
func TestRedisSSLVerifyOff(t *testing.T) {
	t.Parallel()
	found := 0
	var walk func(plugin string, fields []*pluginschema.Field, path string)
	walk = func(plugin string, fields []*pluginschema.Field, path string) {
		for _, f := range fields {
			if f.Name == "ssl_verify" && f.Default != false {
				t.Errorf("%s: %s.ssl_verify defaults to %v, want false", plugin, path, f.Default)
			}
			if f.Name == "ssl_verify" {
				found++
			}
			walk(plugin, f.Fields, path+"."+f.Name)
		}
	}
	for _, name := range pluginschema.Names() {
		p, _ := pluginschema.Lookup(name)
		walk(name, p.Config, "config")
	}
	if found < 2 { // rate-limiting and basic-auth's brute_force_protection at least
		t.Errorf("found %d Redis blocks", found)
	}
}
