package adminapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
)

// maxBodyBytes bounds a request body, as the Konnect API does.
const maxBodyBytes = 1 << 20

// errUnsupportedMedia is a body in a content type the Admin API does not read.
var errUnsupportedMedia = errors.New("unsupported content type")

// requestBody is a decoded request body. Form bodies (curl --data, --form) arrive as strings and
// get their types from the entity's schema (infer.go), as Kong's Admin API does; JSON bodies are
// typed already.
type requestBody struct {
	fields domain.Entity
	form   bool
}

// decodeBody reads a JSON, urlencoded or multipart body. An empty body is an empty entity.
func decodeBody(r *http.Request) (requestBody, error) {
	raw, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBodyBytes))
	if err != nil {
		return requestBody{}, err
	}
	ct := r.Header.Get("Content-Type")
	media, _, _ := mime.ParseMediaType(ct)
	switch {
	case len(bytes.TrimSpace(raw)) == 0 && media != "multipart/form-data":
		return requestBody{fields: domain.Entity{}}, nil
	case media == "application/json" || media == "" && looksJSON(raw):
		e, err := decodeJSON(raw)
		return requestBody{fields: e}, err
	case media == "application/x-www-form-urlencoded" || media == "":
		values, err := url.ParseQuery(string(raw))
		if err != nil {
			return requestBody{}, errBadForm
		}
		return requestBody{fields: formFields(values), form: true}, nil
	case media == "multipart/form-data":
		r.Body = io.NopCloser(bytes.NewReader(raw))
		if err := r.ParseMultipartForm(maxBodyBytes); err != nil {
			return requestBody{}, errBadForm
		}
		return requestBody{fields: formFields(url.Values(r.MultipartForm.Value)), form: true}, nil
	}
	return requestBody{}, errUnsupportedMedia
}

var (
	errBadJSON = errors.New("cannot parse JSON body")
	errBadForm = errors.New("cannot parse form body")
)

func looksJSON(raw []byte) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

func decodeJSON(raw []byte) (domain.Entity, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var e domain.Entity
	if err := dec.Decode(&e); err != nil {
		return nil, errBadJSON
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errBadJSON
	}
	if e == nil {
		e = domain.Entity{}
	}
	return e, nil
}

// formFields builds the entity a form describes, with Kong's argument syntax: dots nest
// ("service.id", "config.key_names"), "name[]" appends to a list, "name[2]" sets a position
// (from 1), "name[key]" sets a map key; a key given twice is a list.
func formFields(values url.Values) domain.Entity {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := domain.Entity{}
	for _, key := range keys {
		path := formPath(key)
		if len(path) == 0 {
			continue
		}
		vals := values[key]
		last := path[len(path)-1]
		switch {
		case last.append || len(vals) > 1:
			list := make([]any, 0, len(vals))
			for _, v := range vals {
				list = append(list, v)
			}
			if last.append {
				path = path[:len(path)-1]
			}
			setPath(out, path, list, true)
		default:
			setPath(out, path, vals[0], false)
		}
	}
	return out
}

// pathPart is one step of a form key: a field name, a position (from 0) or "append".
type pathPart struct {
	name   string
	index  int
	isPos  bool
	append bool
}

func formPath(key string) []pathPart {
	var parts []pathPart
	for _, dotted := range strings.Split(key, ".") {
		name, rest, _ := strings.Cut(dotted, "[")
		if name != "" {
			parts = append(parts, pathPart{name: name})
		}
		for rest != "" {
			inner, after, ok := strings.Cut(rest, "]")
			if !ok {
				break
			}
			switch n, err := strconv.Atoi(inner); {
			case inner == "":
				parts = append(parts, pathPart{append: true})
			case err == nil && n >= 1:
				parts = append(parts, pathPart{index: n - 1, isPos: true})
			default:
				parts = append(parts, pathPart{name: inner})
			}
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return parts
}

// setPath stores v at path inside m, making the maps and lists on the way; a list value at
// an existing list is appended.
func setPath(m map[string]any, path []pathPart, v any, isList bool) {
	if len(path) == 0 {
		return
	}
	var cur any = m
	set := func(container any, p pathPart, value any) any {
		switch c := container.(type) {
		case map[string]any:
			c[p.name] = value
			return c
		case []any:
			for len(c) <= p.index {
				c = append(c, nil)
			}
			c[p.index] = value
			return c
		}
		return container
	}
	get := func(container any, p pathPart) any {
		switch c := container.(type) {
		case map[string]any:
			return c[p.name]
		case []any:
			if p.index < len(c) {
				return c[p.index]
			}
		}
		return nil
	}
	// Walk down, remembering each container so lists that grow are stored back.
	containers := []any{cur}
	for i, p := range path[:len(path)-1] {
		next := get(cur, p)
		if next == nil {
			if path[i+1].isPos {
				next = []any{}
			} else {
				next = map[string]any{}
			}
		}
		containers = append(containers, next)
		cur = next
	}
	lastPart := path[len(path)-1]
	if existing, ok := get(cur, lastPart).([]any); ok && isList {
		v = append(existing, v.([]any)...)
	}
	updated := set(cur, lastPart, v)
	for i := len(path) - 2; i >= 0; i-- {
		updated = set(containers[i], path[i], updated)
	}
}
