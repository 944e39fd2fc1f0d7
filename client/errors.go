package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// APIError is an answer of 400 or above from the Konnect API. It reads both error formats:
// core entities' {code, message, details[]} and the Konnect-native problem+json
// {status, title, detail, invalid_parameters[]}.
type APIError struct {
	Method     string // the request's method
	Path       string // the request's URL path
	StatusCode int    // the HTTP status
	// Code is the core-entity error code (3 invalid argument, 5 not found, 6 already exists,
	// 7 usage constraint); 0 when the body had none.
	Code int
	// Title is the problem+json title ("Conflict"); empty for core-entity errors.
	Title string
	// Message is the core-entity message ("validation error") or the problem+json detail.
	Message string
	// Fields holds the per-field (and, with an empty Field, whole-entity) messages.
	Fields []FieldError
	// RequestID identifies the request for Kong support (X-Kong-Request-Id, or the problem instance).
	RequestID string
	// RetryAfter is the raw Retry-After header of a 429 or 503, if any.
	RetryAfter string
}

// FieldError is what the API said about one field.
type FieldError struct {
	Field    string   // dotted path of the field; empty for a message about the entity as a whole
	Rule     string   // problem+json rule (required, unknown_property, ...), when given
	Type     string   // core-entity detail type (ERROR_TYPE_FIELD, ERROR_TYPE_REFERENCE, ...)
	Messages []string // what is wrong
}

// Error reads like
// "PUT /v2/control-planes/<id>/core-entities/consumers/<id>: 400 validation error: username: must not be empty".
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d %s", e.Method, e.Path, e.StatusCode, e.summary())
	if len(e.Fields) > 0 {
		parts := make([]string, 0, len(e.Fields))
		for _, f := range e.Fields {
			msg := strings.Join(f.Messages, ", ")
			if f.Field != "" {
				msg = f.Field + ": " + msg
			}
			parts = append(parts, msg)
		}
		b.WriteString(": ")
		b.WriteString(strings.Join(parts, "; "))
	}
	return b.String()
}

func (e *APIError) summary() string {
	switch {
	case e.Message != "":
		return e.Message
	case e.Title != "":
		return e.Title
	default:
		return strings.ToLower(http.StatusText(e.StatusCode))
	}
}

// Detail is the error without the request line: the message and the field messages, for
// showing to a person who already knows which call failed.
func (e *APIError) Detail() string {
	s := e.Error()
	return s[len(fmt.Sprintf("%s %s: %d ", e.Method, e.Path, e.StatusCode)):]
}

// IsNotFound reports whether err is an API answer of 404.
func IsNotFound(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.StatusCode == http.StatusNotFound
}

// IsConflict reports whether err says the entity clashes with an existing one: a 409 from the
// Konnect-native APIs, or the core entities' 400 "data constraint error" on a unique field
// (the core-entity API answers conflicts with 400, as Kong's Admin API family does).
func IsConflict(err error) bool {
	var e *APIError
	if !errors.As(err, &e) {
		return false
	}
	if e.StatusCode == http.StatusConflict || e.Code == 6 {
		return true
	}
	if e.StatusCode != http.StatusBadRequest || e.Message != "data constraint error" {
		return false
	}
	for _, f := range e.Fields {
		for _, m := range f.Messages {
			if strings.Contains(m, "type: unique") {
				return true
			}
		}
	}
	return false
}

// errorBody is the union of the error formats the API uses.
type errorBody struct {
	Code    *int                    `json:"code"`
	Message string                  `json:"message"`
	Details []CoreEntityErrorDetail `json:"details"`

	Status            int                `json:"status"`
	Title             string             `json:"title"`
	Detail            string             `json:"detail"`
	Instance          string             `json:"instance"`
	InvalidParameters []InvalidParameter `json:"invalid_parameters"`
	// Kong Admin API style: {"name": "schema violation", "fields": {...}}
	Name   string         `json:"name"`
	Fields map[string]any `json:"fields"`
}

// newAPIError builds the error for an answer whose body has been read.
func newAPIError(req *http.Request, resp *http.Response, body []byte) *APIError {
	e := &APIError{
		Method:     req.Method,
		Path:       req.URL.Path,
		StatusCode: resp.StatusCode,
		RequestID:  resp.Header.Get("X-Kong-Request-Id"),
		RetryAfter: resp.Header.Get("Retry-After"),
	}
	var eb errorBody
	if json.Unmarshal(body, &eb) != nil {
		// Not JSON (a proxy's HTML page, say): keep a short, single-line excerpt.
		e.Message = excerpt(body)
		return e
	}
	if eb.Code != nil {
		e.Code = *eb.Code
	}
	e.Title = eb.Title
	e.Message = eb.Message
	if eb.Detail != "" {
		e.Message = eb.Detail
	}
	if e.RequestID == "" {
		e.RequestID = eb.Instance
	}
	for _, d := range eb.Details {
		f := FieldError{Field: deref(d.Field)}
		if d.Type != nil {
			f.Type = string(*d.Type)
		}
		if d.Messages != nil {
			f.Messages = *d.Messages
		}
		e.Fields = append(e.Fields, f)
	}
	for _, p := range eb.InvalidParameters {
		f := FieldError{Field: p.Field, Messages: []string{p.Reason}}
		if p.Rule != nil {
			f.Rule = string(*p.Rule)
		}
		e.Fields = append(e.Fields, f)
	}
	if len(eb.Fields) > 0 {
		keys := make([]string, 0, len(eb.Fields))
		for k := range eb.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			e.Fields = append(e.Fields, FieldError{Field: k, Messages: []string{fmt.Sprint(eb.Fields[k])}})
		}
	}
	return e
}

// scrub passes every text the server sent through f (the client removes its token with it).
func (e *APIError) scrub(f func(string) string) {
	e.Title, e.Message, e.RequestID = f(e.Title), f(e.Message), f(e.RequestID)
	for i := range e.Fields {
		e.Fields[i].Field = f(e.Fields[i].Field)
		for j := range e.Fields[i].Messages {
			e.Fields[i].Messages[j] = f(e.Fields[i].Messages[j])
		}
	}
}

func excerpt(body []byte) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
