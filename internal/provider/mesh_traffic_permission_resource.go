package provider

import (
	"bytes"
	"context"
	"net/http"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_mesh_traffic_permission: which clients may
// reach the selected data planes.
var meshTrafficPermissionDef = &kumaDef{
	typeName: "mesh_traffic_permission", kumaType: "MeshTrafficPermission", meshScoped: true, hasKRI: true,
	description: "A MeshTrafficPermission policy of a Konnect mesh: which clients may reach the selected data planes.",
	attrs: map[string]schema.Attribute{
		"spec": schema.SingleNestedAttribute{
			Required: true, MarkdownDescription: "The policy.",
			Attributes: map[string]schema.Attribute{
				"target_ref": targetRefAttribute(false, "The data planes the policy protects; the whole mesh when unset."),
				"from": schema.ListNestedAttribute{
					Optional: true, MarkdownDescription: "The clients, and what they may do (the API requires at least one).",
					NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
						"target_ref": targetRefAttribute(true, "The clients: `Mesh` for every one, or the services (`MeshService`, `MeshSubset`...)."),
						"default": schema.SingleNestedAttribute{
							Optional: true, MarkdownDescription: "What the clients may do.",
							Attributes: map[string]schema.Attribute{
								"action": schema.StringAttribute{
									Optional: true, MarkdownDescription: "`Allow`, `Deny` or `AllowWithShadowDeny` (allowed, and logged as if denied).",
									Validators: []validator.String{stringvalidator.OneOf("Allow", "Deny", "AllowWithShadowDeny")},
								},
							},
						},
					}},
				},
			},
		},
	},
	api: kumaAPI{
		get: func(ctx context.Context, c *client.Client, k kumaKey) (*http.Response, error) {
			return c.GetMeshTrafficPermission(ctx, k.cp, k.mesh, k.name)
		},
		put: func(ctx context.Context, c *client.Client, k kumaKey, body *bytes.Reader) (*http.Response, error) {
			return c.PutMeshTrafficPermissionWithBody(ctx, k.cp, k.mesh, k.name, jsonContent, body)
		},
		del: func(ctx context.Context, c *client.Client, k kumaKey) (*http.Response, error) {
			return c.DeleteMeshTrafficPermission(ctx, k.cp, k.mesh, k.name)
		},
	},
}
