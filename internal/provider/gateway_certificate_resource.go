package provider

import (
	"context"
	"io"
	"net/http"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_gateway_certificate.
var gatewayCertificate = &entityDef{
	typeName:    "gateway_certificate",
	entity:      "certificate",
	schemaName:  "Certificate",
	description: "A TLS certificate and its private key, served for its SNIs or presented to upstreams.",
	fields: fieldOptions{
		sensitive: []string{"key", "key_alt"},
	},
	api: entityAPI{
		get: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.GetCertificate(ctx, k.cp, k.id)
		},
		put: func(ctx context.Context, c *client.Client, k entityKey, body io.Reader) (*http.Response, error) {
			return c.UpsertCertificateWithBody(ctx, k.cp, k.id, jsonContent, body)
		},
		del: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.DeleteCertificate(ctx, k.cp, k.id)
		},
	},
}
