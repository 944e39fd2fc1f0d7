package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// targetRefKinds are the kinds a Kuma targetRef may name, as the API's schema lists them.
var targetRefKinds = []string{
	string(client.TargetRefKindMesh), string(client.TargetRefKindMeshSubset), string(client.TargetRefKindMeshGateway),
	string(client.TargetRefKindMeshService), string(client.TargetRefKindMeshExternalService),
	string(client.TargetRefKindMeshMultiZoneService), string(client.TargetRefKindMeshServiceSubset),
	string(client.TargetRefKindMeshHTTPRoute), string(client.TargetRefKindDataplane),
}

// targetRefAttribute is a policy's target_ref (what it applies to, or in from[], which
// clients), shaped as Kong's Konnect beta provider has it.
func targetRefAttribute(required bool, description string) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Required: required, Optional: !required, MarkdownDescription: description,
		Attributes: map[string]schema.Attribute{
			"kind": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The kind of what is selected: " + quotedNames(targetRefKinds) + ".",
				Validators:          []validator.String{stringvalidator.OneOf(targetRefKinds...)},
			},
			"name": schema.StringAttribute{
				Optional: true, MarkdownDescription: "The name of what is selected (a MeshService, a Dataplane...).",
			},
			"namespace": schema.StringAttribute{
				Optional: true, MarkdownDescription: "The namespace of what is selected, on Kubernetes.",
			},
			"mesh": schema.StringAttribute{
				Optional: true, MarkdownDescription: "The mesh of what is selected, when it is not the policy's.",
			},
			"section_name": schema.StringAttribute{
				Optional: true, MarkdownDescription: "A section of what is selected: a port's name or number of a service, an inbound of a Dataplane.",
			},
			"tags": schema.MapAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "The tags the selected data planes carry (MeshSubset, MeshServiceSubset).",
			},
			"labels": schema.MapAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "The labels of the selected resources (instead of name).",
			},
			"proxy_types": schema.ListAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "The kinds of proxy selected: `Sidecar`, `Gateway`; both when unset.",
				Validators:          []validator.List{listvalidator.ValueStringsAre(stringvalidator.OneOf(string(client.ProxyTypeSidecar), string(client.ProxyTypeGateway)))},
			},
		},
	}
}
