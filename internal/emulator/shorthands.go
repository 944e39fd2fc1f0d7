package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
)

// A shorthand field is one Kong expands into other fields before it validates the entity,
// such as a service's url into protocol, host, port and path. Konnect's spec declares url but
// still requires host, so the expansion happens before the spec's validation, as in Kong.
var shorthands = map[string]func(e entity){
	"Service": expandServiceURL,
}

// defaultPorts are the ports Kong gives a service url without one.
var defaultPorts = map[string]int{"http": 80, "ws": 80, "https": 443, "wss": 443}

// expandServiceURL splits url into protocol, host, port and path, replacing them as Kong does:
// what the url lacks is unset, so a url without a host fails as a missing host.
func expandServiceURL(e entity) {
	raw, ok := e["url"].(string)
	if !ok {
		return
	}
	for _, f := range []string{"url", "protocol", "host", "port", "path"} {
		delete(e, f)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return
	}
	if u.Scheme != "" {
		e["protocol"] = u.Scheme
	}
	if h := u.Hostname(); h != "" {
		e["host"] = h
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err == nil {
			e["port"] = n
		}
	} else if n, ok := defaultPorts[u.Scheme]; ok {
		e["port"] = n
	}
	if p := u.EscapedPath(); p != "" {
		e["path"] = p
	}
}

// shorthandRoutes matches the operations whose request body is a schema with shorthands.
type shorthandRoutes struct {
	mux     *http.ServeMux
	expands map[string]func(entity) // by route pattern
}

func newShorthandRoutes(spec *openapi3.T) *shorthandRoutes {
	sr := &shorthandRoutes{mux: http.NewServeMux(), expands: map[string]func(entity){}}
	for path, item := range spec.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			media := op.RequestBody.Value.Content.Get("application/json")
			if media == nil || media.Schema == nil {
				continue
			}
			name := strings.TrimPrefix(media.Schema.Ref, "#/components/schemas/")
			if expand, ok := shorthands[name]; ok {
				pattern := method + " " + path
				sr.mux.HandleFunc(pattern, func(http.ResponseWriter, *http.Request) {})
				sr.expands[pattern] = expand
			}
		}
	}
	return sr
}

// expandShorthands rewrites the body of a request whose schema has shorthand fields. A body
// that is not a JSON object is left for the validator to refuse.
func (s *Server) expandShorthands(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pattern := s.shorthands.mux.Handler(r)
		expand := s.shorthands.expands[pattern]
		if expand == nil {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeAPIError(w, newAPIError(http.StatusRequestEntityTooLarge, codeInvalidArgument, "request body too large"))
			return
		}
		if err != nil {
			writeAPIError(w, validationError(detail(detailEntity, "", "cannot read the request body")))
			return
		}
		e := domain.Decode(body)
		if e != nil {
			expand(e)
			if out, err := json.Marshal(e); err == nil {
				body = out
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}
