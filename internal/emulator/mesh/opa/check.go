package opa

import (
	"context"
	"errors"
	"fmt"
)

// Check compiles what can be compiled of a MeshOPA's spec.default when it is stored, so an API
// can refuse a policy the agent would reject, with OPA's message and line. Policies in mesh
// secrets that do not exist yet are skipped (the secret may come later); so is the combination
// check when nothing decides, since more MeshOPAs may be appended to the same inbound.
func Check(ctx context.Context, origin string, c Conf, secrets map[string][]byte) error {
	if _, err := c.Settings(); err != nil {
		return fmt.Errorf("MeshOPA %s: %w", origin, err)
	}
	if c.AgentConfig != nil {
		raw, err := c.AgentConfig.Resolve(secrets)
		if err == nil {
			_, err = ParseAgentConfig(raw)
		}
		if err != nil && !isMissingSecret(c.AgentConfig, secrets) {
			return fmt.Errorf("MeshOPA %s: %w", origin, err)
		}
	}
	var mods []Module
	for i, p := range c.AppendPolicies {
		p.Origin = origin
		one := Conf{AppendPolicies: []AppendPolicy{p}}
		m, err := one.Modules(secrets)
		if err != nil {
			if src := p.source(); isMissingSecret(src, secrets) {
				continue
			}
			return fmt.Errorf("appendPolicies[%d]: %w", i, err)
		}
		m[0].File = fmt.Sprintf("%s/appendPolicies[%d].rego", origin, i)
		mods = append(mods, m...)
	}
	if len(mods) == 0 {
		return nil
	}
	if _, err := Compile(ctx, mods); err != nil && !errors.Is(err, errNoDecider) {
		return err
	}
	return nil
}

func isMissingSecret(d *DataSource, secrets map[string][]byte) bool {
	if d == nil || d.Secret == nil || d.Inline != nil || d.InlineString != nil {
		return false
	}
	_, ok := secrets[*d.Secret]
	return !ok
}

// source is the entry's data source in either of its two spellings.
func (p AppendPolicy) source() *DataSource {
	if p.Rego != nil {
		return p.Rego
	}
	return &DataSource{Inline: p.Inline, InlineString: p.InlineString, Secret: p.Secret}
}
