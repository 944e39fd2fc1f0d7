package datakit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Values flowing between nodes are JSON-like: nil, bool, float64, string, []any and
// map[string]any. Headers are maps name -> string, or -> array of strings for a repeated
// header; a query is a map of decoded arguments.

func decodeJSON(b []byte) (any, error) {
	var v any
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("unexpected data after the JSON value")
	}
	return v, nil
}

// isJSONType says whether a Content-Type is JSON (application/json, or a +json type).
func isJSONType(ctype string) bool {
	mt, _, err := mime.ParseMediaType(ctype)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

func isFormType(ctype string) bool {
	mt, _, err := mime.ParseMediaType(ctype)
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// decodeBody is a body as a node output: JSON-decoded when its Content-Type says JSON,
// otherwise a string. strict makes an unparseable JSON body an error (nil is returned).
func decodeBody(b []byte, ctype string, strict bool) any {
	if len(b) == 0 {
		return nil
	}
	if isJSONType(ctype) {
		if v, err := decodeJSON(b); err == nil {
			return v
		} else if strict {
			return nil
		}
	}
	return string(b)
}

func headerMap(h http.Header) map[string]any {
	out := make(map[string]any, len(h))
	for k, vs := range h {
		switch len(vs) {
		case 0:
		case 1:
			out[k] = vs[0]
		default:
			a := make([]any, len(vs))
			for i, v := range vs {
				a[i] = v
			}
			out[k] = a
		}
	}
	return out
}

func queryMap(q url.Values) map[string]any {
	out := make(map[string]any, len(q))
	for k, vs := range q {
		if len(vs) == 1 {
			out[k] = vs[0]
			continue
		}
		a := make([]any, len(vs))
		for i, v := range vs {
			a[i] = v
		}
		out[k] = a
	}
	return out
}

func asHeaderMap(v any) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("invalid headers: expected an object, got %s", typeName(v))
	}
	for k, e := range m {
		switch e := e.(type) {
		case nil, string, float64, bool:
		case []any:
			for _, x := range e {
				if _, ok := scalarString(x); !ok {
					return nil, fmt.Errorf("invalid header %q: expected strings", k)
				}
			}
		default:
			return nil, fmt.Errorf("invalid header %q: expected a string or an array of strings, got %s", k, typeName(e))
		}
	}
	return m, nil
}

// headerValues are a header map entry's values (nil for a null value: the header is removed).
func headerValues(v any) []string {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			s, _ := scalarString(x)
			out = append(out, s)
		}
		return out
	}
	s, _ := scalarString(v)
	return []string{s}
}

func scalarString(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	case int:
		return strconv.Itoa(v), true
	}
	return "", false
}

// queryArgs are query (or form) arguments by name; a nil value is a bare name ("?flag").
type queryArgs map[string][]*string

// asQuery reads a query map: a string, number or boolean value, an array of them for a
// repeated argument, or null for a name without a value.
func asQuery(v any) (queryArgs, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("invalid query: expected an object, got %s", typeName(v))
	}
	q := queryArgs{}
	for k, e := range m {
		items, isArr := e.([]any)
		if !isArr {
			items = []any{e}
		}
		for _, x := range items {
			if x == nil {
				q[k] = append(q[k], nil)
				continue
			}
			s, ok := scalarString(x)
			if !ok {
				return nil, fmt.Errorf("invalid query argument %q: got %s", k, typeName(x))
			}
			q[k] = append(q[k], &s)
		}
	}
	return q, nil
}

// merge sets each of o's names, replacing the values q had for it.
func (q queryArgs) merge(o queryArgs) {
	for k, vs := range o {
		q[k] = vs
	}
}

func parseQueryArgs(raw string) queryArgs {
	q := queryArgs{}
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, hasValue := strings.Cut(part, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if !hasValue {
			q[name] = append(q[name], nil)
			continue
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			val = v
		}
		q[name] = append(q[name], &val)
	}
	return q
}

// encode is the arguments as a query string (or form body), names sorted.
func (q queryArgs) encode() string {
	var sb strings.Builder
	for _, k := range sortedKeys(q) {
		for _, v := range q[k] {
			if sb.Len() > 0 {
				sb.WriteByte('&')
			}
			sb.WriteString(url.QueryEscape(k))
			if v != nil {
				sb.WriteByte('=')
				sb.WriteString(url.QueryEscape(*v))
			}
		}
	}
	return sb.String()
}

func asNumber(v any) (float64, error) {
	switch v := v.(type) {
	case float64:
		return v, nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return 0, fmt.Errorf("expected a number, got %q", v)
		}
		return f, nil
	}
	return 0, fmt.Errorf("expected a number, got %s", typeName(v))
}

func asString(v any) (string, error) {
	if s, ok := scalarString(v); ok {
		return s, nil
	}
	return "", fmt.Errorf("expected a string, got %s", typeName(v))
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64, int:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// encodeBody is a body input as bytes: a string as is; a table as JSON, or as a form when the
// headers input's Content-Type says application/x-www-form-urlencoded. ctype is the
// Content-Type to set when the headers input has none.
func encodeBody(v any, headers map[string]any) (body []byte, ctype string, err error) {
	given, hasCT := hasHeader(headers, "Content-Type")
	switch v := v.(type) {
	case nil:
		return nil, "", nil
	case string:
		return []byte(v), "", nil
	case map[string]any:
		if hasCT && isFormType(given) {
			q, err := asQuery(v)
			if err != nil {
				return nil, "", err
			}
			return []byte(q.encode()), "", nil
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, "", fmt.Errorf("encoding the body as JSON: %w", err)
	}
	if !hasCT {
		ctype = "application/json"
	}
	return b, ctype, nil
}

// fromJQ turns gojq's results into the engine's values (gojq gives ints and big ints).
func fromJQ(v any) any {
	switch v := v.(type) {
	case int:
		return float64(v)
	case *big.Int:
		f, _ := new(big.Float).SetInt(v).Float64()
		return f
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = fromJQ(x)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = fromJQ(x)
		}
		return out
	}
	return v
}

// framingHeaders describe a message's transfer, not its content: a headers map copied from
// one answer (a call's, say) must not carry them onto a body of another length.
var framingHeaders = map[string]bool{"Content-Length": true, "Transfer-Encoding": true, "Connection": true,
	"Keep-Alive": true, "Te": true, "Trailer": true, "Upgrade": true, "Proxy-Connection": true}

func isFramingHeader(name string) bool { return framingHeaders[http.CanonicalHeaderKey(name)] }

// headerFrom turns a headers map into http.Header (for a call or an exit).
func headerFrom(h map[string]any) http.Header {
	out := http.Header{}
	for _, k := range sortedKeys(h) {
		if isFramingHeader(k) {
			continue
		}
		if vals := headerValues(h[k]); vals != nil {
			out[http.CanonicalHeaderKey(k)] = vals
		}
	}
	return out
}
