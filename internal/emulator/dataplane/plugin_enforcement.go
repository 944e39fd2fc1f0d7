package dataplane

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/openkonnect/terraform-provider-konnect/internal/pluginschema"
)

// legacyNotEnforced lists, for the plugins still registered with Register (their config read
// from the map by hand), the config fields the data plane accepts but does not enforce, as
// dotted paths. A plugin registered with RegisterTyped has its list derived from its config
// type instead, and must not appear here.
var legacyNotEnforced = map[string][]string{
	// identity_realms and principals concern Konnect's consumer realms, which the emulator
	// does not have; key_in_body reads form and JSON bodies but not multipart ones.
	"key-auth": {"identity_realms", "principals", "key_in_body"},
	// Counters are written on every request (as with sync_rate -1), and Redis is reached
	// with a password, never a cloud identity.
	"rate-limiting": {"sync_rate", "redis.cloud_authentication"},
}

// PluginSupport is what the data plane does with one plugin the API accepts.
type PluginSupport struct {
	Name string `json:"name"`
	// Runs tells whether the data plane runs the plugin at all; when it does not, a
	// configured instance is stored but has no effect (and is reported as skipped).
	Runs bool `json:"runs"`
	// NotEnforced are config fields (dotted paths) that are accepted and stored but have no
	// effect on traffic.
	NotEnforced []string `json:"not_enforced"`
}

// Plugins describes every plugin the API accepts, by name.
func Plugins() []PluginSupport {
	var out []PluginSupport
	for _, name := range pluginschema.Names() {
		s := PluginSupport{Name: name, NotEnforced: []string{}}
		if def, ok := lookupPlugin(name); ok {
			s.Runs = true
			s.NotEnforced = append(s.NotEnforced, def.notEnforced...)
		}
		out = append(out, s)
	}
	return out
}

// undeclaredFields compares a schema's fields with a config type: it returns the paths of
// the fields the type does not declare (a record the type does not declare is one path), and
// an error for a json-tagged field of the type that the schema does not have.
func undeclaredFields(fields []*pluginschema.Field, t reflect.Type, prefix string) ([]string, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("config type %s is not a struct", t)
	}
	declared := map[string]reflect.Type{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		declared[name] = f.Type
		found := false
		for _, sf := range fields {
			found = found || sf.Name == name
		}
		if !found {
			return nil, fmt.Errorf("config field %s%s is not in the schema", prefix, name)
		}
	}
	var out []string
	for _, sf := range fields {
		ft, ok := declared[sf.Name]
		switch {
		case !ok:
			out = append(out, prefix+sf.Name)
		case sf.Type == pluginschema.TypeRecord && isStruct(ft):
			sub, err := undeclaredFields(sf.Fields, ft, prefix+sf.Name+".")
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
		}
	}
	return out, nil
}

func isStruct(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Struct
}
