package domain

import (
	"strconv"
	"strings"

	"github.com/openkonnect/terraform-provider-konnect/internal/pluginschema"
)

// preparePlugin checks the plugin's name, scope, protocols and config against its schema in
// internal/pluginschema, resolves its partials, and fills in the defaults the way Konnect
// returns them. The config is checked with each partial's config in place, as the data plane
// runs it (a Redis policy needs a Redis host, which the partial holds), and stored with the
// plugin's own values at the partials' paths.
func preparePlugin(c *WriteContext, e Entity) error {
	name, _ := e["name"].(string)
	p, ok := pluginschema.Lookup(name)
	if !ok {
		return fieldError("plugins", "name", "plugin '"+name+"' not enabled; add it to the 'plugins' configuration property")
	}
	partials, err := resolvePluginPartials(c, name, e)
	if err != nil {
		return err
	}
	errs := p.CheckScope(pluginschema.Scope{
		Consumer: RefID(e["consumer"]) != "", ConsumerGroup: RefID(e["consumer_group"]) != "",
		Route: RefID(e["route"]) != "", Service: RefID(e["service"]) != "",
	})
	protocols, perrs := p.NormalizeProtocols(e["protocols"])
	errs = append(errs, perrs...)
	switch given := e["config"].(type) {
	case nil, map[string]any:
		config, _ := given.(map[string]any)
		normalized, cerrs := p.Normalize(withPartials(config, partials))
		errs = append(errs, cerrs...)
		if len(cerrs) == 0 {
			for _, pp := range partials {
				setAt(map[string]any{"config": normalized}, pp.path, ownValue(p, config, pp.path))
			}
		}
		e["config"] = normalized
	default:
		errs = append(errs, pluginschema.FieldError{Field: "config", Message: "expected a record"})
	}
	if len(errs) > 0 {
		v := &SchemaViolation{Kind: "plugins"}
		for _, fe := range errs {
			if fe.IsEntity() {
				v.Fields = append(v.Fields, FieldError{Message: fe.Message})
			} else {
				v.Fields = append(v.Fields, FieldError{Field: fieldPath(fe.Field), Message: fe.Message})
			}
		}
		return v
	}
	list := make([]any, len(protocols))
	for i, v := range protocols {
		list[i] = v
	}
	e["protocols"] = list
	if _, ok := e["enabled"]; !ok {
		e["enabled"] = true
	}
	return nil
}

// ownValue is the plugin's own value at a partial's path, normalized as that field alone
// (the plugin-wide checks were made with the partial in place).
func ownValue(p *pluginschema.Plugin, config map[string]any, path string) any {
	rel := strings.TrimPrefix(path, "config.")
	given, _ := getAt(config, rel)
	f := p.ConfigField(rel)
	if f == nil {
		return given
	}
	field := *f
	field.Name = "v"
	out, errs := (&pluginschema.Plugin{Config: []*pluginschema.Field{&field}}).Normalize(map[string]any{"v": given})
	if len(errs) > 0 {
		return given
	}
	return out["v"]
}

// withPartials is a copy of a plugin's config with each partial's config at its path.
func withPartials(config map[string]any, partials []pluginPartial) map[string]any {
	if len(partials) == 0 {
		return config
	}
	entity := map[string]any{"config": cloneMap(config)}
	for _, pp := range partials {
		setAt(entity, pp.path, cloneMap(pp.config))
	}
	out, _ := entity["config"].(map[string]any)
	return out
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if nested, ok := v.(map[string]any); ok {
			v = cloneMap(nested)
		}
		out[k] = v
	}
	return out
}

// fieldPath turns Kong's schema paths (array positions from 1: "config.key_names.1") into the
// domain's ("config.key_names[0]").
func fieldPath(path string) string {
	parts := strings.Split(path, ".")
	var b strings.Builder
	for i, part := range parts {
		if n, err := strconv.Atoi(part); err == nil && i > 0 {
			b.WriteString("[" + strconv.Itoa(n-1) + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(part)
	}
	return b.String()
}
