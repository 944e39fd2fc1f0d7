package provider

import (
	"context"
	"io"
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_gateway_ca_certificate.
var gatewayCACertificate = &entityDef{
	typeName:    "gateway_ca_certificate",
	entity:      "CA certificate",
	schemaName:  "CACertificate",
	description: "A trusted CA certificate, used to verify upstream and client certificates.",
	fields: fieldOptions{
		generated: []string{"cert_digest"},
	},
	api: entityAPI{
		get: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.GetCaCertificate(ctx, k.cp, k.id)
		},
		put: func(ctx context.Context, c *client.Client, k entityKey, body io.Reader) (*http.Response, error) {
			return c.UpsertCaCertificateWithBody(ctx, k.cp, k.id, jsonContent, body)
		},
		del: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.DeleteCaCertificate(ctx, k.cp, k.id)
		},
	},
}
