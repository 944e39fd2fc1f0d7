package opa

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// TestReadDecision reads the boolean and object forms as the OPA-Envoy plugin does, and refuses
// what it refuses.
func TestReadDecision(t *testing.T) {
	t.Parallel()
	obj := func(s string) any {
		d := json.NewDecoder(strings.NewReader(s))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		name    string
		value   any
		want    Decision
		wantErr string
	}{
		{"true", true, Decision{Allowed: true, Status: 403}, ""},
		{"false", false, Decision{Status: 403}, ""},
		{"deny object", obj(`{"allowed": false, "http_status": 401, "body": "no", "headers": {"www-authenticate": "Bearer"}}`),
			Decision{Status: 401, Body: "no", HasBody: true, Headers: http.Header{"Www-Authenticate": {"Bearer"}}}, ""},
		{"allow object", obj(`{"allowed": true, "headers": [{"x-user": "alice"}, {"x-team": ["a", "b"]}], "response_headers_to_add": {"x-by": "opa"}, "request_headers_to_remove": ["authorization"]}`),
			Decision{Allowed: true, Status: 403, Headers: http.Header{"X-User": {"alice"}, "X-Team": {"a", "b"}},
				ResponseHeadersToAdd: http.Header{"X-By": {"opa"}}, RequestHeadersToRemove: []string{"authorization"}}, ""},
		{"missing allowed", obj(`{"http_status": 401}`), Decision{}, `missing "allowed" key`},
		{"allowed not bool", obj(`{"allowed": "yes"}`), Decision{}, "expected allowed to be of type 'boolean'"},
		{"string", "yes", Decision{}, "illegal value for policy evaluation result: string"},
		{"bad status", obj(`{"allowed": false, "http_status": 999}`), Decision{}, "invalid HTTP status code 999"},
		{"body not string", obj(`{"allowed": false, "body": 1}`), Decision{}, "expected body to be of type 'string'"},
	}
	for _, c := range cases {
		got, err := ReadDecision(c.value)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: err %v, want %q", c.name, err, c.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %+v %v, want %+v", c.name, got, err, c.want)
		}
	}
}
