package provider_test

import "testing"

func TestAccGatewayJWT(t *testing.T) {
	l := credentialLifecycle("gateway_jwt", "jwt", `
  key       = "alice-issuer"
  algorithm = "HS256"
  secret    = "jwt-secret-1"`, `
  key       = "alice-issuer"
  algorithm = "HS256"
  secret    = "jwt-secret-2"`)
	l.created = expect(map[string]any{"secret": "jwt-secret-1", "key": "alice-issuer"})
	l.updated = expect(map[string]any{"secret": "jwt-secret-2", "key": "alice-issuer"})
	l.run(t)
}
