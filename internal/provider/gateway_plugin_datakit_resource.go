package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"

	"github.com/openkonnect/terraform-provider-konnect/internal/datakit"
	"github.com/openkonnect/terraform-provider-konnect/internal/pluginschema"
)

// konnect_gateway_plugin_datakit is the generic plugin resource with one difference:
// config.nodes is a dynamic attribute, because a Datakit node's fields depend on its type and
// users write nodes in two shapes:
//
//   - flat, as the API's JSON and Kong's plugin docs: { name = "A", type = "jq", jq = "." }
//   - keyed by type, as Kong's provider 3.4 and later: { jq = { name = "A", jq = "." } }
//
// Both are sent to the API flat. The config is checked at plan time by the Datakit engine
// (internal/datakit), the one the emulator's data plane runs, and compared with the API's
// answer by meaning: both sides are completed with Kong's defaults before comparing, so a
// default the server fills in never shows as a change, and the state keeps the configured
// form (each node in the shape it was written) while the meaning is the same.

// datakitPlugin turns the generic plugin resource of Datakit into its own.
func datakitPlugin(def *entityDef, p *pluginschema.Plugin) {
	def.description = "The Datakit plugin: a flow of nodes (calls, jq transforms, caches, JWT, ...) run on each request, global or scoped to the entities set in its scope attributes. " +
		"`config.nodes` takes nodes in either shape: flat as in the API (`{ name = \"A\", type = \"jq\", jq = \".\" }`) or keyed by their type (`{ jq = { name = \"A\", jq = \".\" } }`); each node stays in state in the shape it was written. An import reads the nodes flat, or keyed by their type when the import id says so: `{\"control_plane_id\": \"...\", \"id\": \"...\", \"nodes_shape\": \"keyed\"}`."
	def.extra["config"] = datakitConfigAttribute(p)
	def.encode = func(body map[string]any) error {
		if cfg, ok := body["config"].(map[string]any); ok {
			body["config"] = datakitAPIConfig(cfg)
		}
		return nil
	}
	def.validate = validateDatakitConfig
	def.render = renderDatakitConfig
	def.importHints = map[string][]string{nodesShapeHint: {"flat", "keyed"}}
}

// nodesShapeHint is the import id's optional key telling the shape the configuration writes
// nodes in, which the API does not record.
const nodesShapeHint = "nodes_shape"

// datakitConfigAttribute is config: required, with debug and resources from the plugin's
// definition and nodes dynamic. No attribute is computed: the state holds the configured
// values, compared with the server's by meaning (renderDatakitConfig).
func datakitConfigAttribute(p *pluginschema.Plugin) schema.Attribute {
	attrs := map[string]schema.Attribute{
		"nodes": schema.DynamicAttribute{
			Required: true,
			MarkdownDescription: "The flow's nodes, 1 to 64, run in the order their connections require. Each node is an object, either flat " +
				"(`name`, `type` and that type's fields, as in the API) or with exactly one key, the node's type, holding `name` and its fields. " +
				"Types: `" + strings.Join(datakit.NodeTypes(), "`, `") + "`. Checked at plan time: a cycle, a reference to a node or field that does not exist, " +
				"or a field the node's type does not have is reported naming the node.",
		},
	}
	for _, f := range p.Config {
		if f.Name == "nodes" {
			continue
		}
		attrs[f.Name] = pluginAttribute(withoutDefaults(f))
	}
	return schema.SingleNestedAttribute{
		Required:            true,
		MarkdownDescription: "The plugin's settings. Fields left out take Kong's defaults, which never show as a change.",
		Attributes:          attrs,
	}
}

// withoutDefaults copies a field's definition with no default and nothing required, so that
// its attribute is plainly optional: the server's defaults are compared by meaning instead
// (and named in the description).
func withoutDefaults(f *pluginschema.Field) *pluginschema.Field {
	if f == nil {
		return nil
	}
	c := *f
	if f.Type != pluginschema.TypeRecord {
		c.Description = withDefault(f.Description, f.Default)
	}
	c.Default, c.Required = nil, false
	c.Elements, c.Values = withoutDefaults(f.Elements), withoutDefaults(f.Values)
	c.Fields = make([]*pluginschema.Field, len(f.Fields))
	for i, sub := range f.Fields {
		c.Fields[i] = withoutDefaults(sub)
	}
	return &c
}

// validateDatakitConfig runs Datakit's checks on the planned config.
func validateDatakitConfig(body map[string]any) []fieldProblem {
	cfg, _ := body["config"].(map[string]any)
	if cfg == nil {
		return nil
	}
	_, err := datakit.Compile(cfg)
	if err == nil {
		return nil
	}
	at := path.Root("config")
	var ce *datakit.ConfigError
	if errors.As(err, &ce) {
		switch {
		case ce.Index >= 0 || ce.Field == "nodes":
			// The nodes are one dynamic value: the message names the node and field.
			at = at.AtName("nodes")
		case ce.Field != "":
			top, _, _ := strings.Cut(ce.Field, ".")
			at = at.AtName(top)
		}
	}
	return []fieldProblem{{path: at, message: "Datakit refuses this config: " + err.Error() + "."}}
}

// datakitAPIConfig is a config as the API takes it: nulls left out, every node flat.
func datakitAPIConfig(cfg map[string]any) map[string]any {
	out, _ := jsonCopy(cfg).(map[string]any)
	if out == nil {
		return map[string]any{}
	}
	dropNulls(out)
	if nodes, ok := out["nodes"].([]any); ok {
		for i, n := range nodes {
			nodes[i] = flatNode(n)
		}
	}
	return out
}

// nodeTypeKey returns the type a node keyed by its type names, or "" for a flat node.
func nodeTypeKey(n any) string {
	m, ok := n.(map[string]any)
	if !ok {
		return ""
	}
	key := ""
	for k, v := range m {
		if v == nil {
			continue
		}
		if key != "" {
			return "" // more than one key: flat
		}
		key = k
	}
	if _, inner := m[key].(map[string]any); inner && slices.Contains(datakit.NodeTypes(), key) {
		return key
	}
	return ""
}

// flatNode turns { jq = { name = "A", ... } } into { type = "jq", name = "A", ... }; a flat
// node is returned as it is.
func flatNode(n any) any {
	typ := nodeTypeKey(n)
	if typ == "" {
		return n
	}
	inner := n.(map[string]any)[typ].(map[string]any)
	out := make(map[string]any, len(inner)+1)
	for k, v := range inner {
		out[k] = v
	}
	out["type"] = typ
	return out
}

// keyedNode turns a flat node into the shape keyed by its type.
func keyedNode(n any) any {
	m, ok := n.(map[string]any)
	typ, _ := m["type"].(string)
	if !ok || typ == "" {
		return n
	}
	inner := make(map[string]any, len(m))
	for k, v := range m {
		if k != "type" {
			inner[k] = v
		}
	}
	return map[string]any{typ: inner}
}

// datakitCanonical is what a config means: completed with Kong's defaults by the plugin's
// definition and then by the Datakit engine (the emulator completes with one or both; where
// their defaults differ, the definition's, applied first, wins), with nulls left out. ok is
// false when the engine refuses the config.
func datakitCanonical(cfg map[string]any) (any, bool) {
	in := datakitAPIConfig(cfg)
	if p, ok := pluginschema.Lookup("datakit"); ok {
		if n, errs := p.Normalize(in); len(errs) == 0 {
			if m, ok := jsonCopy(n).(map[string]any); ok {
				dropNulls(m)
				in = m
			}
		}
	}
	flow, err := datakit.Compile(in)
	if err != nil {
		return nil, false
	}
	out, _ := jsonCopy(flow.Normalized()).(map[string]any)
	if out == nil {
		return nil, false
	}
	dropNulls(out)
	return out, true
}

// sameDatakitConfig tells whether two configs mean the same.
func sameDatakitConfig(a, b map[string]any) bool {
	ca, okA := datakitCanonical(a)
	cb, okB := datakitCanonical(b)
	if !okA || !okB {
		x, y := datakitAPIConfig(a), datakitAPIConfig(b)
		return reflect.DeepEqual(jsonCopy(x), jsonCopy(y))
	}
	return reflect.DeepEqual(ca, cb)
}

// renderDatakitConfig sets the config of a plugin read from the API to what the state holds:
// the prior (planned or stored) config when it means the same, so neither a default the
// server filled in nor the shape of a node shows as a change; otherwise the server's config
// without the fields that only repeat a default, each node in the shape the prior config
// used for it (after an import, when there is none: keyed if the import id said so, else flat).
func renderDatakitConfig(entity, prior map[string]any, hints map[string]string) {
	server, _ := entity["config"].(map[string]any)
	if server == nil {
		return
	}
	priorCfg, _ := prior["config"].(map[string]any)
	if priorCfg != nil && sameDatakitConfig(priorCfg, server) {
		entity["config"] = priorCfg
		return
	}
	out := minimalDatakitConfig(server)
	keyed := map[string]bool{}
	var keyedAt []bool
	if list, ok := priorCfg["nodes"].([]any); ok {
		for _, n := range list {
			isKeyed := nodeTypeKey(n) != ""
			keyedAt = append(keyedAt, isKeyed)
			if flat, ok := flatNode(n).(map[string]any); ok {
				if name, ok := flat["name"].(string); ok {
					keyed[name] = isKeyed
				}
			}
		}
	}
	if nodes, ok := out["nodes"].([]any); ok {
		for i, n := range nodes {
			m, _ := n.(map[string]any)
			name, _ := m["name"].(string)
			isKeyed, known := keyed[name]
			if !known && i < len(keyedAt) {
				isKeyed = keyedAt[i]
			}
			if !known && i >= len(keyedAt) {
				isKeyed = len(keyedAt) == 0 && hints[nodesShapeHint] == "keyed"
			}
			if isKeyed {
				nodes[i] = keyedNode(n)
			}
		}
	}
	entity["config"] = out
}

// minimalDatakitConfig is a config without the fields whose value is the default: each field
// is left out when the config still means the same without it.
func minimalDatakitConfig(cfg map[string]any) map[string]any {
	out, _ := jsonCopy(cfg).(map[string]any)
	if out == nil {
		return map[string]any{}
	}
	dropNulls(out)
	want, ok := datakitCanonical(out)
	if !ok {
		return out
	}
	same := func() bool {
		got, ok := datakitCanonical(out)
		return ok && reflect.DeepEqual(got, want)
	}
	var prune func(m map[string]any, isNode, isRoot bool)
	prune = func(m map[string]any, isNode, isRoot bool) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if isNode && (k == "name" || k == "type") {
				continue
			}
			v := m[k]
			delete(m, k)
			if same() {
				continue
			}
			m[k] = v
			switch x := v.(type) {
			case map[string]any:
				prune(x, false, false)
				if len(x) == 0 {
					delete(m, k)
					if !same() {
						m[k] = x
					}
				}
			case []any:
				if isRoot && k == "nodes" {
					for _, n := range x {
						if node, ok := n.(map[string]any); ok {
							prune(node, true, false)
						}
					}
				}
			}
		}
	}
	prune(out, false, true)
	return out
}

// jsonCopy deep-copies a JSON value through encoding/json: numbers become float64.
func jsonCopy(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("provider: a JSON value does not encode: %v", err))
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("provider: a JSON value does not decode: %v", err))
	}
	return out
}
