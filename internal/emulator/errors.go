package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
)

// errorDetailType is the @type Konnect puts on every core-entity error detail.
const errorDetailType = "type.googleapis.com/kong.admin.model.v1.ErrorDetail"

// Core-entity error codes follow gRPC status codes, as Konnect's do.
const (
	codeInvalidArgument = 3
	codeNotFound        = 5
	codeUsageConstraint = 7
)

// Detail types of core-entity errors.
const (
	detailField     = client.ERRORTYPEFIELD
	detailEntity    = client.ERRORTYPEENTITY
	detailReference = client.ERRORTYPEREFERENCE
)

// apiError is an error answer in the core-entity format, ready to send.
type apiError struct {
	status int
	body   client.CoreEntityError
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%d %s", e.status, e.body.Message)
}

func newAPIError(status, code int, message string, details ...client.CoreEntityErrorDetail) *apiError {
	e := &apiError{status: status, body: client.CoreEntityError{Code: code, Message: message}}
	if len(details) > 0 {
		e.body.Details = &details
	}
	return e
}

func detail(typ client.CoreEntityErrorDetailType, field string, messages ...string) client.CoreEntityErrorDetail {
	d := client.CoreEntityErrorDetail{AtType: ptr(errorDetailType), Type: &typ, Messages: &messages}
	if field != "" {
		d.Field = &field
	}
	return d
}

// validationError is a 400 "validation error" listing what is wrong with the fields.
func validationError(details ...client.CoreEntityErrorDetail) *apiError {
	return newAPIError(http.StatusBadRequest, codeInvalidArgument, "validation error", details...)
}

func fieldError(field string, messages ...string) *apiError {
	return validationError(detail(detailField, field, messages...))
}

// uniqueViolation is Konnect's answer to a clash on a unique field: a 400, not a 409.
func uniqueViolation(field string) *apiError {
	return newAPIError(http.StatusBadRequest, codeInvalidArgument, "data constraint error",
		detail(detailReference, field, field+" (type: unique) constraint failed"))
}

// foreignViolation is the answer to a reference to an entity that does not exist.
func foreignViolation(field string) *apiError {
	return newAPIError(http.StatusBadRequest, codeInvalidArgument, "data constraint error",
		detail(detailReference, field, field+" (type: foreign) constraint failed"))
}

// referencedViolation refuses to delete an entity that others still reference.
func referencedViolation(referrer string) *apiError {
	return newAPIError(http.StatusBadRequest, codeInvalidArgument, "data constraint error",
		detail(detailReference, "", "constraint failed (type: foreign) as "+referrer+" references this value"))
}

// konnectError renders the domain's errors as Konnect's core-entity API answers them.
func konnectError(err error) (*apiError, bool) {
	var (
		nf *domain.NotFound
		uv *domain.UniqueViolation
		fk *domain.ForeignKeyViolation
		sv *domain.SchemaViolation
	)
	switch {
	case errors.As(err, &nf):
		return notFound(), true
	case errors.As(err, &uv):
		return uniqueViolation(uv.Field), true
	case errors.As(err, &fk) && fk.ReferencedBy != "":
		referrer := fk.ReferencedBy
		if k, ok := domain.ByName(referrer); ok {
			referrer = k.Display
		}
		return referencedViolation(referrer), true
	case errors.As(err, &fk):
		return foreignViolation(fk.Field), true
	case errors.As(err, &sv):
		details := make([]client.CoreEntityErrorDetail, 0, len(sv.Fields))
		for _, f := range sv.Fields {
			if f.Field == "" {
				details = append(details, detail(detailEntity, "", f.Message))
			} else {
				details = append(details, detail(detailField, f.Field, f.Message))
			}
		}
		return validationError(details...), true
	}
	return nil, false
}

func notFound() *apiError {
	return newAPIError(http.StatusNotFound, codeNotFound, "not found")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeRawJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeAPIError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.status, e.body)
}

// problem is a Konnect-native (control planes) error answer, application/problem+json.
type problem struct {
	status int
	body   client.BadRequestError
}

func newProblem(r *http.Request, status int, detail string, params ...client.InvalidParameter) *problem {
	p := &problem{status: status, body: client.BadRequestError{
		Status:   status,
		Title:    http.StatusText(status),
		Instance: "kong:trace:" + requestID(r),
		Detail:   detail,
	}}
	if len(params) > 0 {
		p.body.InvalidParameters = params
	}
	return p
}

func (p *problem) Error() string { return fmt.Sprintf("%d %s", p.status, p.body.Detail) }

func writeProblem(w http.ResponseWriter, p *problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.status)
	// invalid_parameters appears only on 400s.
	if p.body.InvalidParameters == nil {
		_ = json.NewEncoder(w).Encode(client.BaseError{Status: p.body.Status, Title: p.body.Title, Instance: p.body.Instance, Detail: p.body.Detail})
		return
	}
	_ = json.NewEncoder(w).Encode(p.body)
}

// isControlPlanePath tells the Konnect-native APIs (problem+json errors): control planes (not
// the core-entity API under them), identity (/v3) and the mesh API (/v1/mesh).
func isControlPlanePath(path string) bool {
	return strings.HasPrefix(path, "/v2/control-planes") && !strings.Contains(path, "/core-entities") ||
		strings.HasPrefix(path, "/v3/") || strings.HasPrefix(path, "/v1/mesh/")
}

func ptr[T any](v T) *T { return &v }
