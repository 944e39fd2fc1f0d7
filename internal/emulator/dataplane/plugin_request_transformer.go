package dataplane

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"sort"
	"strconv"
	"strings"
)

// request-transformer: rewrites the upstream request's method, path, headers, body and query
// string in Kong's order (uri, method, headers, body, query string; inside each remove, rename,
// replace, add, append). Values are Kong templates such as $(headers.x_id).
//
// The helpers below the plugin (config entries, Lua-like values, args and JSON codecs,
// templates) are shared with response-transformer and request-termination.

func init() { Register("request-transformer", newRequestTransformer) }

// templatedEntry is one "name:value" entry whose value is a template.
type templatedEntry struct {
	name  string
	value *template // nil when the entry has no value
}

// requestParts is one operation's entries for each part of the request.
type requestParts struct {
	headers, querystring, body []templatedEntry
}

type requestTransformer struct {
	method                               string
	uri                                  *template // replace.uri; nil when unset
	remove, rename, replace, add, append requestParts
}

func newRequestTransformer(c, _ Entity) (Handler, error) {
	rt := &requestTransformer{method: Str(c, "http_method")}
	parts := func(op string) requestParts {
		r, _ := c[op].(map[string]any)
		return requestParts{headers: templatedEntries(Strings(r, "headers")),
			querystring: templatedEntries(Strings(r, "querystring")), body: templatedEntries(Strings(r, "body"))}
	}
	rt.remove, rt.rename, rt.replace, rt.add, rt.append = parts("remove"), parts("rename"), parts("replace"), parts("add"), parts("append")
	if replace, _ := c["replace"].(map[string]any); Str(replace, "uri") != "" {
		rt.uri = compileTemplate(Str(replace, "uri"))
	}
	return rt, nil
}

func templatedEntries(list []string) []templatedEntry {
	out := make([]templatedEntry, 0, len(list))
	for _, s := range list {
		name, value, ok := splitEntry(s)
		if !ok {
			continue
		}
		e := templatedEntry{name: name}
		if value != "" {
			e.value = compileTemplate(value)
		}
		out = append(out, e)
	}
	return out
}

// errTransform is a failure Kong meets as a Lua error in the plugin, answered with a 500.
var errTransform = errors.New("request-transformer")

func (rt *requestTransformer) Access(ctx *Context) {
	env := newTemplateEnv(ctx)
	if err := rt.transform(ctx, env); err != nil {
		ctx.Exit(http.StatusInternalServerError, "", nil)
	}
}

func (rt *requestTransformer) transform(ctx *Context, env *templateEnv) error {
	if rt.uri != nil {
		path, err := rt.uri.render(env)
		if err != nil {
			return err
		}
		if !strings.HasPrefix(path, "/") {
			return fmt.Errorf("%w: path must start with /: %q", errTransform, path)
		}
		setUpstreamPath(ctx, path)
	}
	if rt.method != "" {
		if err := rt.transformMethod(ctx); err != nil {
			return err
		}
	}
	if err := rt.transformHeaders(ctx, env); err != nil {
		return err
	}
	if err := rt.transformBody(ctx, env); err != nil {
		return err
	}
	return rt.transformQuery(ctx, env)
}

// upstreamMethods are the methods Kong can send upstream (kong.service.request.set_method).
var upstreamMethods = map[string]bool{"GET": true, "HEAD": true, "PUT": true, "POST": true, "DELETE": true,
	"OPTIONS": true, "MKCOL": true, "COPY": true, "MOVE": true, "PROPFIND": true, "PROPPATCH": true,
	"LOCK": true, "UNLOCK": true, "PATCH": true, "TRACE": true}

func (rt *requestTransformer) transformMethod(ctx *Context) error {
	if !upstreamMethods[rt.method] {
		return fmt.Errorf("%w: invalid method: %s", errTransform, rt.method)
	}
	req := ctx.Request
	req.Method = rt.method
	if rt.method != http.MethodGet && rt.method != http.MethodHead && rt.method != http.MethodTrace {
		return nil
	}
	if bodyKind(req.Header.Get("Content-Type")) != bodyForm {
		return nil
	}
	// Kong copies a form body into the query string (and leaves the body as it is).
	form := decodeArgs(string(requestBody(req)))
	if len(form) == 0 {
		return nil
	}
	query := decodeArgs(req.URL.RawQuery)
	for name, v := range form {
		if cur, ok := query[name]; ok {
			query[name] = append(luaList(cur), luaList(v)...)
		} else {
			query[name] = v
		}
	}
	req.URL.RawQuery = encodeArgs(query)
	return nil
}

// luaList is a query or form value as a list of its values.
func luaList(v any) []any {
	if list, ok := v.([]any); ok {
		return list
	}
	return []any{v}
}

func (rt *requestTransformer) transformHeaders(ctx *Context, env *templateEnv) error {
	req := ctx.Request
	// Changes go to a copy, applied at the end as Kong does, so that templates read the
	// request's headers as they were.
	h := req.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	host, hostSet := "", false
	for _, e := range rt.remove.headers {
		h.Del(e.name)
	}
	for _, e := range rt.rename.headers {
		newName, err := e.render(env)
		if err != nil {
			return err
		}
		if newName == "" || strings.EqualFold(e.name, newName) {
			continue // a change of case only: headers are case-insensitive
		}
		values := h.Values(e.name)
		if strings.EqualFold(e.name, "host") || len(values) == 0 {
			continue // Kong leaves the Host header out of the set it renames
		}
		h.Del(e.name)
		if strings.EqualFold(newName, "host") {
			host, hostSet = values[0], true
			continue
		}
		h[http.CanonicalHeaderKey(newName)] = append([]string(nil), values...)
	}
	set := func(name, value string) {
		if value == "" {
			h.Del(name) // nginx drops a request header set to an empty value
		} else {
			h.Set(name, value)
		}
	}
	for _, e := range rt.replace.headers {
		if e.value == nil {
			continue
		}
		value, err := e.render(env)
		if err != nil {
			return err
		}
		switch {
		case strings.EqualFold(e.name, "host"):
			host, hostSet = value, true // replaced whether or not the request had one
		case len(h.Values(e.name)) > 0:
			set(e.name, value)
		}
	}
	for _, e := range rt.add.headers {
		if e.value == nil {
			continue
		}
		value, err := e.render(env)
		if err != nil {
			return err
		}
		if !strings.EqualFold(e.name, "host") && len(h.Values(e.name)) == 0 {
			set(e.name, value)
		}
	}
	for _, e := range rt.append.headers {
		if e.value == nil {
			continue
		}
		value, err := e.render(env)
		if err != nil {
			return err
		}
		if strings.EqualFold(e.name, "host") {
			host, hostSet = value, true
			continue
		}
		h.Add(e.name, value)
	}
	req.Header = h
	if hostSet {
		setUpstreamHost(ctx, host)
	}
	return nil
}

// render renders the entry's value ("" without one).
func (e templatedEntry) render(env *templateEnv) (string, error) {
	if e.value == nil {
		return "", nil
	}
	return e.value.render(env)
}

// The body kinds Kong transforms, by Content-Type.
const (
	bodyOther = iota
	bodyJSON
	bodyMultipart
	bodyForm
)

// bodyKind finds the body kind as Kong does: by substring, JSON first.
func bodyKind(contentType string) int {
	ct := strings.ToLower(contentType)
	switch {
	case ct == "":
		return bodyOther
	case strings.Contains(ct, "application/json"):
		return bodyJSON
	case strings.Contains(ct, "multipart/form-data"):
		return bodyMultipart
	case strings.Contains(ct, "application/x-www-form-urlencoded"):
		return bodyForm
	}
	return bodyOther
}

// renderedEntry is a config entry with its value rendered for this request.
type renderedEntry struct{ name, value string }

// renderAll renders the entries; names only when withValues is false (remove), and entries
// without a value are skipped otherwise.
func renderAll(entries []templatedEntry, env *templateEnv, withValues bool) ([]renderedEntry, error) {
	out := make([]renderedEntry, 0, len(entries))
	for _, e := range entries {
		if !withValues {
			out = append(out, renderedEntry{name: e.name})
			continue
		}
		if e.value == nil {
			continue
		}
		v, err := e.render(env)
		if err != nil {
			return nil, err
		}
		out = append(out, renderedEntry{e.name, v})
	}
	return out, nil
}

// bodyOps are the body entries of each operation, rendered.
type bodyOps struct {
	remove, rename, replace, add, append []renderedEntry
}

func (rt *requestTransformer) transformBody(ctx *Context, env *templateEnv) error {
	req := ctx.Request
	contentType := req.Header.Get("Content-Type")
	kind := bodyKind(contentType)
	if kind == bodyOther || (len(rt.remove.body) == 0 && len(rt.rename.body) == 0 && len(rt.replace.body) == 0 &&
		len(rt.add.body) == 0 && len(rt.append.body) == 0) {
		return nil
	}
	var ops bodyOps
	var err error
	ops.remove, _ = renderAll(rt.remove.body, env, false)
	for _, op := range []struct {
		entries []templatedEntry
		out     *[]renderedEntry
	}{{rt.rename.body, &ops.rename}, {rt.replace.body, &ops.replace}, {rt.add.body, &ops.add}, {rt.append.body, &ops.append}} {
		if *op.out, err = renderAll(op.entries, env, true); err != nil {
			return err
		}
	}
	body := requestBody(req)
	var out []byte
	changed := false
	switch kind {
	case bodyJSON:
		out, changed = transformJSONRequestBody(body, ops)
	case bodyForm:
		out, changed = transformFormBody(body, ops)
	case bodyMultipart:
		out, changed = transformMultipartBody(body, contentType, ops)
	}
	if changed {
		setRequestBody(req, out)
	}
	return nil
}

// transformJSONRequestBody applies the operations to a JSON object body. Kong leaves a body
// that is not JSON alone, and treats an empty one as {} (only add and append apply to it).
func transformJSONRequestBody(body []byte, ops bodyOps) ([]byte, bool) {
	var params map[string]any
	if len(body) > 0 {
		v, ok := decodeJSON(body)
		if params, _ = v.(map[string]any); !ok || params == nil {
			return nil, false
		}
	} else {
		params = map[string]any{}
	}
	if !applyBodyOps(params, ops, len(body) > 0, luaTruthy) {
		return nil, false
	}
	return encodeCJSON(params), true
}

// applyBodyOps runs Kong's remove, rename, replace, add and append on body parameters; the
// first three only apply to a body that was sent. present decides whether add finds a
// parameter already there (a JSON body uses Lua truthiness, a form any value). It reports
// whether anything changed.
func applyBodyOps(params map[string]any, ops bodyOps, hadBody bool, present func(map[string]any, string) bool) bool {
	changed := false
	if hadBody {
		for _, e := range ops.remove {
			delete(params, e.name)
			changed = true
		}
		for _, e := range ops.rename {
			changed = renameTruthy(params, e.name, e.value) || changed
		}
		for _, e := range ops.replace {
			if luaTruthy(params, e.name) {
				params[e.name] = e.value
				changed = true
			}
		}
	}
	for _, e := range ops.add {
		if !present(params, e.name) {
			params[e.name] = e.value
			changed = true
		}
	}
	for _, e := range ops.append {
		params[e.name] = appendLuaValue(params[e.name], e.value)
		changed = true
	}
	return changed
}

func transformFormBody(body []byte, ops bodyOps) ([]byte, bool) {
	params := decodeArgs(string(body))
	present := func(params map[string]any, name string) bool { _, ok := params[name]; return ok }
	if !applyBodyOps(params, ops, len(body) > 0, present) {
		return nil, false
	}
	return []byte(encodeArgs(params)), true
}

// formPart is one part of a multipart body.
type formPart struct {
	header  textproto.MIMEHeader
	name    string
	content []byte
}

// transformMultipartBody applies rename, remove, replace and add (Kong's order for multipart
// bodies, which have no append) with simple text fields. A body that does not parse is left
// alone.
func transformMultipartBody(body []byte, contentType string, ops bodyOps) ([]byte, bool) {
	_, params, err := mime.ParseMediaType(contentType)
	boundary := params["boundary"]
	if err != nil || boundary == "" {
		return nil, false
	}
	var parts []formPart
	if len(body) > 0 {
		r := multipart.NewReader(bytes.NewReader(body), boundary)
		for {
			p, err := r.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, false
			}
			content, err := io.ReadAll(p)
			if err != nil {
				return nil, false
			}
			parts = append(parts, formPart{header: p.Header, name: p.FormName(), content: content})
		}
	}
	find := func(name string) int {
		for i, p := range parts {
			if p.name == name {
				return i
			}
		}
		return -1
	}
	without := func(name string) {
		kept := parts[:0]
		for _, p := range parts {
			if p.name != name {
				kept = append(kept, p)
			}
		}
		parts = kept
	}
	setSimple := func(name, value string) {
		if i := find(name); i >= 0 {
			parts[i] = simplePart(name, value)
			return
		}
		parts = append(parts, simplePart(name, value))
	}
	changed := false
	if len(body) > 0 {
		for _, e := range ops.rename {
			if i := find(e.name); i >= 0 && e.name != e.value {
				setSimple(e.value, string(parts[i].content))
				without(e.name)
				changed = true
			}
		}
		for _, e := range ops.remove {
			without(e.name)
			changed = true
		}
		for _, e := range ops.replace {
			if find(e.name) >= 0 {
				without(e.name)
				setSimple(e.name, e.value)
				changed = true
			}
		}
	}
	for _, e := range ops.add {
		if find(e.name) < 0 {
			setSimple(e.name, e.value)
			changed = true
		}
	}
	if !changed {
		return nil, false
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.SetBoundary(boundary); err != nil {
		return nil, false
	}
	for _, p := range parts {
		pw, err := w.CreatePart(p.header)
		if err != nil {
			return nil, false
		}
		_, _ = pw.Write(p.content)
	}
	if err := w.Close(); err != nil {
		return nil, false
	}
	return buf.Bytes(), true
}

func simplePart(name, value string) formPart {
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="`+strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name)+`"`)
	return formPart{header: h, name: name, content: []byte(value)}
}

func (rt *requestTransformer) transformQuery(ctx *Context, env *templateEnv) error {
	if len(rt.remove.querystring)+len(rt.rename.querystring)+len(rt.replace.querystring)+
		len(rt.add.querystring)+len(rt.append.querystring) == 0 {
		return nil
	}
	query := copyArgs(env.queryParams())
	for _, e := range rt.remove.querystring {
		delete(query, e.name)
	}
	rename, err := renderAll(rt.rename.querystring, env, true)
	if err != nil {
		return err
	}
	for _, e := range rename {
		renameTruthy(query, e.name, e.value)
	}
	replace, err := renderAll(rt.replace.querystring, env, true)
	if err != nil {
		return err
	}
	for _, e := range replace {
		if luaTruthy(query, e.name) {
			query[e.name] = e.value
		}
	}
	add, err := renderAll(rt.add.querystring, env, true)
	if err != nil {
		return err
	}
	for _, e := range add {
		if !luaTruthy(query, e.name) {
			query[e.name] = e.value
		}
	}
	appended, err := renderAll(rt.append.querystring, env, true)
	if err != nil {
		return err
	}
	for _, e := range appended {
		query[e.name] = appendLuaValue(query[e.name], e.value)
	}
	ctx.Request.URL.RawQuery = encodeArgs(query)
	return nil
}

// setUpstreamPath makes the proxy send path upstream as it is, as kong.service.request.set_path
// does. The proxy builds the path from the match and the service after the access phase, so
// this request gets copies of both: the route stripping a prefix and the service without a
// base path, which leave exactly path. The path is kept in the escaped form the match holds.
func setUpstreamPath(ctx *Context, path string) {
	if ctx.Match == nil {
		return
	}
	m := *ctx.Match
	route := copyEntity(m.Route)
	if strip, ok := route["strip_path"].(bool); ok && !strip {
		m.Prefix = "" // nothing was stripped, so X-Forwarded-Prefix stays unset
	}
	route["strip_path"] = true
	m.Route = route
	m.Path = m.Prefix + path
	ctx.Match = &m
	if ctx.Service != nil {
		svc := copyEntity(ctx.Service)
		delete(svc, "path")
		ctx.Service = svc
	}
}

// setUpstreamHost sends host as the upstream Host header, as Kong does when a plugin sets
// it: through a copy of the route that preserves the request's host.
func setUpstreamHost(ctx *Context, host string) {
	ctx.Request.Host = host
	if ctx.Match == nil {
		return
	}
	m := *ctx.Match
	m.Route = copyEntity(m.Route)
	m.Route["preserve_host"] = true
	ctx.Match = &m
}

func copyEntity(e Entity) Entity {
	out := make(Entity, len(e)+1)
	for k, v := range e {
		out[k] = v
	}
	return out
}

// ---- Shared by the transformers: config entries and Lua-like values ----

// splitEntry splits a config entry the way Kong's transformers match it (^([^:]+):*(.-)$):
// the name runs to the first colon, the colons after it are skipped, the rest is the value.
// An entry without a name does not match.
func splitEntry(s string) (name, value string, ok bool) {
	i := strings.IndexByte(s, ':')
	if i < 0 {
		return s, "", s != ""
	}
	if i == 0 {
		return "", "", false
	}
	return s[:i], strings.TrimLeft(s[i+1:], ":"), true
}

// luaTruthy tells whether Kong's `if t[name]` holds: the key exists and is not false (a JSON
// null counts, as cjson.null is a value).
func luaTruthy(t map[string]any, name string) bool {
	v, ok := t[name]
	return ok && v != false
}

// renameTruthy moves a truthy value from one key to another (Kong's rename helper).
func renameTruthy(t map[string]any, from, to string) bool {
	if from == to || !luaTruthy(t, from) {
		return false
	}
	t[to] = t[from]
	delete(t, from)
	return true
}

// appendLuaValue is Kong's append_value: a string becomes a list of it and the new value, a
// list grows, anything else (absent, true, a number, an object) is replaced by a list of the
// new value.
func appendLuaValue(current, value any) any {
	switch c := current.(type) {
	case string:
		return []any{c, value}
	case []any:
		return append(c, value)
	}
	return []any{value}
}

// maxArgs is nginx's default limit on the arguments ngx.decode_args and get_uri_args return.
const maxArgs = 100

// decodeArgs decodes a query string or form body as ngx.decode_args does: "+" is a space, a
// name without "=" maps to true, a repeated name to a list.
func decodeArgs(raw string) map[string]any {
	args := map[string]any{}
	n := 0
	for _, piece := range strings.Split(raw, "&") {
		if piece == "" {
			continue
		}
		if n++; n > maxArgs {
			break
		}
		var key string
		var value any = true
		if i := strings.IndexByte(piece, '='); i >= 0 {
			key, value = unescapeArg(piece[:i]), unescapeArg(piece[i+1:])
		} else {
			key = unescapeArg(piece)
		}
		if key == "" {
			continue
		}
		if cur, ok := args[key]; ok {
			args[key] = append(luaList(cur), value)
		} else {
			args[key] = value
		}
	}
	return args
}

// unescapeArg decodes %XX and "+"; a malformed escape stays as it is, as nginx leaves it.
func unescapeArg(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			v, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b.WriteByte(byte(v))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// encodeArgs encodes arguments as kong.service.request.set_query does: names in lexical
// order, values escaped as URI components, true as a bare name, lists repeated in order.
func encodeArgs(args map[string]any) string {
	names := make([]string, 0, len(args))
	for k := range args {
		names = append(names, k)
	}
	sort.Strings(names)
	var parts []string
	for _, name := range names {
		for _, v := range luaList(args[name]) {
			switch v := v.(type) {
			case string:
				parts = append(parts, escapeArg(name)+"="+escapeArg(v))
			case bool:
				if v {
					parts = append(parts, escapeArg(name))
				}
			default:
				parts = append(parts, escapeArg(name)+"="+escapeArg(luaToString(v)))
			}
		}
	}
	return strings.Join(parts, "&")
}

// escapeArg is ngx.escape_uri for a component: everything but A-Z a-z 0-9 - . _ ~ escaped.
func escapeArg(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func copyArgs(args map[string]any) map[string]any {
	out := make(map[string]any, len(args))
	for k, v := range args {
		if list, ok := v.([]any); ok {
			v = append([]any(nil), list...)
		}
		out[k] = v
	}
	return out
}

// luaHeaders is kong.request.get_headers: lowercase names, a string per header or a list
// when it is repeated, the Host included.
func luaHeaders(req *http.Request) map[string]any {
	out := make(map[string]any, len(req.Header)+1)
	if req.Host != "" {
		out["host"] = req.Host
	}
	for name, values := range req.Header {
		key := strings.ToLower(name)
		for _, v := range values {
			if cur, ok := out[key]; ok {
				out[key] = append(luaList(cur), v)
			} else {
				out[key] = v
			}
		}
	}
	return out
}

// decodeJSON decodes one JSON document as cjson does, keeping numbers as written; ok is false
// for anything else.
func decodeJSON(b []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, false
	}
	return v, true
}

// encodeCJSON encodes as Kong's cjson does: compact, numbers with 14 significant digits,
// "/" escaped as "\/". Object keys are sorted (Lua's order is arbitrary).
func encodeCJSON(v any) []byte {
	var b bytes.Buffer
	writeCJSON(&b, v)
	return b.Bytes()
}

func writeCJSON(b *bytes.Buffer, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case string:
		writeCJSONString(b, v)
	case float64:
		b.WriteString(cjsonNumber(v))
	case json.Number:
		f, err := v.Float64()
		if err != nil {
			b.WriteString(v.String())
		} else {
			b.WriteString(cjsonNumber(f))
		}
	case int:
		b.WriteString(strconv.Itoa(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case []any:
		b.WriteByte('[')
		for i, x := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			writeCJSON(b, x)
		}
		b.WriteByte(']')
	case []string:
		writeCJSON(b, toAnyList(v))
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeCJSONString(b, k)
			b.WriteByte(':')
			writeCJSON(b, v[k])
		}
		b.WriteByte('}')
	default:
		// Anything else goes through its standard JSON form.
		raw, err := json.Marshal(v)
		if err != nil {
			b.WriteString("null")
			return
		}
		decoded, _ := decodeJSON(raw)
		writeCJSON(b, decoded)
	}
}

func toAnyList(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}

// cjsonNumber is cjson's "%.14g".
func cjsonNumber(f float64) string {
	return strconv.FormatFloat(f, 'g', 14, 64)
}

func writeCJSONString(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '/':
			b.WriteString(`\/`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if c < 0x20 || c == 0x7f {
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&15])
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
}

// ---- Templates: Penlight's $(...) syntax with a subset of Lua expressions ----

// template is a transformer value: text with $(expression) parts, rendered per request. The
// expressions understood are the ones Kong's docs use: the names headers, query_params,
// uri_captures and shared, fields and indexes (headers.x_id, uri_captures[1]), string and
// number literals, not/and/or, == and ~=, the .. concatenation, and the calls type, tostring
// and tonumber. Anything else fails to compile, and a request that renders it gets Kong's
// answer to a broken template: a 500.
type template struct {
	parts []templatePart
	err   error
}

type templatePart struct {
	text string
	expr luaExpr // nil for text
}

var errTemplate = errors.New("template")

func compileTemplate(src string) *template {
	t := &template{}
	for src != "" {
		start, end, ok := findInlineExpr(src)
		if !ok {
			t.parts = append(t.parts, templatePart{text: src})
			break
		}
		if start > 0 {
			t.parts = append(t.parts, templatePart{text: src[:start]})
		}
		expr, err := parseLua(src[start+2 : end])
		if err != nil {
			t.err = fmt.Errorf("%w: %q: %w", errTemplate, src[start:end+1], err)
			return t
		}
		t.parts = append(t.parts, templatePart{expr: expr})
		src = src[end+1:]
	}
	return t
}

// findInlineExpr finds the first "$(" whose parenthesis closes (Lua's %b()), and returns the
// positions of the "$" and of the closing parenthesis.
func findInlineExpr(s string) (start, end int, ok bool) {
	for i := 0; i+1 < len(s); i++ {
		if s[i] != '$' || s[i+1] != '(' {
			continue
		}
		depth := 0
		for j := i + 1; j < len(s); j++ {
			switch s[j] {
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 {
					return i, j, true
				}
			}
		}
	}
	return 0, 0, false
}

func (t *template) render(env *templateEnv) (string, error) {
	if t.err != nil {
		return "", t.err
	}
	if len(t.parts) == 1 && t.parts[0].expr == nil {
		return t.parts[0].text, nil
	}
	var b strings.Builder
	for _, p := range t.parts {
		if p.expr == nil {
			b.WriteString(p.text)
			continue
		}
		v, err := p.expr(env)
		if err != nil {
			return "", fmt.Errorf("%w: %w", errTemplate, err)
		}
		if v == nil || v == false {
			continue // Penlight renders (value or '')
		}
		b.WriteString(luaToString(v))
	}
	return b.String(), nil
}

// templateEnv is what templates see, loaded on first use as Kong's environment is.
type templateEnv struct {
	ctx           *Context
	headers       luaHeaderTable
	query         map[string]any
	loadedHeaders bool
	loadedQuery   bool
}

func newTemplateEnv(ctx *Context) *templateEnv { return &templateEnv{ctx: ctx} }

func (e *templateEnv) queryParams() map[string]any {
	if !e.loadedQuery {
		e.query, e.loadedQuery = decodeArgs(e.ctx.Request.URL.RawQuery), true
	}
	return e.query
}

func (e *templateEnv) global(name string) any {
	switch name {
	case "headers":
		if !e.loadedHeaders {
			e.headers, e.loadedHeaders = luaHeaders(e.ctx.Request), true
		}
		return e.headers
	case "query_params":
		return e.queryParams()
	case "uri_captures":
		if e.ctx.Match == nil {
			return luaCaptures{}
		}
		return luaCaptures(e.ctx.Match.Captures)
	case "shared":
		return luaShared(e.ctx.Shared)
	case "type":
		return luaFunc(luaTypeFunc)
	case "tostring":
		return luaFunc(func(args []any) (any, error) { return luaToString(firstArg(args)), nil })
	case "tonumber":
		return luaFunc(func(args []any) (any, error) {
			switch v := firstArg(args).(type) {
			case float64:
				return v, nil
			case string:
				if f, ok := luaToNumber(v); ok {
					return f, nil
				}
			}
			return nil, nil
		})
	}
	return nil
}

// Lua-like values: nil, bool, float64, string, []any (a list), map[string]any, and these.
type (
	luaHeaderTable map[string]any    // request headers: a miss retries lowercase, "_" as "-"
	luaCaptures    map[string]string // the route's regex captures: numbers and names
	luaShared      map[string]any    // kong.ctx.shared
	luaFunc        func(args []any) (any, error)
)

// luaExpr is a compiled expression.
type luaExpr func(env *templateEnv) (any, error)

func firstArg(args []any) any {
	if len(args) == 0 {
		return nil
	}
	return args[0]
}

func luaTypeFunc(args []any) (any, error) {
	if len(args) == 0 {
		return nil, errors.New("bad argument #1 to 'type' (value expected)")
	}
	return luaType(args[0]), nil
}

func luaType(v any) string {
	switch v.(type) {
	case nil:
		return "nil"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case luaFunc:
		return "function"
	}
	return "table"
}

// toLua turns a Go value (from kong.ctx.shared or a decoded document) into a Lua-like one.
func toLua(v any) any {
	switch v := v.(type) {
	case nil, bool, float64, string, []any, map[string]any, luaFunc:
		return v
	case json.Number:
		f, _ := v.Float64()
		return f
	case int:
		return float64(v)
	case int64:
		return float64(v)
	case float32:
		return float64(v)
	case []string:
		return toAnyList(v)
	case map[string]string:
		m := make(map[string]any, len(v))
		for k, s := range v {
			m[k] = s
		}
		return m
	}
	return fmt.Sprint(v)
}

// luaIndex is obj[key].
func luaIndex(obj, key any) (any, error) {
	switch t := obj.(type) {
	case luaHeaderTable:
		name, ok := key.(string)
		if !ok {
			return nil, nil
		}
		name = strings.ToLower(name)
		if v, ok := t[name]; ok {
			return v, nil
		}
		return t[strings.ReplaceAll(name, "_", "-")], nil
	case luaCaptures:
		switch k := key.(type) {
		case float64:
			if v, ok := t[cjsonNumber(k)]; ok {
				return v, nil
			}
		case string:
			if _, err := strconv.Atoi(k); err != nil { // "1" is not the number 1
				if v, ok := t[k]; ok {
					return v, nil
				}
			}
		}
		return nil, nil
	case luaShared:
		if k, ok := key.(string); ok {
			return toLua(t[k]), nil
		}
		return nil, nil
	case map[string]any:
		if k, ok := key.(string); ok {
			return toLua(t[k]), nil
		}
		return nil, nil
	case []any:
		if n, ok := key.(float64); ok && n >= 1 && n <= float64(len(t)) && n == float64(int(n)) {
			return toLua(t[int(n)-1]), nil
		}
		return nil, nil
	case string:
		return nil, nil // the string library has no such field we offer
	}
	return nil, fmt.Errorf("attempt to index a %s value", luaType(obj))
}

// luaToString is Lua's tostring.
func luaToString(v any) string {
	switch v := v.(type) {
	case nil:
		return "nil"
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return cjsonNumber(v)
	case string:
		return v
	case luaFunc:
		return "function: builtin"
	}
	// A table prints as its address in Lua; a stable stand-in keeps that shape.
	return fmt.Sprintf("table: %p", &v)
}

// luaToNumber is Lua's tonumber for a string: decimal or 0x hexadecimal, spaces around.
func luaToNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	body, neg := s, false
	if strings.HasPrefix(body, "-") {
		body, neg = body[1:], true
	}
	if strings.HasPrefix(body, "0x") || strings.HasPrefix(body, "0X") {
		n, err := strconv.ParseUint(body[2:], 16, 64)
		if err != nil || body[2:] == "" {
			return 0, false
		}
		if neg {
			return -float64(n), true
		}
		return float64(n), true
	}
	if s == "" || strings.Trim(s, "0123456789.eE+-") != "" {
		return 0, false // no inf, nan or Go-only forms
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

func luaEqual(a, b any) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case bool:
		bv, ok := b.(bool)
		return ok && a == bv
	case float64:
		bv, ok := b.(float64)
		return ok && a == bv
	case string:
		bv, ok := b.(string)
		return ok && a == bv
	}
	return false // tables and functions compare by identity, which templates cannot share
}

func luaTruth(v any) bool { return v != nil && v != false }

// luaToken is a lexical token: kind is 'n' (name), '0' (number), 's' (string), 'o' (operator).
type luaToken struct {
	kind byte
	text string
	num  float64
}

var luaKeywords = map[string]bool{"and": true, "or": true, "not": true, "nil": true, "true": true, "false": true}

func lexLua(src string) ([]luaToken, error) {
	var out []luaToken
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i + 1
			for j < len(src) && (src[j] == '_' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			out = append(out, luaToken{kind: 'n', text: src[i:j]})
			i = j
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			j := i + 1
			for j < len(src) && (isHex(src[j]) || src[j] == '.' || src[j] == 'x' || src[j] == 'X' ||
				(src[j] == '+' || src[j] == '-') && (src[j-1] == 'e' || src[j-1] == 'E')) {
				j++
			}
			n, ok := luaToNumber(src[i:j])
			if !ok {
				return nil, fmt.Errorf("malformed number near '%s'", src[i:j])
			}
			out = append(out, luaToken{kind: '0', text: src[i:j], num: n})
			i = j
		case c == '"' || c == '\'':
			s, n, err := lexLuaString(src[i:])
			if err != nil {
				return nil, err
			}
			out = append(out, luaToken{kind: 's', text: s})
			i += n
		default:
			op := ""
			for _, candidate := range []string{"..", "==", "~=", ".", "[", "]", "(", ")", ","} {
				if strings.HasPrefix(src[i:], candidate) {
					op = candidate
					break
				}
			}
			if op == "" {
				return nil, fmt.Errorf("unexpected symbol near '%c'", c)
			}
			out = append(out, luaToken{kind: 'o', text: op})
			i += len(op)
		}
	}
	return out, nil
}

// lexLuaString reads a quoted string literal; n is its length in the source.
func lexLuaString(src string) (s string, n int, err error) {
	quote := src[0]
	var b strings.Builder
	for i := 1; i < len(src); i++ {
		c := src[i]
		switch {
		case c == quote:
			return b.String(), i + 1, nil
		case c == '\n':
			return "", 0, errors.New("unfinished string")
		case c == '\\' && i+1 < len(src):
			i++
			switch e := src[i]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'a':
				b.WriteByte('\a')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'v':
				b.WriteByte('\v')
			case '\\', '"', '\'', '\n':
				b.WriteByte(e)
			default:
				if e < '0' || e > '9' {
					return "", 0, errors.New("invalid escape sequence")
				}
				j := i
				for j < len(src) && j < i+3 && src[j] >= '0' && src[j] <= '9' {
					j++
				}
				v, _ := strconv.Atoi(src[i:j])
				if v > 255 {
					return "", 0, errors.New("escape sequence too large")
				}
				b.WriteByte(byte(v))
				i = j - 1
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, errors.New("unfinished string")
}

// luaParser is a recursive-descent parser over the tokens of one expression.
type luaParser struct {
	tokens []luaToken
	pos    int
}

func parseLua(src string) (luaExpr, error) {
	tokens, err := lexLua(src)
	if err != nil {
		return nil, err
	}
	p := &luaParser{tokens: tokens}
	expr, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.tokens) {
		return nil, fmt.Errorf("unexpected symbol near '%s'", p.tokens[p.pos].text)
	}
	return expr, nil
}

func (p *luaParser) peek(kind byte, text string) bool {
	if p.pos >= len(p.tokens) {
		return false
	}
	t := p.tokens[p.pos]
	return t.kind == kind && t.text == text
}

func (p *luaParser) accept(kind byte, text string) bool {
	if p.peek(kind, text) {
		p.pos++
		return true
	}
	return false
}

func (p *luaParser) or() (luaExpr, error) {
	left, err := p.and()
	for err == nil && p.accept('n', "or") {
		var right luaExpr
		if right, err = p.and(); err == nil {
			l, r := left, right
			left = func(env *templateEnv) (any, error) {
				v, err := l(env)
				if err != nil || luaTruth(v) {
					return v, err
				}
				return r(env)
			}
		}
	}
	return left, err
}

func (p *luaParser) and() (luaExpr, error) {
	left, err := p.compare()
	for err == nil && p.accept('n', "and") {
		var right luaExpr
		if right, err = p.compare(); err == nil {
			l, r := left, right
			left = func(env *templateEnv) (any, error) {
				v, err := l(env)
				if err != nil || !luaTruth(v) {
					return v, err
				}
				return r(env)
			}
		}
	}
	return left, err
}

func (p *luaParser) compare() (luaExpr, error) {
	left, err := p.concat()
	for err == nil && (p.peek('o', "==") || p.peek('o', "~=")) {
		negate := p.tokens[p.pos].text == "~="
		p.pos++
		var right luaExpr
		if right, err = p.concat(); err == nil {
			l, r := left, right
			left = func(env *templateEnv) (any, error) {
				a, err := l(env)
				if err != nil {
					return nil, err
				}
				b, err := r(env)
				if err != nil {
					return nil, err
				}
				return luaEqual(a, b) != negate, nil
			}
		}
	}
	return left, err
}

func (p *luaParser) concat() (luaExpr, error) {
	left, err := p.unary()
	if err != nil || !p.accept('o', "..") {
		return left, err
	}
	right, err := p.concat() // right-associative
	if err != nil {
		return nil, err
	}
	return func(env *templateEnv) (any, error) {
		a, err := left(env)
		if err != nil {
			return nil, err
		}
		b, err := right(env)
		if err != nil {
			return nil, err
		}
		for _, v := range []any{a, b} {
			if _, ok := v.(string); !ok {
				if _, ok := v.(float64); !ok {
					return nil, fmt.Errorf("attempt to concatenate a %s value", luaType(v))
				}
			}
		}
		return luaToString(a) + luaToString(b), nil
	}, nil
}

func (p *luaParser) unary() (luaExpr, error) {
	if p.accept('n', "not") {
		operand, err := p.unary()
		if err != nil {
			return nil, err
		}
		return func(env *templateEnv) (any, error) {
			v, err := operand(env)
			return !luaTruth(v), err
		}, nil
	}
	return p.primary()
}

func (p *luaParser) primary() (luaExpr, error) {
	if p.pos >= len(p.tokens) {
		return nil, errors.New("unexpected end of expression")
	}
	t := p.tokens[p.pos]
	p.pos++
	constant := func(v any) luaExpr { return func(*templateEnv) (any, error) { return v, nil } }
	switch {
	case t.kind == '0':
		return constant(t.num), nil
	case t.kind == 's':
		return constant(t.text), nil
	case t.kind == 'n' && t.text == "nil":
		return constant(nil), nil
	case t.kind == 'n' && t.text == "true":
		return constant(true), nil
	case t.kind == 'n' && t.text == "false":
		return constant(false), nil
	case t.kind == 'n' && !luaKeywords[t.text]:
		name := t.text
		return p.suffixes(func(env *templateEnv) (any, error) { return env.global(name), nil })
	case t.kind == 'o' && t.text == "(":
		inner, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.accept('o', ")") {
			return nil, errors.New("')' expected")
		}
		return p.suffixes(inner)
	}
	return nil, fmt.Errorf("unexpected symbol near '%s'", t.text)
}

// suffixes parses .name, [expr] and (args) after a prefix expression.
func (p *luaParser) suffixes(prefix luaExpr) (luaExpr, error) {
	for {
		switch {
		case p.accept('o', "."):
			if p.pos >= len(p.tokens) || p.tokens[p.pos].kind != 'n' {
				return nil, errors.New("<name> expected")
			}
			key := p.tokens[p.pos].text
			p.pos++
			obj := prefix
			prefix = func(env *templateEnv) (any, error) {
				v, err := obj(env)
				if err != nil {
					return nil, err
				}
				return luaIndex(v, key)
			}
		case p.accept('o', "["):
			keyExpr, err := p.or()
			if err != nil {
				return nil, err
			}
			if !p.accept('o', "]") {
				return nil, errors.New("']' expected")
			}
			obj := prefix
			prefix = func(env *templateEnv) (any, error) {
				v, err := obj(env)
				if err != nil {
					return nil, err
				}
				k, err := keyExpr(env)
				if err != nil {
					return nil, err
				}
				return luaIndex(v, k)
			}
		case p.accept('o', "("):
			var args []luaExpr
			for !p.accept('o', ")") {
				if len(args) > 0 && !p.accept('o', ",") {
					return nil, errors.New("')' expected")
				}
				arg, err := p.or()
				if err != nil {
					return nil, err
				}
				args = append(args, arg)
			}
			fnExpr := prefix
			prefix = func(env *templateEnv) (any, error) {
				fn, err := fnExpr(env)
				if err != nil {
					return nil, err
				}
				f, ok := fn.(luaFunc)
				if !ok {
					return nil, fmt.Errorf("attempt to call a %s value", luaType(fn))
				}
				values := make([]any, len(args))
				for i, a := range args {
					if values[i], err = a(env); err != nil {
						return nil, err
					}
				}
				return f(values)
			}
		default:
			return prefix, nil
		}
	}
}
