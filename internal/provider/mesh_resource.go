package provider

import (
	"bytes"
	"context"
	"net/http"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_mesh: a mesh of a Konnect mesh control plane, which data
// planes join and policies apply in.
var meshDef = &kumaDef{
	typeName: "mesh", kumaType: "Mesh",
	description: "A mesh of a Konnect mesh control plane: the data planes that join it, its secrets and its policies. " +
		"Deleting it deletes everything in it.",
	attrs: map[string]schema.Attribute{
		"networking": schema.SingleNestedAttribute{
			Optional: true, MarkdownDescription: "Networking settings. Stored; the emulator does not act on them.",
			Attributes: map[string]schema.Attribute{
				"outbound": schema.SingleNestedAttribute{
					Optional: true, MarkdownDescription: "Outbound traffic.",
					Attributes: map[string]schema.Attribute{
						"passthrough": schema.BoolAttribute{Optional: true, MarkdownDescription: "Let traffic to destinations outside the mesh through."},
					},
				},
			},
		},
		"routing": schema.SingleNestedAttribute{
			Optional: true, MarkdownDescription: "Routing settings. Stored; the emulator does not act on them.",
			Attributes: map[string]schema.Attribute{
				"default_forbid_mesh_external_service_access": schema.BoolAttribute{Optional: true, MarkdownDescription: "Deny access to external services unless a policy allows it."},
				"locality_aware_load_balancing":               schema.BoolAttribute{Optional: true, MarkdownDescription: "Prefer endpoints in the same zone."},
				"zone_egress":                                 schema.BoolAttribute{Optional: true, MarkdownDescription: "Send traffic between zones through zone egress."},
			},
		},
		"skip_creating_initial_policies": schema.ListAttribute{
			Optional: true, ElementType: types.StringType,
			MarkdownDescription: "The default policies not to create with the mesh (`*` for all). Stored; the emulator creates none.",
		},
	},
	api: kumaAPI{
		get: func(ctx context.Context, c *client.Client, k kumaKey) (*http.Response, error) {
			return c.GetMesh(ctx, k.cp, k.name)
		},
		put: func(ctx context.Context, c *client.Client, k kumaKey, body *bytes.Reader) (*http.Response, error) {
			return c.PutMeshWithBody(ctx, k.cp, k.name, jsonContent, body)
		},
		del: func(ctx context.Context, c *client.Client, k kumaKey) (*http.Response, error) {
			return c.DeleteMesh(ctx, k.cp, k.name)
		},
	},
}
