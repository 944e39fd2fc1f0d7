package provider

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// apiErrorDiagnostic explains a failed call in words: a summary naming the action and the
// entity, and a detail with what the API said about each field. It never includes the
// request's headers (so never the token) nor a raw HTTP dump.
//
// body is what was sent, to name the clashing value of a uniqueness error; cp is the
// control plane's id.
func apiErrorDiagnostic(action, entity string, err error, body map[string]any, cp string) diag.Diagnostic {
	summary := fmt.Sprintf("Unable to %s %s", action, entity)
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) {
		return diag.NewErrorDiagnostic(summary, "The Konnect API could not be reached: "+err.Error())
	}
	var detail string
	switch {
	case apiErr.StatusCode == http.StatusUnauthorized:
		detail = "The Konnect API refused the access token (401). Check personal_access_token or system_account_access_token in the provider block, or KONNECT_TOKEN / KONNECT_SPAT."
	case apiErr.StatusCode == http.StatusForbidden:
		detail = "The access token is not allowed to do this (403): " + apiErr.Detail()
	case client.IsConflict(err):
		var clashes []string
		for _, f := range apiErr.Fields {
			if f.Field == "" {
				continue
			}
			if v, ok := body[f.Field]; ok && v != nil {
				clashes = append(clashes, fmt.Sprintf("%s %q already exists", f.Field, fmt.Sprint(v)))
			} else {
				clashes = append(clashes, f.Field+" is already taken")
			}
		}
		if len(clashes) == 0 {
			clashes = []string{"an equal " + entity + " already exists"}
		}
		detail = strings.Join(clashes, "; ")
		if cp != "" {
			detail += " in control plane " + cp
		}
		detail += "."
	case apiErr.StatusCode == http.StatusNotFound && cp == "":
		detail = fmt.Sprintf("The %s or what it belongs to does not exist (404): %s", entity, apiErr.Detail())
	case apiErr.StatusCode == http.StatusNotFound:
		detail = fmt.Sprintf("The %s or what it belongs to (control plane %s) does not exist (404).", entity, cp)
	case len(apiErr.Fields) > 0:
		lines := []string{"The Konnect API rejected the " + entity + " (" + fmt.Sprint(apiErr.StatusCode) + " " + apiErr.Message + "):"}
		for _, f := range apiErr.Fields {
			msg := strings.Join(f.Messages, "; ")
			if f.Field != "" {
				msg = f.Field + ": " + msg
			}
			lines = append(lines, "  - "+msg)
		}
		detail = strings.Join(lines, "\n")
	default:
		detail = fmt.Sprintf("The Konnect API answered %d: %s", apiErr.StatusCode, apiErr.Detail())
	}
	if apiErr.RequestID != "" {
		detail += "\n\nRequest id (for Kong support): " + apiErr.RequestID
	}
	return diag.NewErrorDiagnostic(summary+": "+firstLine(detail), detail)
}

// mayHaveActed tells whether a failed call may still have been carried out: its answer was
// lost (the connection broke after the request was sent) or is a server error (5xx) that a
// proxy may give after the server acted. A 4xx is a refusal: nothing was done.
func mayHaveActed(err error) bool {
	if err == nil {
		return false
	}
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode >= http.StatusInternalServerError
	}
	return true
}

// maxCreateAttempts bounds how often createOnce sends a create.
const maxCreateAttempts = 4

// createOnce sends a create the client does not repeat on its own (a POST, which may act
// twice) and makes it safe to repeat. find looks for what the create makes, by what is unique
// about it (a control plane's name, a membership). It is asked first: what exists already is
// not this create's, so the create is sent once and its answer (the API's refusal) stands.
// Otherwise, after a failure that may have been carried out, what find sees is this create's
// and is adopted; if it sees nothing, nothing was done and the create is sent again. A
// conflict after such a failure means an earlier attempt did it: find adopts it.
func createOnce[T any](create func() (T, error), find func() (T, bool, error)) (T, error) {
	var zero T
	if _, existed, err := find(); err != nil {
		return zero, err
	} else if existed {
		return create()
	}
	ambiguous := false
	for attempt := 1; ; attempt++ {
		got, err := create()
		if err == nil {
			return got, nil
		}
		if !mayHaveActed(err) && (!ambiguous || !client.IsConflict(err)) {
			return zero, err
		}
		ambiguous = true
		found, ok, ferr := find()
		switch {
		case ferr != nil:
			return zero, fmt.Errorf("%w (and looking for what it may have created failed: %w)", err, ferr)
		case ok:
			return found, nil
		case attempt >= maxCreateAttempts:
			return zero, err
		}
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSuffix(s, ":")
}

// configuredClient is the client the provider's Configure made, for a resource's or data
// source's Configure; nil before the provider is configured (validation runs before it).
func configuredClient(data any, diags *diag.Diagnostics) *client.Client {
	if data == nil {
		return nil
	}
	c, ok := data.(*client.Client)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("Expected *client.Client, got %T. This is a bug in the provider.", data))
	}
	return c
}
