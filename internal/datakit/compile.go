// Package datakit is Kong's Datakit plugin (Kong Gateway 3.11–3.14 behaviour) as a
// self-contained engine: Compile checks a plugin config as Kong does when the plugin is
// written and turns it into a Flow; a Flow runs against one request in two phases, before
// proxying (Run.Access) and on the upstream's answer (Run.Response). What the gateway
// supplies (the request, the upstream request and response to change, properties, HTTP
// transports, caches, vault) comes through the small interfaces of env.go.
package datakit

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// ConfigError is a config Kong refuses when the plugin is written (the emulator answers 400).
// Index and Node say which node (Index -1 when the error is not about one node), Field which
// of its fields ("jq", "inputs.headers", "resources.cache.strategy", ...).
type ConfigError struct {
	Index   int
	Node    string
	Field   string
	Message string
}

func (e *ConfigError) Error() string {
	switch {
	case e.Index < 0 && e.Field == "":
		return e.Message
	case e.Index < 0:
		return fmt.Sprintf("%s: %s", e.Field, e.Message)
	case e.Field == "":
		return fmt.Sprintf("node #%d (%s): %s", e.Index+1, e.Node, e.Message)
	}
	return fmt.Sprintf("node #%d (%s): %s: %s", e.Index+1, e.Node, e.Field, e.Message)
}

// Flow is a compiled Datakit config, shared by every request (it holds no per-request state).
type Flow struct {
	debug      bool
	nodes      []*node // the config's nodes in order, then the implicit ones
	nUser      int
	cache      cacheConfig
	vault      map[string]string
	normalized map[string]any

	slots []map[string]*conn // per node: its connected input ports ("" = node-wise)
	deps  [][]int            // per user node: the user nodes it waits for (data and branch)
	// branchOf[i] is the branch node controlling node i (-1: none) and branchSide the list
	// (true: then) it is on.
	branchOf   []int
	branchSide []bool
	inResponse []bool // per user node: runs after the upstream answered
	usesInput  []map[string]bool
}

type cacheConfig struct {
	strategy   string // "" when resources.cache is not set
	dictionary string
	redis      RedisConfig
}

type node struct {
	index    int
	name     string
	typ      string
	cfg      map[string]any
	in, out  ports
	implicit bool
	exec     executor
}

func (n *node) label() string {
	if n.implicit {
		return "node " + n.name
	}
	return fmt.Sprintf("node #%d (%s)", n.index+1, n.name)
}

// endpoint is one side of a connection; field "" is the node-wise ($self) port.
type endpoint struct {
	node  int
	field string
}

type conn struct {
	from, to endpoint
	// spread: a node-wise connection into an object input whose value is only known at run
	// time (any -> object): its fields are taken from the value.
	spread bool
}

var nameRe = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// Debug is config.debug: failing nodes are named in the client's 500.
func (f *Flow) Debug() bool { return f.debug }

// Normalized is the config with Kong's defaults filled in (as the Admin API returns it).
func (f *Flow) Normalized() map[string]any { return f.normalized }

// UsesServiceResponse is true when nodes read service_response or write response: the
// gateway must then buffer the upstream's answer and call Run.Response.
func (f *Flow) UsesServiceResponse() bool {
	return slices.Contains(f.inResponse, true) || len(f.slots[f.implicit(nodeResponse)]) > 0
}

// UsesRequestBody is true when the flow reads request.body.
func (f *Flow) UsesRequestBody() bool {
	u := f.usesInput[f.implicit(nodeRequest)]
	return u["body"] || u[""]
}

func (f *Flow) implicit(name string) int { return f.nUser + slices.Index(implicitNames, name) }

// Compile checks a Datakit plugin config (config.debug, config.nodes, config.resources) as
// Kong does and compiles it. The config is JSON-like (as decoded by encoding/json). Every
// refusal is a *ConfigError.
func Compile(config map[string]any) (*Flow, error) {
	cfg, err := normalizeJSON(config)
	if err != nil {
		return nil, &ConfigError{Index: -1, Message: "config is not JSON: " + err.Error()}
	}
	root, _ := cfg.(map[string]any)
	if root == nil {
		root = map[string]any{}
	}
	f := &Flow{normalized: root}
	for k := range root {
		if k != "debug" && k != "nodes" && k != "resources" {
			return nil, &ConfigError{Index: -1, Field: k, Message: "unknown field"}
		}
	}
	switch d := root["debug"].(type) {
	case nil:
		root["debug"] = false
	case bool:
		f.debug = d
	default:
		return nil, &ConfigError{Index: -1, Field: "debug", Message: "expected a boolean"}
	}
	if err := f.compileResources(root); err != nil {
		return nil, err
	}
	list, ok := root["nodes"].([]any)
	switch {
	case root["nodes"] == nil:
		return nil, &ConfigError{Index: -1, Field: "nodes", Message: "required field missing"}
	case !ok:
		return nil, &ConfigError{Index: -1, Field: "nodes", Message: "expected an array"}
	case len(list) < 1 || len(list) > 64:
		return nil, &ConfigError{Index: -1, Field: "nodes", Message: "length must be between 1 and 64"}
	}
	seen := map[string]int{}
	for i, raw := range list {
		n, err := parseNode(i, raw)
		if err != nil {
			return nil, err
		}
		if j, dup := seen[n.name]; dup {
			return nil, &ConfigError{Index: i, Node: n.name, Field: "name", Message: fmt.Sprintf("duplicate node name (also node #%d)", j+1)}
		}
		seen[n.name] = i
		f.nodes = append(f.nodes, n)
	}
	f.nUser = len(f.nodes)
	for _, name := range implicitNames {
		n := &node{index: len(f.nodes), name: name, typ: name, implicit: true, in: nodeInputs[name], out: nodeOutputs[name]}
		if name == nodeVault {
			n.out = ports{self: tObject, fields: map[string]kind{}}
			for k := range f.vault {
				n.out.fields[k] = tString
			}
		}
		f.nodes = append(f.nodes, n)
	}
	if err := f.connect(); err != nil {
		return nil, err
	}
	if err := f.order(); err != nil {
		return nil, err
	}
	for _, n := range f.nodes[:f.nUser] {
		ex, err := newExecutor(f, n)
		if err != nil {
			return nil, err
		}
		n.exec = ex
	}
	return f, nil
}

// parseNode checks one node's fields against its type and fills its defaults.
func parseNode(i int, raw any) (*node, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, &ConfigError{Index: i, Message: "expected an object"}
	}
	n := &node{index: i, cfg: m}
	name, _ := m["name"].(string)
	n.name = name
	fail := func(field, msg string, args ...any) error {
		return &ConfigError{Index: i, Node: n.name, Field: field, Message: fmt.Sprintf(msg, args...)}
	}
	switch v := m["name"].(type) {
	case nil:
		return nil, fail("name", "required field missing")
	case string:
		switch {
		case len(v) < 1 || len(v) > 255:
			return nil, fail("name", "length must be between 1 and 255")
		case !nameRe.MatchString(v):
			return nil, fail("name", "invalid name %q: use letters, digits, '_' and '-' (snake_case or kebab-case)", v)
		case slices.Contains(implicitNames, v):
			return nil, fail("name", "%q is a reserved name (an implicit node)", v)
		}
	default:
		return nil, fail("name", "expected a string")
	}
	typ, ok := m["type"].(string)
	if !ok {
		if m["type"] == nil {
			return nil, fail("type", "required field missing")
		}
		return nil, fail("type", "expected a string")
	}
	fields, ok := nodeFields[typ]
	if !ok {
		return nil, fail("type", "unknown node type %q (expected one of %s)", typ, strings.Join(sortedKeys(nodeFields), ", "))
	}
	n.typ = typ
	n.in, n.out = nodeInputs[typ], nodeOutputs[typ]
	for _, k := range sortedKeys(m) {
		if k == "name" || k == "type" {
			continue
		}
		spec, ok := fields[k]
		if !ok {
			var owners []string
			for t, fs := range nodeFields {
				if _, has := fs[k]; has {
					owners = append(owners, t)
				}
			}
			if len(owners) > 0 && m[k] == nil {
				continue // null: a field of another node type, as a form of every node type may send it
			}
			if len(owners) > 0 {
				sort.Strings(owners)
				return nil, fail(k, "unknown field for a %s node (it belongs to %s nodes)", typ, strings.Join(owners, ", "))
			}
			return nil, fail(k, "unknown field")
		}
		if m[k] == nil {
			continue
		}
		if msg := checkField(spec, m[k]); msg != "" {
			return nil, fail(k, "%s", msg)
		}
	}
	if err := fillDefaults(fields, m, func(k string) error { return fail(k, "required field missing") }); err != nil {
		return nil, err
	}
	if typ == "static" {
		n.out = ports{self: tObject, fields: map[string]kind{}}
		for k, v := range m["values"].(map[string]any) {
			n.out.fields[k] = kindOf(v)
		}
	}
	return n, nil
}

func fillDefaults(fields map[string]fieldSpec, m map[string]any, missing func(string) error) error {
	for _, k := range sortedKeys(fields) {
		spec := fields[k]
		if m[k] != nil {
			continue
		}
		if spec.required {
			return missing(k)
		}
		if spec.def != nil {
			m[k] = cloneJSON(spec.def)
		}
	}
	return nil
}

// checkField returns why v does not fit spec ("" when it does).
func checkField(spec fieldSpec, v any) string {
	switch spec.kind {
	case kString, kRef:
		s, ok := v.(string)
		if !ok {
			return "expected a string"
		}
		if spec.hasRange && (int64(len(s)) < spec.min || int64(len(s)) > spec.max) {
			return fmt.Sprintf("length must be between %d and %d", spec.min, spec.max)
		}
		if spec.enum != nil && !slices.Contains(spec.enum, s) {
			return "expected one of: " + strings.Join(spec.enum, ", ")
		}
		if spec.kind == kRef {
			if node, _, _ := strings.Cut(s, "."); node == "" {
				return fmt.Sprintf("invalid connection label %q", s)
			}
		}
	case kInt:
		x, ok := v.(float64)
		if !ok || x != math.Trunc(x) {
			return "expected an integer"
		}
		if spec.hasRange && (x < float64(spec.min) || x > float64(spec.max)) {
			return fmt.Sprintf("value should be between %d and %d", spec.min, spec.max)
		}
	case kBool:
		if _, ok := v.(bool); !ok {
			return "expected a boolean"
		}
	case kStringList:
		a, ok := v.([]any)
		if !ok {
			return "expected an array"
		}
		if spec.hasRange && (int64(len(a)) < spec.min || int64(len(a)) > spec.max) {
			return fmt.Sprintf("length must be between %d and %d", spec.min, spec.max)
		}
		for _, e := range a {
			s, ok := e.(string)
			if !ok {
				return "expected an array of strings"
			}
			if spec.enum != nil && !slices.Contains(spec.enum, s) {
				return fmt.Sprintf("%q: expected one of: %s", s, strings.Join(spec.enum, ", "))
			}
		}
	case kStringMap:
		m, ok := v.(map[string]any)
		if !ok {
			return "expected an object"
		}
		for k, e := range m {
			if _, ok := e.(string); !ok {
				return fmt.Sprintf("%s: expected a string", k)
			}
		}
	case kObject:
		if _, ok := v.(map[string]any); !ok {
			return "expected an object"
		}
	case kRefMap:
		m, ok := v.(map[string]any)
		if !ok {
			return "expected an object"
		}
		for _, k := range sortedKeys(m) {
			if spec.names != nil && !slices.Contains(spec.names, k) {
				return fmt.Sprintf("%s: unknown field (expected one of: %s)", k, strings.Join(spec.names, ", "))
			}
			if m[k] == nil {
				continue
			}
			if msg := checkField(ref, m[k]); msg != "" {
				return k + ": " + msg
			}
		}
	case kAnyValue:
	}
	return ""
}

func (f *Flow) compileResources(root map[string]any) error {
	raw, ok := root["resources"]
	if !ok || raw == nil {
		return nil
	}
	res, ok := raw.(map[string]any)
	if !ok {
		return &ConfigError{Index: -1, Field: "resources", Message: "expected an object"}
	}
	for _, k := range sortedKeys(res) {
		switch k {
		case "cache":
			if err := f.compileCache(res[k]); err != nil {
				return err
			}
		case "vault":
			if res[k] == nil {
				continue
			}
			v, ok := res[k].(map[string]any)
			if !ok {
				return &ConfigError{Index: -1, Field: "resources.vault", Message: "expected an object"}
			}
			if len(v) < 1 || len(v) > 64 {
				return &ConfigError{Index: -1, Field: "resources.vault", Message: "length must be between 1 and 64"}
			}
			f.vault = map[string]string{}
			for name, r := range v {
				s, ok := r.(string)
				if !ok || len(s) < 1 || len(s) > 4095 {
					return &ConfigError{Index: -1, Field: "resources.vault." + name, Message: "expected a string of 1 to 4095 characters"}
				}
				if !strings.HasPrefix(s, "{vault://") || !strings.HasSuffix(s, "}") {
					return &ConfigError{Index: -1, Field: "resources.vault." + name, Message: "expected a vault reference like {vault://env/my-secret}"}
				}
				f.vault[name] = s
			}
		default:
			return &ConfigError{Index: -1, Field: "resources." + k, Message: "unknown field"}
		}
	}
	return nil
}

func (f *Flow) compileCache(raw any) error {
	if raw == nil {
		return nil
	}
	c, ok := raw.(map[string]any)
	if !ok {
		return &ConfigError{Index: -1, Field: "resources.cache", Message: "expected an object"}
	}
	fail := func(field, msg string) error {
		return &ConfigError{Index: -1, Field: "resources.cache." + field, Message: msg}
	}
	for _, k := range sortedKeys(c) {
		if k != "strategy" && k != "memory" && k != "redis" {
			return fail(k, "unknown field")
		}
	}
	mem, _ := c["memory"].(map[string]any)
	if c["memory"] != nil && mem == nil {
		return fail("memory", "expected an object")
	}
	if mem == nil {
		mem = map[string]any{}
		c["memory"] = mem
	}
	for k, v := range mem {
		if k != "dictionary_name" {
			return fail("memory."+k, "unknown field")
		}
		if _, ok := v.(string); !ok && v != nil {
			return fail("memory."+k, "expected a string")
		}
	}
	if mem["dictionary_name"] == nil {
		mem["dictionary_name"] = "kong_db_cache"
	}
	rd, _ := c["redis"].(map[string]any)
	if c["redis"] != nil && rd == nil {
		return fail("redis", "expected an object")
	}
	if rd == nil {
		rd = map[string]any{}
		c["redis"] = rd
	}
	for _, k := range sortedKeys(rd) {
		spec, ok := redisFields[k]
		if !ok {
			return fail("redis."+k, "unknown field")
		}
		if rd[k] != nil {
			if msg := checkField(spec, rd[k]); msg != "" {
				return fail("redis."+k, msg)
			}
		}
	}
	_ = fillDefaults(redisFields, rd, nil)
	switch s := c["strategy"].(type) {
	case nil:
		f.cache.strategy = "memory"
	case string:
		if s != "memory" && s != "redis" {
			return fail("strategy", "expected one of: memory, redis")
		}
		f.cache.strategy = s
	default:
		return fail("strategy", "expected a string")
	}
	f.cache.dictionary = mem["dictionary_name"].(string)
	ms := func(k string) time.Duration { return time.Duration(rd[k].(float64)) * time.Millisecond }
	f.cache.redis = RedisConfig{
		Host: rd["host"].(string), Port: int(rd["port"].(float64)), Database: int(rd["database"].(float64)),
		SSL: rd["ssl"].(bool), SSLVerify: rd["ssl_verify"].(bool),
		ConnectTimeout: ms("connect_timeout"), ReadTimeout: ms("read_timeout"), SendTimeout: ms("send_timeout"),
	}
	f.cache.redis.Username, _ = rd["username"].(string)
	f.cache.redis.Password, _ = rd["password"].(string)
	f.cache.redis.ServerName, _ = rd["server_name"].(string)
	return nil
}

// kindOf is the Datakit type of a static value.
func kindOf(v any) kind {
	switch v.(type) {
	case map[string]any:
		return tMap
	case string:
		return tString
	case float64:
		return tNumber
	case bool:
		return tBool
	}
	return tAny
}

// normalizeJSON deep-copies v through encoding/json so that numbers are float64, objects
// map[string]any and arrays []any, whatever Go types the caller used.
func normalizeJSON(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return decodeJSON(b)
}

func cloneJSON(v any) any {
	c, err := normalizeJSON(v)
	if err != nil {
		return v
	}
	return c
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
