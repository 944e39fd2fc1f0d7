package provider

import (
	"strings"
	"testing"
)

func TestCheckRego(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, src string
		want      []string // in the error; none when the policy compiles
	}{
		{name: "v1", src: "package envoy.authz\n\ndefault allow := false\n\nallow if input.attributes.request.http.method == \"GET\"\n"},
		{name: "v0 as Kong Mesh 2.x documents it", src: "package envoy.authz\n\ndefault allow = false\n\nallow {\n  input.attributes.request.http.method == \"GET\"\n}\n"},
		{name: "v1 JWT policy of the konnect_mesh_opa example", src: jwtPolicyV1},
		{
			name: "unfinished assignment", src: "package envoy.authz\n\ndefault allow := false\n\nallow if {\n  token :=\n}\n",
			want: []string{"line 7", "rego_parse_error"},
		},
		{
			// v1 stops at line 3 (no `if`); v0 reads on to the real mistake, which is reported.
			name: "v0 rule with a typo", src: "package envoy.authz\n\nallow {\n  input.method == \"GET\"\n  x := [1, 2\n}\n",
			want: []string{"line 6, column 1", "rego_parse_error: unexpected } token"},
		},
		{
			name: "unsafe variable", src: "package envoy.authz\n\nallow if {\n  y == 1\n}\n",
			want: []string{"line 4", "rego_unsafe_var_error", "var y is unsafe"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := checkRego(c.src)
			if len(c.want) == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("compiled")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

const jwtPolicyV1 = `package envoy.authz

import input.attributes.request.http as http_request

default allow := false

token := {"valid": valid, "payload": payload} if {
  [_, encoded] := split(http_request.headers.authorization, " ")
  [valid, _, payload] := io.jwt.decode_verify(encoded, {"secret": "secret"})
}

allow if {
  token.valid
  token.payload.role == "admin"
  http_request.method == "GET"
}
`
