package api

import (
	"encoding/json"
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/mesh"
)

// Two error formats meet here. Konnect's own answers (the mesh control planes, and a control
// plane that does not exist) are Konnect problem+json with a trace instance; what the Kuma
// control plane answers under .../api/ has Kuma's type "/std-errors", its titles ("Could not
// process a resource") and its field paths.
const (
	konnectBadRequestType = "https://kongapi.info/konnect/bad-request"
	konnectNotFoundType   = "https://kongapi.info/konnect/not-found"
	konnectConflictType   = "https://kongapi.info/konnect/conflict"
	kumaErrorType         = "/std-errors"
)

// Kuma's titles, which say what the control plane was doing when it refused.
const (
	titleProcess  = "Could not process a resource"
	titleCreate   = "Could not create a resource"
	titleUpdate   = "Could not update a resource"
	titleRetrieve = "Could not retrieve a resource"
	titleList     = "Could not retrieve resources"
	titleDelete   = "Could not delete a resource"
	titleMesh     = "Failed to retrieve Mesh"

	detailInvalid  = "Resource is not valid"
	detailNotFound = "Not found"
)

func writeError(w http.ResponseWriter, body client.MeshError) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(body.Status)
	_ = json.NewEncoder(w).Encode(body)
}

// traceInstance is Konnect's instance for a request: the emulator's request id.
func traceInstance(r *http.Request) *string {
	id := r.Header.Get("X-Kong-Request-Id")
	if id == "" {
		id = "0"
	}
	s := "kong:trace:" + id
	return &s
}

// konnectError is an answer of Konnect's own.
func konnectError(w http.ResponseWriter, r *http.Request, status int, typ, detail string, params ...client.MeshInvalidParameter) {
	body := client.MeshError{Type: typ, Status: status, Title: http.StatusText(status), Detail: detail, Instance: traceInstance(r)}
	if status == http.StatusBadRequest {
		body.InvalidParameters = &params
	}
	writeError(w, body)
}

func controlPlaneNotFound(w http.ResponseWriter, r *http.Request) {
	konnectError(w, r, http.StatusNotFound, konnectNotFoundType, "Not Found")
}

// kumaError is an answer of the Kuma control plane.
func kumaError(w http.ResponseWriter, status int, title, detail string, violations mesh.Violations) {
	body := client.MeshError{Type: kumaErrorType, Status: status, Title: title, Detail: detail}
	if len(violations) > 0 {
		params := make([]client.MeshInvalidParameter, 0, len(violations))
		for _, v := range violations {
			params = append(params, client.MeshInvalidParameter{Field: v.Field, Reason: v.Reason})
		}
		body.InvalidParameters = &params
	}
	writeError(w, body)
}

func kumaNotFound(w http.ResponseWriter, title string) {
	kumaError(w, http.StatusNotFound, title, detailNotFound, nil)
}

func kumaInvalid(w http.ResponseWriter, title string, v mesh.Violations) {
	kumaError(w, http.StatusBadRequest, title, detailInvalid, v)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
