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

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/kongtemplate"
)

// request-transformer: rewrites the upstream request's method, path, headers, body and query
// string in Kong's order (uri, method, headers, body, query string; inside each remove, rename,
// replace, add, append). Values are Kong templates such as $(headers.x_id), rendered by the
// kongtemplate package.
//
// The helpers below the plugin (config entries, Lua-like values, args and JSON codecs) are
// shared with response-transformer and request-termination.

func init() { RegisterTyped("request-transformer", newRequestTransformer) }

// requestTransformerConfig is request-transformer's config: one record of entries per
// operation; replace also has the upstream path.
type requestTransformerConfig struct {
	HTTPMethod string               `json:"http_method"`
	Remove     requestPartsConfig   `json:"remove"`
	Rename     requestPartsConfig   `json:"rename"`
	Replace    requestReplaceConfig `json:"replace"`
	Add        requestPartsConfig   `json:"add"`
	Append     requestPartsConfig   `json:"append"`
}

// requestPartsConfig is one operation's entries for each part of the request.
type requestPartsConfig struct {
	Headers     []string `json:"headers"`
	Querystring []string `json:"querystring"`
	Body        []string `json:"body"`
}

type requestReplaceConfig struct {
	requestPartsConfig
	URI string `json:"uri"`
}

// templatedEntry is one "name:value" entry whose value is a template.
type templatedEntry struct {
	name  string
	value *kongtemplate.Template // nil when the entry has no value
}

// requestParts is one operation's entries for each part of the request.
type requestParts struct {
	headers, querystring, body []templatedEntry
}

type requestTransformer struct {
	method                               string
	uri                                  *kongtemplate.Template // replace.uri; nil when unset
	remove, rename, replace, add, append requestParts
}

func newRequestTransformer(c requestTransformerConfig, _ Instance) (Handler, error) {
	rt := &requestTransformer{method: c.HTTPMethod}
	parts := func(r requestPartsConfig) requestParts {
		return requestParts{headers: templatedEntries(r.Headers), querystring: templatedEntries(r.Querystring),
			body: templatedEntries(r.Body)}
	}
	rt.remove, rt.rename, rt.replace, rt.add, rt.append = parts(c.Remove), parts(c.Rename), parts(c.Replace.requestPartsConfig), parts(c.Add), parts(c.Append)
	if c.Replace.URI != "" {
		rt.uri = kongtemplate.Compile(c.Replace.URI)
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
			e.value = kongtemplate.Compile(value)
		}
		out = append(out, e)
	}
	return out
}

// errTransform is a failure Kong meets as a Lua error in the plugin, answered with a 500.
var errTransform = errors.New("request-transformer")

func (rt *requestTransformer) Access(ctx *Context) {
	env := newTemplateEnv(ctx)
	defer env.close()
	if err := rt.transform(ctx, env); err != nil {
		ctx.Exit(http.StatusInternalServerError, "", nil)
	}
}

func (rt *requestTransformer) transform(ctx *Context, env *templateEnv) error {
	if rt.uri != nil {
		path, err := rt.uri.Render(env.session)
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
	return e.value.Render(env.session)
}

// templateEnv is what one request's templates see. The query arguments are decoded once,
// for the templates and for the query string changes alike.
type templateEnv struct {
	ctx         *Context
	session     *kongtemplate.Session
	query       map[string]any
	loadedQuery bool
}

func newTemplateEnv(ctx *Context) *templateEnv {
	e := &templateEnv{ctx: ctx}
	e.session = kongtemplate.NewSession(kongtemplate.Inputs{
		Headers:     func() map[string]any { return luaHeaders(ctx.Request) },
		QueryParams: e.queryParams,
		URICaptures: func() map[string]string {
			if ctx.Match == nil {
				return nil
			}
			return ctx.Match.Captures
		},
		Shared: func() map[string]any { return ctx.Shared },
	})
	return e
}

func (e *templateEnv) close() { e.session.Close() }

func (e *templateEnv) queryParams() map[string]any {
	if !e.loadedQuery {
		e.query, e.loadedQuery = decodeArgs(e.ctx.Request.URL.RawQuery), true
	}
	return e.query
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
			case float64:
				parts = append(parts, escapeArg(name)+"="+escapeArg(cjsonNumber(v)))
			default:
				parts = append(parts, escapeArg(name)+"="+escapeArg(fmt.Sprint(v)))
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

// headerValue finds a header in luaHeaders' result by any case and with "_" for "-", as the
// table kong.request.get_headers returns does.
func headerValue(headers map[string]any, name string) any {
	name = strings.ToLower(name)
	if v, ok := headers[name]; ok {
		return v
	}
	return headers[strings.ReplaceAll(name, "_", "-")]
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
