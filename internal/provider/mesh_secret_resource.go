package provider

import (
	"bytes"
	"context"
	"net/http"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_mesh_secret: a secret of a mesh, which policies name
// (a MeshOPA policy kept in a secret).
var meshSecretDef = &kumaDef{
	typeName: "mesh_secret", kumaType: "Secret", meshScoped: true,
	description: "A secret of a Konnect mesh: a value, base64-encoded, that policies refer to by name.",
	attrs: map[string]schema.Attribute{
		"data": schema.StringAttribute{
			Required: true, Sensitive: true,
			MarkdownDescription: "The value, base64-encoded (`base64encode(...)`).",
		},
	},
	api: kumaAPI{
		get: func(ctx context.Context, c *client.Client, k kumaKey) (*http.Response, error) {
			return c.GetSecret(ctx, k.cp, k.mesh, k.name)
		},
		put: func(ctx context.Context, c *client.Client, k kumaKey, body *bytes.Reader) (*http.Response, error) {
			return c.PutSecretWithBody(ctx, k.cp, k.mesh, k.name, jsonContent, body)
		},
		del: func(ctx context.Context, c *client.Client, k kumaKey) (*http.Response, error) {
			return c.DeleteSecret(ctx, k.cp, k.mesh, k.name)
		},
	},
}
