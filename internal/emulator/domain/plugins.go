package domain

import (
	"strconv"
	"strings"

	"github.com/openkonnect/terraform-provider-konnect/internal/pluginschema"
)

// preparePlugin refuses partials, checks the plugin's name, scope, protocols and config
// against its schema in internal/pluginschema, and fills in the defaults the way Konnect
// returns them.
func preparePlugin(_ *WriteContext, e Entity) error {
	if partials, _ := e["partials"].([]any); len(partials) > 0 {
		// Partials are entities of their own, which this API has no path to create: a plugin
		// naming one names an entity that does not exist, refused as an unknown reference
		// rather than stored and ignored.
		first, _ := partials[0].(map[string]any)
		ref, _ := first["id"].(string)
		if ref == "" {
			ref, _ = first["name"].(string)
		}
		return &ForeignKeyViolation{Kind: "plugins", Field: "partials", Value: ref, Target: "partials"}
	}
	name, _ := e["name"].(string)
	p, ok := pluginschema.Lookup(name)
	if !ok {
		return fieldError("plugins", "name", "plugin '"+name+"' not enabled; add it to the 'plugins' configuration property")
	}
	errs := p.CheckScope(pluginschema.Scope{
		Consumer: RefID(e["consumer"]) != "", ConsumerGroup: RefID(e["consumer_group"]) != "",
		Route: RefID(e["route"]) != "", Service: RefID(e["service"]) != "",
	})
	protocols, perrs := p.NormalizeProtocols(e["protocols"])
	errs = append(errs, perrs...)
	switch c := e["config"].(type) {
	case nil, map[string]any:
		config, _ := c.(map[string]any)
		normalized, cerrs := p.Normalize(config)
		errs = append(errs, cerrs...)
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
