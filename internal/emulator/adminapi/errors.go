package adminapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
)

// Kong's Admin API error codes (kong/db/errors.lua).
const (
	codeSchemaViolation       = 2
	codePrimaryKeyViolation   = 3
	codeForeignKeyViolation   = 4
	codeUniqueViolation       = 5
	codeInvalidOffset         = 7
	codeInvalidSize           = 9
	codeForeignKeysUnresolved = 13
)

var errorNames = map[int]string{
	codeSchemaViolation:       "schema violation",
	codePrimaryKeyViolation:   "primary key violation",
	codeForeignKeyViolation:   "foreign key violation",
	codeUniqueViolation:       "unique constraint violation",
	codeInvalidOffset:         "invalid offset",
	codeInvalidSize:           "invalid size",
	codeForeignKeysUnresolved: "foreign keys unresolved",
}

// kongError is an Admin API error answer: {code, name, message, fields} or just {message}.
type kongError struct {
	status  int
	code    int
	message string
	fields  any
}

func (e *kongError) Error() string { return fmt.Sprintf("%d %s", e.status, e.message) }

// kongErrorBody keeps Kong's order of the fields: code, name, message, fields.
type kongErrorBody struct {
	Code    int    `json:"code,omitempty"`
	Name    string `json:"name,omitempty"`
	Message string `json:"message"`
	Fields  any    `json:"fields,omitempty"`
}

func (e *kongError) body() kongErrorBody {
	if e.code == 0 {
		return kongErrorBody{Message: e.message}
	}
	return kongErrorBody{Code: e.code, Name: errorNames[e.code], Message: e.message, Fields: e.fields}
}

func messageError(status int, message string) *kongError {
	return &kongError{status: status, message: message}
}

var notFound = messageError(http.StatusNotFound, "Not found")

// tableNames are the names Kong's messages give kinds whose store name differs (its tables).
var tableNames = map[string]string{
	domain.KeyAuth.Name:   "keyauth_credentials",
	domain.BasicAuth.Name: "basicauth_credentials",
	domain.JWT.Name:       "jwt_secrets",
	domain.HMACAuth.Name:  "hmacauth_credentials",
	domain.KeySets.Name:   "key_sets",
}

func tableName(kind string) string {
	if t, ok := tableNames[kind]; ok {
		return t
	}
	return kind
}

// renderError turns a domain error into Kong's answer. e is the entity that was written, with
// its references resolved, to name the values of a compound unique key.
func renderError(err error, e domain.Entity) (*kongError, bool) {
	var (
		ke *kongError
		nf *domain.NotFound
		uv *domain.UniqueViolation
		fk *domain.ForeignKeyViolation
		sv *domain.SchemaViolation
	)
	switch {
	case errors.As(err, &ke):
		return ke, true
	case errors.As(err, &nf):
		return notFound, true
	case errors.As(err, &uv):
		return uniqueError(uv, e), true
	case errors.As(err, &fk) && fk.ReferencedBy != "":
		return &kongError{status: http.StatusBadRequest, code: codeForeignKeyViolation,
			message: fmt.Sprintf("an existing '%s' entity references this '%s' entity", tableName(fk.ReferencedBy), tableName(fk.Kind)),
			fields:  map[string]any{"@referenced_by": tableName(fk.ReferencedBy)}}, true
	case errors.As(err, &fk) && fk.Key != "":
		key := fmt.Sprintf("{%s=%q}", fk.Key, fk.Value)
		msg := fmt.Sprintf("the foreign key cannot be resolved with '%s' for an existing '%s' entity", key, tableName(fk.Target))
		return &kongError{status: http.StatusBadRequest, code: codeForeignKeysUnresolved,
			message: fmt.Sprintf("foreign key unresolved (%s.%s: %s)", fk.Field, fk.Key, msg),
			fields:  map[string]any{fk.Field: map[string]any{fk.Key: msg}}}, true
	case errors.As(err, &fk):
		return &kongError{status: http.StatusBadRequest, code: codeForeignKeyViolation,
			message: fmt.Sprintf("the foreign key '{id=%q}' does not reference an existing '%s' entity.", fk.Value, tableName(fk.Target)),
			fields:  map[string]any{fk.Field: map[string]any{"id": fk.Value}}}, true
	case errors.As(err, &sv):
		return schemaError(sv.Fields), true
	}
	return nil, false
}

// uniqueError names every field of the unique key that clashed, with its value, in Kong's
// Lua-table style with sorted keys: '{consumer=null,name="key-auth",route=null,service={id="..."}}'.
func uniqueError(uv *domain.UniqueViolation, e domain.Entity) *kongError {
	if uv.Field == "id" {
		return &kongError{status: http.StatusBadRequest, code: codePrimaryKeyViolation,
			message: fmt.Sprintf("primary key violation on key '{id=%q}'", uv.Value),
			fields:  map[string]any{"id": uv.Value}}
	}
	fields := []string{uv.Field}
	if k, ok := domain.ByName(uv.Kind); ok {
		for _, u := range k.Unique {
			if u.Report == uv.Field {
				fields = u.Fields
			}
		}
	}
	sort.Strings(fields)
	values := map[string]any{}
	parts := make([]string, 0, len(fields))
	for _, f := range fields {
		v := e[f]
		if len(fields) == 1 && v == nil {
			v = uv.Value
		}
		if id := domain.RefID(v); id != "" {
			v = map[string]any{"id": id}
		}
		values[f] = v
		parts = append(parts, f+"="+luaValue(v))
	}
	return &kongError{status: http.StatusConflict, code: codeUniqueViolation,
		message: "UNIQUE violation detected on '{" + strings.Join(parts, ",") + "}'", fields: values}
}

// luaValue writes a value as Kong's error messages print Lua tables.
func luaValue(v any) string {
	switch tv := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(tv)
	case map[string]any:
		keys := make([]string, 0, len(tv))
		for k := range tv {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, k+"="+luaValue(tv[k]))
		}
		return "{" + strings.Join(parts, ",") + "}"
	default:
		return fmt.Sprint(tv)
	}
}

// schemaError is code 2 with Kong's message and nested fields: "@entity" errors first, then
// fields in sorted order; positions are written from 1 ("paths.1").
func schemaError(errs []domain.FieldError) *kongError {
	var entity []string
	type fieldMsg struct{ path, msg string }
	var fields []fieldMsg
	tree := map[string]any{}
	for _, f := range errs {
		if f.Field == "" {
			entity = append(entity, f.Message)
			continue
		}
		parts := kongPath(f.Field)
		fields = append(fields, fieldMsg{strings.Join(parts, "."), f.Message})
		setError(tree, parts, f.Message)
	}
	sort.SliceStable(fields, func(i, j int) bool { return fields[i].path < fields[j].path })
	msgs := append([]string{}, entity...)
	for _, f := range fields {
		msgs = append(msgs, f.path+": "+f.msg)
	}
	for k := range tree {
		arrayify(tree, k)
	}
	if len(entity) > 0 {
		list := make([]any, len(entity))
		for i, m := range entity {
			list[i] = m
		}
		tree["@entity"] = list
	}
	message := "schema violation (" + strings.Join(msgs, "; ") + ")"
	if len(msgs) > 1 {
		message = strconv.Itoa(len(msgs)) + " schema violations (" + strings.Join(msgs, "; ") + ")"
	}
	return &kongError{status: http.StatusBadRequest, code: codeSchemaViolation, message: message, fields: tree}
}

// kongPath splits a domain field path ("config.key_names[0]") into Kong's steps
// ("config", "key_names", "1").
func kongPath(field string) []string {
	var out []string
	for _, part := range strings.Split(field, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if name != "" {
			out = append(out, name)
		}
		for rest != "" {
			inner, after, _ := strings.Cut(rest, "]")
			if n, err := strconv.Atoi(inner); err == nil {
				out = append(out, strconv.Itoa(n+1))
			} else {
				out = append(out, inner)
			}
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return out
}

// setError places a message in the fields tree; a position makes a list (holes are null), as
// Kong's JSON encoder writes a Lua array.
func setError(tree map[string]any, path []string, msg string) {
	if len(path) == 1 {
		tree[path[0]] = msg
		return
	}
	next, _ := tree[path[0]].(map[string]any)
	if next == nil {
		next = map[string]any{}
	}
	setError(next, path[1:], msg)
	tree[path[0]] = next
}

// arrayify turns, at every level, a map whose keys are all positions into a list.
func arrayify(tree map[string]any, key string) {
	m, ok := tree[key].(map[string]any)
	if !ok || len(m) == 0 {
		return
	}
	for k := range m {
		arrayify(m, k)
	}
	highest := 0
	for k := range m {
		n, err := strconv.Atoi(k)
		if err != nil || n < 1 {
			return
		}
		highest = max(highest, n)
	}
	list := make([]any, highest)
	for k, v := range m {
		n, _ := strconv.Atoi(k)
		list[n-1] = v
	}
	tree[key] = list
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // Kong writes <, > and & as they are
	_ = enc.Encode(v)
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeError(w http.ResponseWriter, e *kongError) { writeJSON(w, e.status, e.body()) }
