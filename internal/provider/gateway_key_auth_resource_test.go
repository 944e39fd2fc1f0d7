package provider_test

import "testing"

func TestAccGatewayKeyAuth(t *testing.T) {
	l := credentialLifecycle("gateway_key_auth", "key-auth",
		`  key = "alice-key-1"`,
		`  key = "alice-key-2"`)
	l.created = expect(map[string]any{"key": "alice-key-1"})
	l.updated = expect(map[string]any{"key": "alice-key-2"})
	l.run(t)
}
