package provider_test

import "testing"

func TestAccGatewayCACertificate(t *testing.T) {
	const addr = "konnect_gateway_ca_certificate.this"
	cert, _ := testCertificate(t, "Example Root CA")
	block := func(tags string) string {
		return `
resource "konnect_gateway_ca_certificate" "this" {
  control_plane_id = %[1]q
  cert             = ` + heredoc(cert) + `
  tags             = ` + tags + `
}
`
	}
	lifecycle{
		addr:    addr,
		create:  block(`["pki"]`),
		update:  block(`["pki", "upstream-mtls"]`),
		apiPath: coreEntityPath(addr, "ca_certificates"),
		created: func(e map[string]any) error {
			return expect(map[string]any{"tags": []any{"pki"}})(e)
		},
		updated:     expect(map[string]any{"tags": []any{"pki", "upstream-mtls"}}),
		importAttrs: []string{"control_plane_id", "id"},
	}.run(t)
}
