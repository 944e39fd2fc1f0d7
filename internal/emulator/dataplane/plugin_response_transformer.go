package dataplane

import (
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// response-transformer: rewrites the response's headers (on every response, Kong's own
// included) and the top-level properties of a JSON body, in Kong's order: remove, rename,
// replace, add, append.

func init() { RegisterTyped("response-transformer", newResponseTransformer) }

// responseTransformerConfig is response-transformer's config: one record of entries per
// operation; the operations that set values also type them.
type responseTransformerConfig struct {
	Remove  responseNamesConfig  `json:"remove"`
	Rename  responseNamesConfig  `json:"rename"`
	Replace responseValuesConfig `json:"replace"`
	Add     responseValuesConfig `json:"add"`
	Append  responseValuesConfig `json:"append"`
}

type responseNamesConfig struct {
	Headers []string `json:"headers"`
	JSON    []string `json:"json"`
}

type responseValuesConfig struct {
	responseNamesConfig
	JSONTypes []string `json:"json_types"`
}

// jsonEntry is a "name:value" entry for a JSON property with the type its value takes.
type jsonEntry struct {
	name, value string
	hasValue    bool
	jsonType    string // "string", "number" or "boolean"; "" is a string
}

type responseParts struct {
	headers []renderedEntry
	json    []jsonEntry
}

type responseTransformer struct {
	remove, rename, replace, add, append responseParts
}

func newResponseTransformer(c responseTransformerConfig, _ Instance) (Handler, error) {
	parts := func(r responseNamesConfig, types []string) responseParts {
		var p responseParts
		for _, s := range r.Headers {
			if name, value, ok := splitEntry(s); ok {
				p.headers = append(p.headers, renderedEntry{name, value})
			}
		}
		for i, s := range r.JSON {
			name, value, ok := splitEntry(s)
			if !ok {
				continue
			}
			e := jsonEntry{name: name, value: value, hasValue: value != ""}
			if i < len(types) {
				e.jsonType = types[i] // by position in the json list, as Kong reads them
			}
			p.json = append(p.json, e)
		}
		return p
	}
	values := func(r responseValuesConfig) responseParts { return parts(r.responseNamesConfig, r.JSONTypes) }
	return &responseTransformer{remove: parts(c.Remove, nil), rename: parts(c.Rename, nil), replace: values(c.Replace),
		add: values(c.Add), append: values(c.Append)}, nil
}

// transformsBody is Kong's is_body_transform_set, which does not count rename: a config that
// only renames JSON properties leaves the body alone.
func (rt *responseTransformer) transformsBody() bool {
	return len(rt.remove.json) > 0 || len(rt.replace.json) > 0 || len(rt.add.json) > 0 || len(rt.append.json) > 0
}

func (rt *responseTransformer) Response(_ *Context, _ int, h http.Header) {
	for _, e := range rt.remove.headers {
		h.Del(e.name)
	}
	for _, e := range rt.rename.headers {
		values := h.Values(e.name)
		if len(values) == 0 || e.value == "" {
			continue
		}
		values = append([]string(nil), values...)
		// Set the new name, then clear the old one, in Kong's order: a rename that only
		// changes the case removes the header.
		h[http.CanonicalHeaderKey(e.value)] = values
		h.Del(e.name)
	}
	for _, e := range rt.replace.headers {
		if e.value != "" && len(h.Values(e.name)) > 0 {
			h.Set(e.name, e.value)
		}
	}
	for _, e := range rt.add.headers {
		if e.value != "" && len(h.Values(e.name)) == 0 {
			h.Set(e.name, e.value)
		}
	}
	for _, e := range rt.append.headers {
		if e.value != "" {
			h.Add(e.name, e.value)
		}
	}
	if rt.transformsBody() && isJSONContentType(h.Get("Content-Type")) {
		h.Del("Content-Length") // the body changes; the proxy sets the new length
	}
}

func (rt *responseTransformer) Body(_ *Context, _ int, h http.Header, body []byte) []byte {
	if !rt.transformsBody() || !isJSONContentType(h.Get("Content-Type")) {
		return body
	}
	out, ok := rt.transformJSON(body)
	if !ok {
		return body // Kong logs "body transform failed" and sends the body as it came
	}
	return out
}

func (rt *responseTransformer) transformJSON(body []byte) ([]byte, bool) {
	v, ok := decodeJSON(body)
	doc, isObject := v.(map[string]any)
	if !ok || !isObject {
		return nil, false
	}
	for _, e := range rt.remove.json {
		delete(doc, e.name)
	}
	for _, e := range rt.rename.json {
		value, present := doc[e.name]
		if !present || !e.hasValue {
			continue
		}
		doc[e.value] = value
		delete(doc, e.name) // after the set, as Kong: renaming to the same name drops it
	}
	for _, e := range rt.replace.json {
		if value, ok := jsonEntryValue(e); ok && luaTruthy(doc, e.name) {
			doc[e.name] = value
		}
	}
	for _, e := range rt.add.json {
		if value, ok := jsonEntryValue(e); ok && !luaTruthy(doc, e.name) {
			doc[e.name] = value
		}
	}
	for _, e := range rt.append.json {
		if value, ok := jsonEntryValue(e); ok {
			doc[e.name] = appendLuaValue(doc[e.name], value)
		}
	}
	return encodeCJSON(doc), true
}

// jsonEntryValue is Kong's json_value: the text as it would sit inside a JSON string (quotes
// and slashes left bare), then cast to the entry's type. A number that does not parse has no
// value, and the entry is skipped.
func jsonEntryValue(e jsonEntry) (any, bool) {
	if !e.hasValue {
		return nil, false
	}
	quoted := string(encodeCJSON(e.value))
	v := strings.NewReplacer(`\"`, `"`, `\/`, `/`).Replace(quoted[1 : len(quoted)-1])
	switch e.jsonType {
	case "number":
		f, ok := luaToNumber(v)
		return f, ok
	case "boolean":
		return v == "true", true
	}
	return v, true
}

// isJSONContentType tells whether any of the media types in a Content-Type value is
// application/json or application/*+json.
func isJSONContentType(contentType string) bool {
	for _, part := range strings.Split(contentType, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		typ, sub, ok := strings.Cut(mt, "/")
		if ok && typ == "application" && (sub == "json" || strings.HasSuffix(sub, "+json")) {
			return true
		}
	}
	return false
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
