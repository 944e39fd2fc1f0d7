package provider_test

import "testing"

func TestAccGatewaySNI(t *testing.T) {
	const addr = "konnect_gateway_sni.this"
	cert, key := testCertificate(t, "api.example.com")
	block := func(name string) string {
		return `
resource "konnect_gateway_certificate" "cert" {
  control_plane_id = %[1]q
  cert             = ` + heredoc(cert) + `
  key              = ` + heredoc(key) + `
}

resource "konnect_gateway_sni" "this" {
  control_plane_id = %[1]q
  name             = "` + name + `"
  certificate      = { id = konnect_gateway_certificate.cert.id }
}
`
	}
	lifecycle{
		addr:        addr,
		create:      block("api.example.com"),
		update:      block("*.example.com"),
		apiPath:     coreEntityPath(addr, "snis"),
		created:     expect(map[string]any{"name": "api.example.com"}),
		updated:     expect(map[string]any{"name": "*.example.com"}),
		importAttrs: []string{"control_plane_id", "id"},
	}.run(t)
}
