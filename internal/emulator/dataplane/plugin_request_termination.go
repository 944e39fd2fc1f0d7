package dataplane

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"strings"
)

// request-termination: answers at the gateway instead of proxying: a status with a message, a
// raw body, or (echo) a description of the request. With trigger set it acts only on requests
// that carry that header or query argument.

func init() { RegisterTyped("request-termination", newRequestTermination) }

// requestTerminationConfig is request-termination's config; message and body are nil when
// unset (an answer with an empty body differs from one with the default message).
type requestTerminationConfig struct {
	StatusCode  int     `json:"status_code"`
	Message     *string `json:"message"`
	ContentType string  `json:"content_type"`
	Body        *string `json:"body"`
	Echo        bool    `json:"echo"`
	Trigger     string  `json:"trigger"`
}

// terminationMessages are the plugin's own default messages (not kong.response.error's).
var terminationMessages = map[int]string{
	401: "Unauthorized",
	404: "Not found",
	405: "Method not allowed",
	500: "An unexpected error occurred",
	502: "Bad Gateway",
	503: "Service unavailable",
}

type requestTermination struct {
	status      int
	message     string
	hasMessage  bool
	body        string
	hasBody     bool
	contentType string
	echo        bool
	trigger     string
}

func newRequestTermination(c requestTerminationConfig, _ Instance) (Handler, error) {
	t := &requestTermination{status: c.StatusCode, echo: c.Echo, trigger: c.Trigger, contentType: c.ContentType}
	if t.status == 0 {
		t.status = http.StatusServiceUnavailable
	}
	if c.Message != nil {
		t.message, t.hasMessage = *c.Message, true
	}
	if c.Body != nil {
		t.body, t.hasBody = *c.Body, true
	}
	if !t.hasMessage {
		t.message, t.hasMessage = terminationMessages[t.status]
	}
	return t, nil
}

func (t *requestTermination) Access(ctx *Context) {
	if t.trigger != "" && !triggered(ctx.Request, t.trigger) {
		return
	}
	ctx.Decide("request-termination answers every request it applies to (or those with its trigger)")
	switch {
	case t.echo:
		ctx.ExitJSON(t.status, encodeCJSON(t.echoBody(ctx)), nil)
	case t.hasBody:
		ctype := t.contentType
		if ctype == "" {
			ctype = "text/plain" // nginx's default_type, as Kong sends no type of its own
		}
		ctx.ExitRaw(t.status, []byte(t.body), ctype, nil)
	case t.hasMessage:
		ctx.ExitJSON(t.status, encodeCJSON(map[string]any{"message": t.message}), nil)
	default:
		ctx.ExitRaw(t.status, nil, "", nil) // Kong sends no body for a status without a message
	}
}

// triggered tells whether the request has the trigger as a header (any case, "_" for "-")
// or as a query argument (exact name).
func triggered(req *http.Request, trigger string) bool {
	if _, ok := decodeArgs(req.URL.RawQuery)[trigger]; ok {
		return true
	}
	return headerValue(luaHeaders(req), trigger) != nil
}

// echoBody describes the request as Kong's echo does.
func (t *requestTermination) echoBody(ctx *Context) map[string]any {
	req := ctx.Request
	raw := requestBody(req)
	request := map[string]any{
		"scheme":       ctx.Protocol,
		"host":         strings.ToLower(hostOnly(ctx.Downstream.Host)),
		"port":         float64(ctx.LocalPort()),
		"headers":      luaHeaders(req),
		"query":        decodeArgs(req.URL.RawQuery),
		"raw_body":     string(raw),
		"method":       req.Method,
		"path":         normalizePath(ctx.Downstream.URL.EscapedPath()),
		"uri_captures": uriCaptures(ctx.Match),
	}
	if body, ok := parsedBody(req.Header.Get("Content-Type"), raw); ok {
		request["body"] = body
	}
	hostname, _ := os.Hostname()
	out := map[string]any{
		"kong":    map[string]any{"node_id": nodeID, "worker_pid": float64(os.Getpid()), "hostname": hostname},
		"request": request,
	}
	if t.hasMessage {
		out["message"] = t.message
	}
	// The entities as configured (the request's working copies may differ).
	if route, ok := ctx.Snapshot.Get("routes", ctx.RouteID()); ok {
		out["matched_route"] = route
	}
	if svc, ok := ctx.Snapshot.Get("services", ctx.ServiceID()); ok {
		out["matched_service"] = svc
	}
	return out
}

// uriCaptures is kong.request.get_uri_captures: numbered captures as a list (the whole
// match left out), named ones as an object.
func uriCaptures(m *Match) map[string]any {
	unnamed, named := []any{}, map[string]any{}
	if m != nil {
		for i := 1; ; i++ {
			v, ok := m.Captures[strconv.Itoa(i)]
			if !ok {
				break
			}
			unnamed = append(unnamed, v)
		}
		for k, v := range m.Captures {
			if _, err := strconv.Atoi(k); err != nil {
				named[k] = v
			}
		}
	}
	return map[string]any{"unnamed": unnamed, "named": named}
}

// parsedBody is kong.request.get_body: a form, JSON or multipart body decoded; ok is false
// without a content type, for another type, or for a body that does not decode.
func parsedBody(contentType string, raw []byte) (any, bool) {
	ct := strings.ToLower(contentType)
	switch {
	case strings.Contains(ct, "application/x-www-form-urlencoded"):
		return decodeArgs(string(raw)), true
	case strings.Contains(ct, "application/json"):
		if len(raw) == 0 {
			return nil, false
		}
		return decodeJSON(raw)
	case strings.Contains(ct, "multipart/form-data"):
		_, params, err := mime.ParseMediaType(contentType)
		if err != nil || params["boundary"] == "" {
			return nil, false
		}
		fields := map[string]any{}
		r := multipart.NewReader(bytes.NewReader(raw), params["boundary"])
		for {
			p, err := r.NextPart()
			if errors.Is(err, io.EOF) {
				return fields, true
			}
			if err != nil {
				return nil, false
			}
			content, err := io.ReadAll(p)
			if err != nil {
				return nil, false
			}
			if cur, ok := fields[p.FormName()]; ok {
				fields[p.FormName()] = append(luaList(cur), string(content))
			} else {
				fields[p.FormName()] = string(content)
			}
		}
	}
	return nil, false
}
