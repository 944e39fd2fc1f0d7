package dataplane

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/openkonnect/terraform-provider-konnect/internal/pluginschema"
)

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

// notEnforcedTag marks a config type's field that is decoded but not acted on (kept in the
// type for documentation or a later use): the field counts as not enforced.
const notEnforcedTag = `enforced:"no"`

// notEnforcedFields compares a schema's fields with a config type: it returns the paths of the
// fields the type does not declare or declares with enforced:"no" (a record the type does not
// declare is one path), and an error for a json-tagged field of the type that the schema does
// not have. Embedded structs count as their fields, as encoding/json decodes them.
func notEnforcedFields(fields []*pluginschema.Field, t reflect.Type, prefix string) ([]string, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("config type %s is not a struct", t)
	}
	declared := map[string]reflect.StructField{}
	if err := declaredFields(fields, t, prefix, declared); err != nil {
		return nil, err
	}
	var out []string
	for _, sf := range fields {
		f, ok := declared[sf.Name]
		switch {
		case !ok || f.Tag.Get("enforced") == "no":
			out = append(out, prefix+sf.Name)
		case sf.Type == pluginschema.TypeRecord && isStruct(f.Type):
			sub, err := notEnforcedFields(sf.Fields, f.Type, prefix+sf.Name+".")
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
		}
	}
	return out, nil
}

// declaredFields adds t's json-named fields (those of embedded structs included) to declared.
func declaredFields(fields []*pluginschema.Field, t reflect.Type, prefix string, declared map[string]reflect.StructField) error {
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" && isStruct(f.Type) {
			if err := declaredFields(fields, f.Type, prefix, declared); err != nil {
				return err
			}
			continue
		}
		if name == "" || name == "-" {
			continue
		}
		if schemaField(fields, name) == nil {
			return fmt.Errorf("config field %s%s is not in the schema", prefix, name)
		}
		declared[name] = f
	}
	return nil
}

func schemaField(fields []*pluginschema.Field, name string) *pluginschema.Field {
	for _, sf := range fields {
		if sf.Name == name {
			return sf
		}
	}
	return nil
}

func isStruct(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Struct
}

// ignoredSettings are the not-enforced fields that a plugin's config sets to something other
// than their default: settings the user made that the data plane does not honour.
func ignoredSettings(schema []*pluginschema.Field, notEnforced []string, config map[string]any) []string {
	var out []string
	for _, path := range notEnforced {
		fields := schema
		var field *pluginschema.Field
		for part := range strings.SplitSeq(path, ".") {
			if field = schemaField(fields, part); field == nil {
				break
			}
			fields = field.Fields
		}
		if field != nil && !isDefault(field, valueAt(config, path)) {
			out = append(out, path)
		}
	}
	sort.Strings(out)
	return out
}

// isDefault tells whether v is what the field holds when not set: unset, its default, or for
// a record every field at its default.
func isDefault(f *pluginschema.Field, v any) bool {
	if v == nil {
		return true
	}
	if f.Default != nil {
		return sameJSON(f.Default, v)
	}
	if f.Type == pluginschema.TypeRecord && f.Fields != nil {
		m, _ := v.(map[string]any)
		for _, sub := range f.Fields {
			if !isDefault(sub, m[sub.Name]) {
				return false
			}
		}
		return true
	}
	return false
}

// sameJSON compares two values by their JSON form: a default is an int64 where a stored
// config holds a float64.
func sameJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

// warnIgnoredSettings logs, once per plugin instance and setting, each not-enforced field a
// configured plugin sets to a non-default value: the user asked for something the data plane
// does not do. A changed value is warned about again.
func (p *Proxy) warnIgnoredSettings(s *Snapshot) {
	for _, pl := range s.plugins {
		config, _ := pl.entity["config"].(map[string]any)
		for _, path := range pl.ignored {
			value, _ := json.Marshal(valuesAt(config, path))
			if p.node.firstWarning(Str(pl.entity, "id") + " " + path + " " + string(value)) {
				p.logger.Warn("data plane: plugin setting accepted but not enforced", "control_plane", p.cp,
					"plugin", pl.name, "id", Str(pl.entity, "id"), "field", "config."+path)
			}
		}
	}
}

// valueAt is the value at a dotted path of a config, nil when absent.
func valueAt(config map[string]any, path string) any {
	var value any = config
	for part := range strings.SplitSeq(path, ".") {
		m, _ := value.(map[string]any)
		value = m[part]
	}
	return value
}

// jsonSettingsSet are the not-enforced paths inside a plugin's free-form JSON fields (keys of
// defaults, which gives each one's default, nil for none; "nodes[].x" is x in every element of
// nodes) that a config sets to something else, sorted.
func jsonSettingsSet(defaults map[string]any, config map[string]any) []string {
	var out []string
	for path, def := range defaults {
		for _, v := range valuesAt(config, path) {
			if v != nil && !sameJSON(v, def) {
				out = append(out, path)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// valuesAt are the values at a dotted path of a config, where a part ending in "[]" stands
// for every element of that list (absent values are nil; a path without "[]" gives one value).
func valuesAt(config map[string]any, path string) []any {
	values := []any{config}
	for part := range strings.SplitSeq(path, ".") {
		name, each := strings.CutSuffix(part, "[]")
		var next []any
		for _, v := range values {
			m, _ := v.(map[string]any)
			if !each {
				next = append(next, m[name])
				continue
			}
			list, _ := m[name].([]any)
			next = append(next, list...)
		}
		values = next
	}
	return values
}
