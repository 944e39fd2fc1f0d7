package provider_test

import "testing"

func TestAccGatewayACL(t *testing.T) {
	l := credentialLifecycle("gateway_acl", "acls", `  group = "gold"`, `  group = "platinum"`)
	l.created = expect(map[string]any{"group": "gold"})
	l.updated = expect(map[string]any{"group": "platinum"})
	l.run(t)
}
