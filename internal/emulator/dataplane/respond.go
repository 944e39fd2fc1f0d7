package dataplane

import (
	"fmt"
	"html"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// KongVersion is what the gateway says it is, in Server and Via.
const KongVersion = "3.15.0.0-enterprise-edition"

// defaultMessages are kong.response.error's texts for a status without a message.
var defaultMessages = map[int]string{
	400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
	408: "Request timeout", 409: "Conflict", 411: "Length required", 412: "Precondition failed", 413: "Payload too large",
	414: "URI too long", 415: "Unsupported media type", 417: "Expectation failed", 426: "Upgrade required", 429: "Too many requests",
	494: "Request header or cookie too large", 500: "An unexpected error occurred", 501: "Not implemented",
	502: "An invalid response was received from the upstream server",
	503: "The upstream server is currently unavailable", 504: "The upstream server is timing out",
}

// DefaultMessage is Kong's text for a status.
func DefaultMessage(status int) string {
	if m, ok := defaultMessages[status]; ok {
		return m
	}
	return "The upstream server responded with " + strconv.Itoa(status)
}

// mediaType picks the error format from Accept as kong.response.error does; fallback is the
// type to use when Accept names none of them (JSON for plugin errors; for nginx-level errors
// the request's Content-Type, then text/plain).
func mediaType(r *http.Request, fallback string) string {
	accept := r.Header.Get("Accept")
	if accept == "" {
		return fallback
	}
	type choice struct {
		typ string
		q   float64
	}
	var choices []choice
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		choices = append(choices, choice{mt, q})
	}
	sort.SliceStable(choices, func(i, j int) bool { return choices[i].q > choices[j].q })
	for _, c := range choices {
		switch c.typ {
		case "application/json":
			return "application/json"
		case "*/*", "application/*":
			return fallback
		case "text/html":
			return "text/html"
		case "text/plain", "text/*":
			return "text/plain"
		case "application/xml", "text/xml":
			return "application/xml"
		}
	}
	return fallback
}

// errorBody renders Kong's error templates (kong/tools/http.lua).
func errorBody(typ, message, requestID string) (string, string) {
	switch typ {
	case "text/html":
		return "text/html; charset=utf-8", fmt.Sprintf("<!doctype html>\n<html>\n  <head>\n    <meta charset=\"utf-8\">\n    <title>Error</title>\n  </head>\n  <body>\n    <h1>Error</h1>\n    <p>%s.</p>\n    <p>request_id: %s</p>\n  </body>\n</html>\n", html.EscapeString(message), requestID)
	case "text/plain":
		return "text/plain; charset=utf-8", message + "\nrequest_id: " + requestID + "\n"
	case "application/xml":
		return "application/xml; charset=utf-8", fmt.Sprintf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<error>\n  <message>%s</message>\n  <requestid>%s</requestid>\n</error>\n", html.EscapeString(message), requestID)
	default:
		// The message goes in raw, as Kong's template does it.
		return "application/json; charset=utf-8", "{\n  \"message\":\"" + message + "\",\n  \"request_id\":\"" + requestID + "\"\n}"
	}
}

// nginxErrorType is the format of errors nginx itself produces (kong/error_handlers.lua):
// Accept, else the request's Content-Type, else text/plain.
func nginxErrorType(r *http.Request) string {
	fallback := "text/plain"
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err == nil {
			switch mt {
			case "application/json", "text/html", "application/xml", "text/plain":
				fallback = mt
			}
		}
	}
	return mediaType(r, fallback)
}
