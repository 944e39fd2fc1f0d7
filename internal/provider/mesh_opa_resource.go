package provider

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_mesh_opa: a MeshOPA policy, whose Rego the mesh's
// sidecars evaluate with OPA for every request to the inbounds it selects.
var meshOPADef = &kumaDef{
	typeName: "mesh_opa", kumaType: "MeshOPA", meshScoped: true, hasKRI: true,
	description: "A MeshOPA policy of a Konnect mesh: Rego policies an OPA agent beside each selected sidecar evaluates to allow or deny each request. " +
		"A Rego policy given inline that does not compile (as Rego v1 nor v0) is refused at plan, with OPA's message and line.",
	attrs: map[string]schema.Attribute{
		"spec": schema.SingleNestedAttribute{
			Required: true, MarkdownDescription: "The policy.",
			Attributes: map[string]schema.Attribute{
				"target_ref": targetRefAttribute(false, "The data planes (or services) the policy applies to; the whole mesh when unset."),
				"default": schema.SingleNestedAttribute{
					Optional: true, MarkdownDescription: "The OPA configuration and policies (the API requires them).",
					Attributes: map[string]schema.Attribute{
						"agent_config": regoSourceAttribute("The OPA agent's configuration (YAML or JSON), such as `decision_logs`."),
						"append_policies": schema.ListNestedAttribute{
							Optional: true, MarkdownDescription: "The Rego policies; the decision is `data.envoy.authz.allow`.",
							NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
								"rego": regoSourceAttribute("The Rego policy."),
								"ignore_decision": schema.BoolAttribute{
									Optional: true, MarkdownDescription: "Load the policy without using its decision (a library for the others).",
								},
							}},
						},
						"auth_config": schema.SingleNestedAttribute{
							Optional: true, MarkdownDescription: "How the sidecar asks the agent.",
							Attributes: map[string]schema.Attribute{
								"on_agent_failure": schema.StringAttribute{
									Optional: true, MarkdownDescription: "What happens to a request when the agent fails to decide: `Allow` or `Deny` (the default); " +
										"the lowercase `allow` and `deny` of Kong Mesh 2.x (and of the kong-mesh provider) are kept as written.",
									Validators: []validator.String{stringvalidator.OneOf(
										string(client.MeshOPAAuthConfigOnAgentFailureAllow), string(client.MeshOPAAuthConfigOnAgentFailureDeny),
										string(client.MeshOPAAuthConfigOnAgentFailureAllowLowercase), string(client.MeshOPAAuthConfigOnAgentFailureDenyLowercase))},
								},
								"status_on_error": schema.Int64Attribute{
									Optional: true, MarkdownDescription: "The status a request gets when the check fails (403 when unset).",
								},
								"timeout": schema.StringAttribute{
									Optional: true, MarkdownDescription: "How long the sidecar waits for a decision, such as `500ms`.",
								},
								"request_body": schema.SingleNestedAttribute{
									Optional: true, MarkdownDescription: "Whether the request's body is sent to the agent.",
									Attributes: map[string]schema.Attribute{
										"max_size": schema.Int64Attribute{
											Optional: true, MarkdownDescription: "The most bytes of the body sent; a longer body is cut (and marked partial).",
										},
										"send_raw_body": schema.BoolAttribute{
											Optional: true, MarkdownDescription: "Send the body as raw bytes (`raw_body`) rather than as text.",
										},
									},
								},
							},
						},
					},
				},
			},
		},
	},
	api: kumaAPI{
		get: func(ctx context.Context, c *client.Client, k kumaKey) (*http.Response, error) {
			return c.GetMeshOPA(ctx, k.cp, k.mesh, k.name)
		},
		put: func(ctx context.Context, c *client.Client, k kumaKey, body *bytes.Reader) (*http.Response, error) {
			return c.PutMeshOPAWithBody(ctx, k.cp, k.mesh, k.name, jsonContent, body)
		},
		del: func(ctx context.Context, c *client.Client, k kumaKey) (*http.Response, error) {
			return c.DeleteMeshOPA(ctx, k.cp, k.mesh, k.name)
		},
	},
	validate: validateMeshOPARego,
	fromAPI:  meshOPAFromAPI,
}

// regoSourceAttribute is where a policy or the agent's configuration comes from: exactly one
// of inline, inline_string or secret.
func regoSourceAttribute(description string) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional: true, MarkdownDescription: description + " Exactly one of `inline`, `inline_string` or `secret`.",
		Attributes: map[string]schema.Attribute{
			"inline":        schema.StringAttribute{Optional: true, MarkdownDescription: "The text, base64-encoded."},
			"inline_string": schema.StringAttribute{Optional: true, MarkdownDescription: "The text."},
			"secret":        schema.StringAttribute{Optional: true, MarkdownDescription: "The name of a mesh secret (`konnect_mesh_secret`) holding the text."},
		},
	}
}

// validateMeshOPARego compiles every Rego policy given in the configuration (inline_string,
// or inline once decoded); one in a secret is read by the mesh only.
func validateMeshOPARego(ctx context.Context, config tfsdk.Config) diag.Diagnostics {
	var diags diag.Diagnostics
	policies, ok := valueAt(config.Raw, "spec", "default", "append_policies")
	if !ok || !policies.IsKnown() || policies.IsNull() {
		return nil
	}
	var list []tftypes.Value
	if err := policies.As(&list); err != nil {
		return nil
	}
	for i := range list {
		at := path.Root("spec").AtName("default").AtName("append_policies").AtListIndex(i).AtName("rego")
		name := fmt.Sprintf("spec.default.append_policies[%d].rego", i)
		if src, ok := knownString(list[i], "rego", "inline_string"); ok {
			if err := checkRego(src); err != nil {
				diags.AddAttributeError(at.AtName("inline_string"), "Invalid Rego policy",
					fmt.Sprintf("OPA cannot compile %s.inline_string (as Rego v1 nor v0):\n%s", name, err))
			}
		}
		if enc, ok := knownString(list[i], "rego", "inline"); ok {
			src, err := base64.StdEncoding.DecodeString(enc)
			if err != nil {
				diags.AddAttributeError(at.AtName("inline"), "Invalid Rego policy", name+".inline must be base64: "+err.Error())
				continue
			}
			if err := checkRego(string(src)); err != nil {
				diags.AddAttributeError(at.AtName("inline"), "Invalid Rego policy",
					fmt.Sprintf("OPA cannot compile %s.inline, once decoded (as Rego v1 nor v0):\n%s", name, err))
			}
		}
	}
	return diags
}

// meshOPAFromAPI reads a policy written in the Kong Mesh 2.x form (inlineString or secret
// beside rego) as the current form, rego{inlineString|secret}, which it means.
func meshOPAFromAPI(data map[string]any) {
	spec, _ := data["spec"].(map[string]any)
	conf, _ := spec["default"].(map[string]any)
	policies, _ := conf["appendPolicies"].([]any)
	for _, p := range policies {
		policy, ok := p.(map[string]any)
		if !ok || policy["rego"] != nil {
			continue
		}
		rego := map[string]any{}
		for _, f := range []string{"inlineString", "secret"} {
			if v, ok := policy[f]; ok {
				rego[f] = v
				delete(policy, f)
			}
		}
		policy["rego"] = rego
	}
}

// valueAt follows object attributes from v; false when one is missing, null or unknown.
func valueAt(v tftypes.Value, names ...string) (tftypes.Value, bool) {
	for _, n := range names {
		if !v.IsKnown() || v.IsNull() {
			return tftypes.Value{}, false
		}
		var attrs map[string]tftypes.Value
		if err := v.As(&attrs); err != nil {
			return tftypes.Value{}, false
		}
		next, ok := attrs[n]
		if !ok {
			return tftypes.Value{}, false
		}
		v = next
	}
	return v, true
}

// knownString is the string at the path under v, if it is set and known.
func knownString(v tftypes.Value, names ...string) (string, bool) {
	s, ok := valueAt(v, names...)
	if !ok || !s.IsKnown() || s.IsNull() {
		return "", false
	}
	var out string
	if err := s.As(&out); err != nil {
		return "", false
	}
	return out, true
}
