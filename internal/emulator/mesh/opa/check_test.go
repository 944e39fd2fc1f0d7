package opa

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCheck: storing a MeshOPA can be refused with OPA's message and line; a policy in a secret
// that does not exist yet is not an error.
func TestCheck(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, conf string
		wantErr    string
	}{
		{"v0 policy", `{"appendPolicies":[{"rego":{"inlineString":"package a\n\ndefault allow = false\nallow { true }\n"}}]}`, ""},
		{"syntax error (the expression ends on line 5)", `{"appendPolicies":[{"rego":{"inlineString":"package a\n\nallow if {\n  input.x ==\n}\n"}}]}`,
			"jwt/appendPolicies[0].rego:5: rego_parse_error"},
		{"second entry broken", `{"appendPolicies":[{"inlineString":"package a\nallow := true\n"},{"inlineString":"package b\nallow if x\n"}]}`,
			"jwt/appendPolicies[1].rego:2: rego_unsafe_var_error: var x is unsafe"},
		{"secret not there yet", `{"appendPolicies":[{"rego":{"secret":"later"}}]}`, ""},
		{"bad base64", `{"appendPolicies":[{"rego":{"inline":"%%%"}}]}`, "inline is not base64"},
		{"bad onAgentFailure", `{"authConfig":{"onAgentFailure":"Maybe"}}`, `"Maybe" is not Allow or Deny`},
		{"bad agentConfig", `{"agentConfig":{"inlineString":"decision_logs: [1\n"}}`, "agentConfig"},
	}
	for _, c := range cases {
		conf, err := ParseConf("jwt", json.RawMessage(c.conf))
		if err != nil {
			t.Fatal(err)
		}
		err = Check(t.Context(), "jwt", conf, nil)
		if c.wantErr == "" && err != nil || c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
			t.Errorf("%s: err %v, want %q", c.name, err, c.wantErr)
		}
	}
}
