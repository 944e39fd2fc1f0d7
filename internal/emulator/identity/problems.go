package identity

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// Konnect's identity answers, as its spec's examples give them.
const (
	titleUnauthenticated  = "Unauthenticated"
	detailUnauthenticated = "A valid token is required"
	titleForbidden        = "Forbidden"
	// DetailForbidden is Konnect's generic refusal of a valid token without the permission.
	DetailForbidden = "You do not have permission to perform this action"
)

// WriteProblem answers in Konnect's problem+json format; the instance carries the request id.
func WriteProblem(w http.ResponseWriter, r *http.Request, status int, title, detail string, params ...client.InvalidParameter) {
	body := client.BadRequestError{Status: status, Title: title, Instance: "kong:trace:" + requestID(r), Detail: detail, InvalidParameters: params}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	if len(params) == 0 {
		_ = json.NewEncoder(w).Encode(client.BaseError{Status: body.Status, Title: body.Title, Instance: body.Instance, Detail: body.Detail})
		return
	}
	_ = json.NewEncoder(w).Encode(body)
}

// WriteUnauthenticated is the 401 of a missing, unknown, expired or deleted token.
func WriteUnauthenticated(w http.ResponseWriter, r *http.Request) {
	WriteProblem(w, r, http.StatusUnauthorized, titleUnauthenticated, detailUnauthenticated)
}

// WriteForbidden is the 403 of a valid token whose principal may not do this.
func WriteForbidden(w http.ResponseWriter, r *http.Request, detail string) {
	WriteProblem(w, r, http.StatusForbidden, titleForbidden, detail)
}

func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Kong-Request-Id"); id != "" {
		return id
	}
	return "0"
}

func notFound(w http.ResponseWriter, r *http.Request, what string) {
	WriteProblem(w, r, http.StatusNotFound, "Not Found", "The requested "+what+" was not found")
}

func conflict(w http.ResponseWriter, r *http.Request, detail string) {
	WriteProblem(w, r, http.StatusConflict, "Conflict", detail)
}

func badRequest(w http.ResponseWriter, r *http.Request, field, reason string, rule client.InvalidParameterRule) {
	p := client.InvalidParameter{Field: field, Reason: reason, Source: ptr("body")}
	if rule != "" {
		p.Rule = &rule
	}
	WriteProblem(w, r, http.StatusBadRequest, "Bad Request", "", p)
}

// internalError is the last resort; tests treat any 500 as a bug.
func (s *API) internalError(w http.ResponseWriter, r *http.Request, err error) {
	s.logger.ErrorContext(r.Context(), "identity: internal error", "method", r.Method, "path", r.URL.Path, "error", err)
	WriteProblem(w, r, http.StatusInternalServerError, "Internal Server Error", "internal error")
}

// decode reads a JSON body into v; the spec validator has already checked its shape, so a
// failure here is a body that is not JSON at all.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		var syntax *json.SyntaxError
		reason := "request format is invalid"
		if errors.As(err, &syntax) {
			reason = fmt.Sprintf("request format is invalid: %v", err)
		}
		badRequest(w, r, "body", reason, client.Invalid)
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func ptr[T any](v T) *T { return &v }
