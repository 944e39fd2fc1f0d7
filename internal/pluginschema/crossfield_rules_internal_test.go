package pluginschema

import "testing"

// Every hand-written cross-field rule belongs to a generated plugin that is registered, so a
// rule cannot sit unused under a misspelt or removed name.
func TestCrossFieldRulesNameGeneratedPlugins(t *testing.T) {
	t.Parallel()
	for name := range crossFieldRules {
		p, ok := Lookup(name)
		if !ok || !p.Generated {
			t.Errorf("cross-field rules for %q, which is not a generated plugin", name)
		}
	}
}
