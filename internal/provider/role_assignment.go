package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// A role assignment (konnect_team_role, konnect_system_account_role) gives its holder a role on
// one entity, or on every entity of a type with entity_id "*". It cannot be changed, only
// replaced; the API refuses a second equal one (409).

// roleAssignmentDef builds the definition of a holder's role assignments.
func roleAssignmentDef(typeName, holder, parent string, api identityAPI,
	list func(ctx context.Context, c *client.Client, parent string) ([]client.AssignedRole, error),
) *identityDef {
	api.find = func(ctx context.Context, c *client.Client, parent string, body map[string]any) (map[string]any, bool, error) {
		assigned, err := list(ctx, c, parent)
		if err != nil {
			return nil, false, err
		}
		for _, a := range assigned {
			if sameAssignment(a, body) {
				m, err := asMap(a)
				return m, err == nil, err
			}
		}
		return nil, false, nil
	}
	return &identityDef{
		typeName: typeName,
		entity:   holder + " role",
		description: fmt.Sprintf("Gives a %s a role on a Konnect entity (such as `Viewer` on one control plane), or on every entity of a type with `entity_id = \"*\"`. "+
			"Every attribute forces a new assignment.", holder),
		parent:            parent,
		parentDescription: fmt.Sprintf("The id of the %s given the role.", holder),
		attributes:        roleAssignmentAttributes(),
		createFields:      []string{"role_name", "entity_type_name", "entity_id", "entity_region"},
		importKeys:        []string{parent, "id"},
		api:               api,
	}
}

func roleAssignmentAttributes() map[string]schema.Attribute {
	request := specSchema("AssignRoleRequest").Properties
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	enumAttr := func(field, desc string) schema.StringAttribute {
		vals := enumStrings(request[field].Value)
		return schema.StringAttribute{Optional: true, PlanModifiers: replace,
			MarkdownDescription: desc + " " + enumSentence(vals),
			Validators:          []validator.String{stringvalidator.OneOf(vals...)}}
	}
	regions := enumStrings(specSchema("EntityRegion"))
	return map[string]schema.Attribute{
		"role_name":        enumAttr("role_name", "The role given (which roles exist depends on the entity type)."),
		"entity_type_name": enumAttr("entity_type_name", "The type of the entity the role is on."),
		"entity_id": schema.StringAttribute{Optional: true, PlanModifiers: replace,
			MarkdownDescription: "The id of the entity the role is on, or `*` for every entity of the type."},
		"entity_region": schema.StringAttribute{Optional: true, Computed: true,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplaceIfConfigured()},
			MarkdownDescription: "The region of the entity, or `*` for every region. " + enumSentence(regions),
			Validators:          []validator.String{stringvalidator.OneOf(regions...)}},
	}
}

// sameAssignment tells whether an existing assignment is the one a create body asks for.
func sameAssignment(a client.AssignedRole, body map[string]any) bool {
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	region := ""
	if a.EntityRegion != nil {
		region = string(*a.EntityRegion)
	}
	return str(a.RoleName) == fmt.Sprint(body["role_name"]) && str(a.EntityTypeName) == fmt.Sprint(body["entity_type_name"]) &&
		str(a.EntityId) == fmt.Sprint(body["entity_id"]) && region == fmt.Sprint(body["entity_region"])
}
