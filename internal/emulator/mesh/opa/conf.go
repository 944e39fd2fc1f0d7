package opa

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Conf is a MeshOPA's spec.default.
type Conf struct {
	AgentConfig    *DataSource    `json:"agentConfig,omitempty"`
	AppendPolicies []AppendPolicy `json:"appendPolicies,omitempty"`
	AuthConfig     *AuthConfig    `json:"authConfig,omitempty"`
}

// DataSource is where a policy or an agent configuration comes from: exactly one of a string,
// base64 bytes, or the name of a mesh secret.
type DataSource struct {
	Inline       *string `json:"inline,omitempty"`
	InlineString *string `json:"inlineString,omitempty"`
	Secret       *string `json:"secret,omitempty"`
}

// AppendPolicy is one Rego policy. Kong Mesh 2.x documents the data source directly on the
// entry (`inlineString`, `secret`); the CRD nests it under `rego`. Both are read.
type AppendPolicy struct {
	Rego           *DataSource `json:"rego,omitempty"`
	Inline         *string     `json:"inline,omitempty"`
	InlineString   *string     `json:"inlineString,omitempty"`
	Secret         *string     `json:"secret,omitempty"`
	IgnoreDecision bool        `json:"ignoreDecision,omitempty"`

	// Origin names the MeshOPA the entry came from, so errors and file names say where it is.
	Origin string `json:"-"`
}

// AuthConfig is the ext_authz filter's configuration.
type AuthConfig struct {
	OnAgentFailure *string      `json:"onAgentFailure,omitempty"`
	StatusOnError  *int         `json:"statusOnError,omitempty"`
	Timeout        *string      `json:"timeout,omitempty"`
	RequestBody    *RequestBody `json:"requestBody,omitempty"`
}

// RequestBody says whether and how much of the request body the policy sees.
type RequestBody struct {
	MaxSize     *int  `json:"maxSize,omitempty"`
	SendRawBody *bool `json:"sendRawBody,omitempty"`
}

// ParseConf reads a MeshOPA's spec.default and tags each appendPolicies entry with origin.
func ParseConf(origin string, raw json.RawMessage) (Conf, error) {
	var c Conf
	if len(raw) == 0 || string(raw) == "null" {
		return c, nil
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return Conf{}, fmt.Errorf("MeshOPA %s spec.default: %w", origin, err)
	}
	for i := range c.AppendPolicies {
		c.AppendPolicies[i].Origin = origin
	}
	return c, nil
}

// Merge combines the confs of the MeshOPAs that select one inbound, least specific first, as
// Kuma merges policy confs: appendPolicies are appended, the other fields are replaced by the
// later conf that sets them.
func Merge(confs ...Conf) Conf {
	var out Conf
	for _, c := range confs {
		out.AppendPolicies = append(out.AppendPolicies, c.AppendPolicies...)
		if c.AgentConfig != nil {
			out.AgentConfig = c.AgentConfig
		}
		if c.AuthConfig == nil {
			continue
		}
		if out.AuthConfig == nil {
			out.AuthConfig = &AuthConfig{}
		}
		a := c.AuthConfig
		if a.OnAgentFailure != nil {
			out.AuthConfig.OnAgentFailure = a.OnAgentFailure
		}
		if a.StatusOnError != nil {
			out.AuthConfig.StatusOnError = a.StatusOnError
		}
		if a.Timeout != nil {
			out.AuthConfig.Timeout = a.Timeout
		}
		if a.RequestBody != nil {
			out.AuthConfig.RequestBody = a.RequestBody
		}
	}
	return out
}

// Settings are the enforcement knobs of authConfig with Kong Mesh's defaults applied.
type Settings struct {
	// FailOpen lets a request through when the policy cannot decide (onAgentFailure: Allow).
	FailOpen bool
	// StatusOnError is the status of a request refused because the policy could not decide.
	StatusOnError int
	// Timeout bounds one decision; zero means no bound.
	Timeout time.Duration
	// SendBody says whether the policy sees the request body, at most MaxBody bytes of it.
	SendBody bool
	MaxBody  int
	// SendRawBody sends the body as bytes (rawBody) instead of a string (body).
	SendRawBody bool
}

// Settings reads authConfig. Values Kong Mesh would refuse are errors.
func (c Conf) Settings() (Settings, error) {
	s := Settings{StatusOnError: http.StatusForbidden}
	a := c.AuthConfig
	if a == nil {
		return s, nil
	}
	if a.OnAgentFailure != nil {
		// Kong Mesh 2.x documents lowercase allow/deny; the CRD enum is capitalised.
		switch strings.ToLower(*a.OnAgentFailure) {
		case "allow":
			s.FailOpen = true
		case "deny":
		default:
			return s, fmt.Errorf("authConfig.onAgentFailure: %q is not Allow or Deny", *a.OnAgentFailure)
		}
	}
	if a.StatusOnError != nil {
		if http.StatusText(*a.StatusOnError) == "" {
			return s, fmt.Errorf("authConfig.statusOnError: %d is not an HTTP status", *a.StatusOnError)
		}
		s.StatusOnError = *a.StatusOnError
	}
	if a.Timeout != nil && *a.Timeout != "" {
		d, err := time.ParseDuration(*a.Timeout)
		if err != nil {
			return s, fmt.Errorf("authConfig.timeout: %w", err)
		}
		s.Timeout = d
	}
	if rb := a.RequestBody; rb != nil {
		if rb.MaxSize != nil && *rb.MaxSize > 0 {
			s.SendBody = true
			s.MaxBody = *rb.MaxSize
		}
		s.SendRawBody = rb.SendRawBody != nil && *rb.SendRawBody
	}
	return s, nil
}

// Modules resolves every appendPolicies entry to a policy file. secrets maps a mesh secret's
// name to its decoded data.
func (c Conf) Modules(secrets map[string][]byte) ([]Module, error) {
	mods := make([]Module, 0, len(c.AppendPolicies))
	for i, p := range c.AppendPolicies {
		src := p.source()
		where := fmt.Sprintf("appendPolicies[%d]", i)
		if p.Origin != "" {
			where = p.Origin + "/" + where
		}
		text, err := src.Resolve(secrets)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		mods = append(mods, Module{File: where + ".rego", Text: string(text), IgnoreDecision: p.IgnoreDecision})
	}
	return mods, nil
}

// Resolve returns the bytes a data source names.
func (d DataSource) Resolve(secrets map[string][]byte) ([]byte, error) {
	set := 0
	for _, p := range []*string{d.Inline, d.InlineString, d.Secret} {
		if p != nil {
			set++
		}
	}
	if set != 1 {
		return nil, fmt.Errorf("exactly one of inline, inlineString or secret must be set, got %d", set)
	}
	switch {
	case d.InlineString != nil:
		return []byte(*d.InlineString), nil
	case d.Inline != nil:
		b, err := base64.StdEncoding.DecodeString(*d.Inline)
		if err != nil {
			return nil, fmt.Errorf("inline is not base64: %w", err)
		}
		return b, nil
	default:
		b, ok := secrets[*d.Secret]
		if !ok {
			return nil, fmt.Errorf("secret %q not found in the mesh", *d.Secret)
		}
		return b, nil
	}
}
