package domain

import (
	"sort"
	"strconv"
	"strings"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
	"github.com/openkonnect/terraform-provider-konnect/internal/pluginschema"
)

// Partials are shared pieces of plugin configuration (a Redis connection, an embeddings
// model...) that plugins name in `partials: [{id, name, path}]`; the partial's config stands
// in for the plugin's config at path.

// partialSource names, for each partial type, a plugin field whose schema is the partial's
// config, so that a partial is checked and filled as that field is. A type whose plugin is not
// defined here is checked against the API spec only. Only the Redis types are also filled
// with the plugin field's defaults: Konnect's spec gives the AI types' partial schemas
// defaults of their own (those the API fills in), which the plugin's do not match.
var partialSource = map[string]struct {
	plugin, field string
	fill          bool
}{
	"redis-ce":   {"rate-limiting", "redis", true},
	"redis-ee":   {"rate-limiting-advanced", "redis", true},
	"vectordb":   {"ai-semantic-cache", "vectordb", false},
	"embeddings": {"ai-semantic-cache", "embeddings", false},
}

// supportedPartials lists, per plugin, the partial types it takes and the config paths where
// each may stand. The first path is the one used when a reference gives none.
var supportedPartials = map[string]map[string][]string{
	"rate-limiting":                  {"redis-ce": {"config.redis"}},
	"response-ratelimiting":          {"redis-ce": {"config.redis"}},
	"rate-limiting-advanced":         {"redis-ee": {"config.redis"}},
	"graphql-rate-limiting-advanced": {"redis-ee": {"config.redis"}},
	"ai-rate-limiting-advanced":      {"redis-ee": {"config.redis"}},
	"proxy-cache-advanced":           {"redis-ee": {"config.redis"}},
	"graphql-proxy-cache-advanced":   {"redis-ee": {"config.redis"}},
	"ai-semantic-cache":              {"vectordb": {"config.vectordb"}, "embeddings": {"config.embeddings"}},
	"ai-semantic-prompt-guard":       {"vectordb": {"config.vectordb"}, "embeddings": {"config.embeddings"}},
	"ai-rag-injector":                {"vectordb": {"config.vectordb"}, "embeddings": {"config.embeddings"}},
	"ai-proxy-advanced":              {"vectordb": {"config.vectordb"}, "embeddings": {"config.embeddings"}},
}

// preparePartial checks a partial's config as the plugin field it stands for is checked, and
// fills its defaults. Unset fields are left out rather than returned as null: the spec's
// partial schemas declare no nullable config field, so a partial read back can be written
// back as it is.
func preparePartial(_ *WriteContext, e Entity) error {
	typ, _ := e["type"].(string)
	config, ok := e["config"].(map[string]any)
	if !ok {
		return fieldError("partials", "config", "required field missing")
	}
	src, ok := partialSource[typ]
	if !ok {
		return nil
	}
	p, ok := pluginschema.Lookup(src.plugin)
	if !ok {
		return nil
	}
	f := p.ConfigField(src.field)
	if f == nil {
		return nil
	}
	field := *f
	field.Name = "config"
	normalized, errs := (&pluginschema.Plugin{Name: "partial " + typ, Config: []*pluginschema.Field{&field}}).
		Normalize(map[string]any{"config": config})
	if len(errs) > 0 {
		v := &SchemaViolation{Kind: "partials"}
		for _, fe := range errs {
			// The schema names its fields under config, and the partial's field is config too.
			v.Fields = append(v.Fields, FieldError{Field: strings.TrimPrefix(fieldPath(fe.Field), "config."), Message: fe.Message})
		}
		return v
	}
	if !src.fill {
		return nil
	}
	out, _ := normalized["config"].(map[string]any)
	e["config"] = withoutNulls(out)
	return nil
}

// withoutNulls drops null fields at every level of an object.
func withoutNulls(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		switch tv := v.(type) {
		case nil:
			continue
		case map[string]any:
			out[k] = withoutNulls(tv)
		default:
			out[k] = v
		}
	}
	return out
}

// pluginPartial is one resolved entry of a plugin's partials.
type pluginPartial struct {
	id, name, path string
	config         map[string]any
}

// resolvePluginPartials reads a plugin's partials: each given by id or by name, it must exist
// and be of a type the plugin takes at that path. The references are rewritten as Konnect
// returns them, {id, name, path} with name and path filled in.
func resolvePluginPartials(c *WriteContext, plugin string, e Entity) ([]pluginPartial, error) {
	raw, set := e["partials"]
	if !set {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, fieldError("plugins", "partials", "expected an array")
	}
	if len(list) == 0 {
		return nil, nil
	}
	supported, ok := supportedPartials[plugin]
	if !ok {
		return nil, fieldError("plugins", "partials", "plugin '"+plugin+"' does not support partials")
	}
	out := make([]pluginPartial, 0, len(list))
	refs := make([]any, 0, len(list))
	usedAt := map[string]bool{}
	for i, x := range list {
		field := "partials[" + strconv.Itoa(i) + "]"
		m, ok := x.(map[string]any)
		if !ok {
			return nil, fieldError("plugins", field, "expected a record")
		}
		for key := range m {
			if key != "id" && key != "name" && key != "path" {
				return nil, fieldError("plugins", field+"."+key, "unknown field")
			}
		}
		id, _ := m["id"].(string)
		name, _ := m["name"].(string)
		var rec *store.Record
		switch {
		case id != "":
			if !IsUUID(id) {
				return nil, fieldError("plugins", field+".id", "expected a valid UUID")
			}
			r, found := c.Tx.Get(c.CP, Partials.Name, id)
			if !found {
				return nil, &ForeignKeyViolation{Kind: "plugins", Field: "partials", Value: id, Target: Partials.Name}
			}
			rec = r
		case name != "":
			r, found := c.Tx.ByUnique(c.CP, Partials.Name, "name", name)
			if !found {
				return nil, &ForeignKeyViolation{Kind: "plugins", Field: "partials", Value: name, Target: Partials.Name, Key: "name"}
			}
			rec = r
		default:
			return nil, fieldError("plugins", field+".id", "required field missing")
		}
		partial := Decode(rec.Body)
		pname, _ := partial["name"].(string)
		if name != "" && name != pname {
			return nil, &ForeignKeyViolation{Kind: "plugins", Field: "partials", Value: name, Target: Partials.Name, Key: "name"}
		}
		typ, _ := partial["type"].(string)
		paths, ok := supported[typ]
		if !ok {
			return nil, fieldError("plugins", field, "partial type '"+typ+"' is not supported by plugin '"+plugin+
				"' (supported: "+strings.Join(sortedKeys(supported), ", ")+")")
		}
		path, _ := m["path"].(string)
		if path == "" {
			path = paths[0]
		} else if !contains(paths, path) {
			return nil, fieldError("plugins", field+".path", "a '"+typ+"' partial of plugin '"+plugin+
				"' can only be used at: "+strings.Join(paths, ", "))
		}
		if usedAt[path] {
			return nil, fieldError("plugins", field+".path", "another partial is already used at '"+path+"'")
		}
		usedAt[path] = true
		config, _ := partial["config"].(map[string]any)
		out = append(out, pluginPartial{id: rec.ID, name: pname, path: path, config: config})
		ref := map[string]any{"id": rec.ID, "path": path}
		if pname != "" {
			ref["name"] = pname
		}
		refs = append(refs, ref)
	}
	e["partials"] = refs
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// setAt puts value at a dotted path ("config.redis") of an entity, creating the objects on
// the way; getAt reads it.
func setAt(e map[string]any, path string, value any) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := e[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			e[p] = next
		}
		e = next
	}
	e[parts[len(parts)-1]] = value
}

func getAt(e map[string]any, path string) (any, bool) {
	parts := strings.Split(path, ".")
	var v any = e
	for _, p := range parts {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[p]; !ok {
			return nil, false
		}
	}
	return v, true
}

// ExpandPartials puts the config of each partial a plugin uses at the partial's path in the
// plugin's config, as the data plane runs it and as `expand_partials=true` returns it. A
// partial that no longer exists is an error.
func ExpandPartials(tx store.Reader, cp string, plugin Entity) error {
	for _, x := range listOf(plugin["partials"]) {
		ref, _ := x.(map[string]any)
		id, _ := ref["id"].(string)
		path, _ := ref["path"].(string)
		rec, ok := tx.Get(cp, Partials.Name, id)
		if !ok {
			return &ForeignKeyViolation{Kind: "plugins", Field: "partials", Value: id, Target: Partials.Name}
		}
		config, _ := Decode(rec.Body)["config"].(map[string]any)
		if path == "" || config == nil {
			continue
		}
		setAt(plugin, path, config)
	}
	return nil
}

func listOf(v any) []any {
	l, _ := v.([]any)
	return l
}

// PartialLinks lists the plugins that use a partial: id, name and instance_name, by id.
func PartialLinks(tx store.Reader, cp, partialID string) []map[string]any {
	var links []map[string]any
	for _, ref := range tx.Referrers(store.Key{CP: cp, Kind: Partials.Name, ID: partialID}) {
		if ref.Kind != Plugins.Name {
			continue
		}
		rec, ok := tx.Get(cp, ref.Kind, ref.ID)
		if !ok {
			continue
		}
		plugin := Decode(rec.Body)
		link := map[string]any{"id": rec.ID, "name": plugin["name"]}
		if in, ok := plugin["instance_name"].(string); ok {
			link["instance_name"] = in
		}
		links = append(links, link)
	}
	sort.Slice(links, func(i, j int) bool { return links[i]["id"].(string) < links[j]["id"].(string) })
	return links
}
