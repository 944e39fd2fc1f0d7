package provider

import (
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// createOnce repeats a create only when it learnt that nothing was done, adopts what an
// attempt whose answer was lost made, and never repeats after a refusal.
func TestCreateOnce(t *testing.T) {
	t.Parallel()
	lost := io.ErrUnexpectedEOF
	unavailable := &client.APIError{StatusCode: http.StatusServiceUnavailable}
	conflict := &client.APIError{StatusCode: http.StatusConflict}
	refused := &client.APIError{StatusCode: http.StatusBadRequest}
	for _, tc := range []struct {
		name    string
		answers []error // one per create attempt
		exists  []bool  // what find sees before the first attempt and after each failed one
		want    error
		creates int
	}{
		{"ok", []error{nil}, []bool{false}, nil, 1},
		{"refused", []error{refused}, []bool{false}, refused, 1},
		{"lost after acting: adopted", []error{lost}, []bool{false, true}, nil, 1},
		{"503 before acting: sent again", []error{unavailable, nil}, []bool{false, false}, nil, 2},
		{"conflict after a lost answer: adopted", []error{lost, conflict}, []bool{false, false, true}, nil, 2},
		{"conflict first: refused", []error{conflict}, []bool{false}, conflict, 1},
		{"never found: gives up", []error{lost, lost, lost, lost}, []bool{false, false, false, false, false}, lost, maxCreateAttempts},
		{"existed before: never adopted", []error{unavailable}, []bool{true}, unavailable, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			creates, finds := 0, 0
			got, err := createOnce(
				func() (string, error) {
					creates++
					if err := tc.answers[creates-1]; err != nil {
						return "", err
					}
					return "created", nil
				},
				func() (string, bool, error) {
					finds++
					return "found", tc.exists[finds-1], nil
				})
			if !errors.Is(err, tc.want) || creates != tc.creates {
				t.Fatalf("err %v after %d creates; want %v after %d", err, creates, tc.want, tc.creates)
			}
			if err == nil && got == "" {
				t.Fatal("no result")
			}
		})
	}
}
