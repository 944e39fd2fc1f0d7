package declarative

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Kong's error code and name for a declarative configuration it refuses.
const (
	ErrorCode = 14
	ErrorName = "invalid declarative configuration"
)

// Error is a declarative configuration that was refused: what is wrong with the file as a
// whole or with its top-level keys, and what is wrong with each entity.
type Error struct {
	parse    bool // the file could not be read at all
	top      []problemAt
	Entities []*EntityError
}

// problemAt is a message at a path of the file ("_format_version", or "services", 2).
type problemAt struct {
	path    []any
	message string
}

// EntityError is what is wrong with one entity, as an entry of Kong's flattened errors.
type EntityError struct {
	Type   string         // Kong's singular entity type: "service", "keyauth_credential"
	Name   string         // the entity's name, when it has one
	ID     string         // the entity's id, when the file gives a valid one
	Tags   []string       // the entity's tags, when they are all strings
	Entity map[string]any // the entity as the file gives it, without the entities nested in it
	Errors []Problem
	path   []any // where it is in the file: "services", 0, "routes", 1
}

// Problem is one error of an entity: of a field (Field set, Kong's dotted path with 1-based
// positions: "config.key_names.1") or of the entity as a whole.
type Problem struct {
	Type    string `json:"type"` // "field" or "entity"
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// unreadable tells a file that could not be decoded; Kong never flattens that error.
func (e *Error) unreadable() bool { return e.parse }

func (e *Error) empty() bool { return len(e.top) == 0 && len(e.Entities) == 0 }

// addTop records a problem of the file at path.
func (e *Error) addTop(message string, path ...any) {
	e.top = append(e.top, problemAt{path: path, message: message})
}

// Error lists every problem, one a line, naming each entity and field.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(ErrorName)
	for _, p := range e.top {
		b.WriteString("\n  " + pathString(p.path) + ": " + p.message)
	}
	for _, ee := range e.Entities {
		what := ee.Type
		if label := ee.label(); label != "" {
			what += " '" + label + "'"
		}
		what += " (" + pathString(ee.path) + ")"
		for _, p := range ee.Errors {
			if p.Type == "entity" {
				b.WriteString("\n  " + what + ": " + p.Message)
			} else {
				b.WriteString("\n  " + what + ": " + p.Field + ": " + p.Message)
			}
		}
	}
	return b.String()
}

// label is what names the entity in a message: its name, or the field that identifies
// entities without one (never a secret such as a key-auth key).
func (ee *EntityError) label() string {
	if ee.Name != "" {
		return ee.Name
	}
	for _, f := range []string{"username", "custom_id", "target", "prefix", "group"} {
		if v, ok := ee.Entity[f].(string); ok && v != "" {
			return v
		}
	}
	return ""
}

// pathString writes a path of the file as services[0].routes[1].
func pathString(path []any) string {
	var b strings.Builder
	for _, seg := range path {
		switch s := seg.(type) {
		case int:
			b.WriteString("[" + strconv.Itoa(s) + "]")
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, s)
		}
	}
	return b.String()
}

// Body is Kong's answer to a refused configuration: code 14 with the errors as a tree shaped
// like the file under "fields", or with flatten (POST /config?flatten_errors=1) each entity's
// errors in "flattened_errors", leaving in "fields" only what belongs to no entity.
func (e *Error) Body(flatten bool) map[string]any {
	tree := map[any]any{}
	for _, p := range e.top {
		put(tree, p.path, p.message)
	}
	if !flatten {
		for _, ee := range e.Entities {
			for _, p := range ee.Errors {
				path := append([]any(nil), ee.path...)
				if p.Type == "entity" {
					path = append(path, "@entity")
				} else {
					path = append(path, fieldPath(p.Field)...)
				}
				put(tree, path, p.Message)
			}
		}
	}
	body := map[string]any{
		"code":    ErrorCode,
		"name":    ErrorName,
		"message": "declarative config is invalid: " + luaPretty(tree),
		"fields":  jsonTree(tree),
	}
	if flatten {
		flat := make([]any, 0, len(e.Entities))
		for _, ee := range e.Entities {
			entry := map[string]any{"entity_type": ee.Type, "entity": ee.Entity, "errors": ee.Errors}
			if ee.Name != "" {
				entry["entity_name"] = ee.Name
			}
			if ee.ID != "" {
				entry["entity_id"] = ee.ID
			}
			if ee.Tags != nil {
				entry["entity_tags"] = ee.Tags
			}
			flat = append(flat, entry)
		}
		body["flattened_errors"] = flat
	}
	return body
}

// fieldPath splits a dotted field into the tree's keys, positions as 1-based ints.
func fieldPath(field string) []any {
	var out []any
	for _, part := range strings.Split(field, ".") {
		if n, err := strconv.Atoi(part); err == nil {
			out = append(out, n-1)
		} else {
			out = append(out, part)
		}
	}
	return out
}

// put sets message at path in a tree whose positions are kept 1-based, as Lua tables are.
// "@entity" keys hold lists; another message for a field already set is dropped (Kong keeps
// one message per field).
func put(tree map[any]any, path []any, message string) {
	node := tree
	for i, seg := range path {
		key := seg
		if n, ok := seg.(int); ok {
			key = n + 1
		}
		if i == len(path)-1 {
			if key == "@entity" {
				list, _ := node[key].([]string)
				node[key] = append(list, message)
			} else if _, set := node[key]; !set {
				node[key] = message
			}
			return
		}
		next, ok := node[key].(map[any]any)
		if !ok {
			if _, set := node[key]; set {
				return // a message already stands for the whole value
			}
			next = map[any]any{}
			node[key] = next
		}
		node = next
	}
}

// jsonTree turns the tree into JSON values: tables with integer keys become arrays with null
// in the gaps, as Kong's JSON encoder writes them.
func jsonTree(v any) any {
	switch t := v.(type) {
	case map[any]any:
		if n, ok := arrayLen(t); ok {
			out := make([]any, n)
			for k, x := range t {
				out[k.(int)-1] = jsonTree(x)
			}
			return out
		}
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[fmt.Sprint(k)] = jsonTree(x)
		}
		return out
	default:
		return v
	}
}

// arrayLen is the largest integer key when every key of a non-empty table is an integer.
func arrayLen(t map[any]any) (int, bool) {
	n := 0
	for k := range t {
		i, ok := k.(int)
		if !ok {
			return 0, false
		}
		n = max(n, i)
	}
	return n, n > 0
}

// luaPretty writes the tree as Penlight's pretty.write does on one line, which is how Kong
// words the message: {services={{host="required field missing"}}}, keys in sorted order,
// a gap in a list written as [n]=.
func luaPretty(v any) string {
	switch t := v.(type) {
	case map[any]any:
		var parts []string
		seq := 0
		for {
			x, ok := t[seq+1]
			if !ok {
				break
			}
			seq++
			parts = append(parts, luaPretty(x))
		}
		keys := make([]any, 0, len(t))
		for k := range t {
			if i, ok := k.(int); ok && i <= seq {
				continue
			}
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		for _, k := range keys {
			parts = append(parts, luaKey(k)+"="+luaPretty(t[k]))
		}
		return "{" + strings.Join(parts, ",") + "}"
	case []string:
		parts := make([]string, len(t))
		for i, s := range t {
			parts[i] = luaString(s)
		}
		return "{" + strings.Join(parts, ",") + "}"
	case string:
		return luaString(t)
	default:
		return fmt.Sprint(t)
	}
}

func luaKey(k any) string {
	switch t := k.(type) {
	case int:
		return "[" + strconv.Itoa(t) + "]"
	case string:
		if isLuaName(t) {
			return t
		}
		return "[" + luaString(t) + "]"
	}
	return fmt.Sprint(k)
}

func isLuaName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for _, r := range s {
		if r != '_' && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

func luaString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}
