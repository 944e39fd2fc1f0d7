package provider_test

import "testing"

func TestAccGatewayCertificate(t *testing.T) {
	const addr = "konnect_gateway_certificate.this"
	cert, key := testCertificate(t, "api.example.com")
	block := func(tags string) string {
		return `
resource "konnect_gateway_certificate" "this" {
  control_plane_id = %[1]q
  cert             = ` + heredoc(cert) + `
  key              = ` + heredoc(key) + `
  tags             = ` + tags + `
}
`
	}
	lifecycle{
		addr:        addr,
		create:      block(`["edge"]`),
		update:      block(`["edge", "rotated"]`),
		apiPath:     coreEntityPath(addr, "certificates"),
		created:     expect(map[string]any{"tags": []any{"edge"}}),
		updated:     expect(map[string]any{"tags": []any{"edge", "rotated"}}),
		importAttrs: []string{"control_plane_id", "id"},
		// Terraform does not write sensitive values into generated configuration.
		noGeneratedConfig: true,
	}.run(t)
}
