package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
)

// Attributes the identity resources share.

// readOnlyString is a value only the API sets. kept: it never changes once set (a creation
// time), so plans keep it from the state; otherwise it is unknown whenever the object changes.
func readOnlyString(desc string, kept bool) schema.StringAttribute {
	a := schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	if kept {
		a.PlanModifiers = []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	}
	return a
}

func readOnlyBool(desc string) schema.BoolAttribute {
	return schema.BoolAttribute{Computed: true, MarkdownDescription: desc,
		PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()}}
}

// timestampAttributes are created_at and updated_at.
func timestampAttributes(entity string, attrs map[string]schema.Attribute) map[string]schema.Attribute {
	attrs["created_at"] = readOnlyString("When the "+entity+" was created (RFC 3339).", true)
	attrs["updated_at"] = readOnlyString("When the "+entity+" was last changed (RFC 3339).", false)
	return attrs
}
