package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// scalarField is what a schema source (the OpenAPI spec or internal/pluginschema) says of a
// string, integer, number or boolean field; scalarAttribute turns it into an attribute the
// same way for both.
type scalarField struct {
	kind      string // "string", "integer", "number" or "boolean"
	desc      string
	required  bool
	sensitive bool
	// def is the value the server stores when the field is left out (nil: none).
	def any
	// generated: the server fills the field when it is left out; kept from state.
	generated bool
	// replace: a change plans a new entity.
	replace    bool
	enum       []string // allowed strings
	intEnum    []int64  // allowed integers
	minLength  int
	intBetween *[2]int64
}

func scalarAttribute(f scalarField) schema.Attribute {
	optional, computed := !f.required, f.def != nil || f.generated
	switch f.kind {
	case "string":
		a := schema.StringAttribute{Required: f.required, Optional: optional, Computed: computed, Sensitive: f.sensitive, MarkdownDescription: f.desc}
		if f.def != nil {
			a.Default = stringdefault.StaticString(fmt.Sprint(f.def))
		}
		if len(f.enum) > 0 {
			a.Validators = []validator.String{stringvalidator.OneOf(f.enum...)}
		} else if f.minLength > 0 {
			a.Validators = []validator.String{stringvalidator.LengthAtLeast(f.minLength)}
		}
		if f.generated {
			a.PlanModifiers = append(a.PlanModifiers, stringplanmodifier.UseStateForUnknown())
		}
		if f.replace {
			a.PlanModifiers = append(a.PlanModifiers, stringplanmodifier.RequiresReplace())
		}
		return a
	case "integer":
		a := schema.Int64Attribute{Required: f.required, Optional: optional, Computed: computed, Sensitive: f.sensitive, MarkdownDescription: f.desc}
		if f.def != nil {
			a.Default = int64default.StaticInt64(toInt64(f.def))
		}
		if len(f.intEnum) > 0 {
			a.Validators = []validator.Int64{int64validator.OneOf(f.intEnum...)}
		} else if f.intBetween != nil {
			a.Validators = []validator.Int64{int64validator.Between(f.intBetween[0], f.intBetween[1])}
		}
		if f.generated {
			a.PlanModifiers = append(a.PlanModifiers, int64planmodifier.UseStateForUnknown())
		}
		if f.replace {
			a.PlanModifiers = append(a.PlanModifiers, int64planmodifier.RequiresReplace())
		}
		return a
	case "number":
		a := schema.Float64Attribute{Required: f.required, Optional: optional, Computed: computed, Sensitive: f.sensitive, MarkdownDescription: f.desc}
		if f.def != nil {
			a.Default = float64default.StaticFloat64(toFloat64(f.def))
		}
		return a
	case "boolean":
		a := schema.BoolAttribute{Required: f.required, Optional: optional, Computed: computed, Sensitive: f.sensitive, MarkdownDescription: f.desc}
		if f.def != nil {
			a.Default = booldefault.StaticBool(f.def == true)
		}
		return a
	}
	panic("provider: " + f.kind + " is not a scalar type")
}
