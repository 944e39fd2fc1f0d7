package provider_test

import "testing"

func TestAccGatewayHMACAuth(t *testing.T) {
	l := credentialLifecycle("gateway_hmac_auth", "hmac-auth", `
  username = "alice-hmac"
  secret   = "hmac-secret-1"`, `
  username = "alice-hmac"
  secret   = "hmac-secret-2"`)
	l.created = expect(map[string]any{"secret": "hmac-secret-1", "username": "alice-hmac"})
	l.updated = expect(map[string]any{"secret": "hmac-secret-2", "username": "alice-hmac"})
	l.run(t)
}
