package provider

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// konnect_gateway_service.
var gatewayService = &entityDef{
	typeName:    "gateway_service",
	entity:      "service",
	schemaName:  "Service",
	description: "A service: an upstream API the gateway proxies to, reached by the routes that point at it.",
	fields: fieldOptions{
		skip: []string{"url"}, // added by serviceURLAttributes
	},
	// The API does not return url (it is write-only): the state keeps the configured one.
	keepConfigured: []string{"url"},
	adjust:         serviceURLAttributes,
	modifyPlan:     planServiceURL,
	api: entityAPI{
		get: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.GetService(ctx, k.cp, k.id)
		},
		put: func(ctx context.Context, c *client.Client, k entityKey, body io.Reader) (*http.Response, error) {
			return c.UpsertServiceWithBody(ctx, k.cp, k.id, jsonContent, body)
		},
		del: func(ctx context.Context, c *client.Client, k entityKey) (*http.Response, error) {
			return c.DeleteService(ctx, k.cp, k.id)
		},
	},
}

// serviceURLFields are the fields a service's url stands for.
var serviceURLFields = []string{"protocol", "host", "port", "path"}

// serviceURLAttributes lets a service be given by url, by host (and the other fields), or by
// both as in Kong's provider, where host is required and url optional; host and path are then
// computed from the url when the configuration leaves them out.
func serviceURLAttributes(attrs map[string]schema.Attribute) {
	host := attrs["host"].(schema.StringAttribute)
	host.Required, host.Optional, host.Computed = false, true, true
	host.Validators = append(host.Validators, stringvalidator.AtLeastOneOf(path.MatchRoot("url")))
	attrs["host"] = host
	p := attrs["path"].(schema.StringAttribute)
	p.Computed = true
	attrs["path"] = p
	attrs["url"] = schema.StringAttribute{
		Optional: true,
		MarkdownDescription: "The service's address as one URL, such as `https://api.internal:8443/v1`: sets `protocol`, `host`, `port` " +
			"(80 for http and ws, 443 for https and wss when the URL has none) and `path`. Use it instead of those attributes, or " +
			"beside them (as configurations written for Kong's provider, where `host` is required, do): each of them that is set " +
			"must then be what the URL sets, or the plan fails.",
	}
}

// planServiceURL plans the fields a url stands for, split as the API splits it, so the plan
// shows what the apply stores, and refuses a configured field the url would override with
// another value; without a url, path is what the configuration says.
func planServiceURL(ctx context.Context, config tfsdk.Config, plan *tfsdk.Plan) diag.Diagnostics {
	var diags diag.Diagnostics
	var raw types.String
	diags.Append(config.GetAttribute(ctx, path.Root("url"), &raw)...)
	if diags.HasError() {
		return diags
	}
	if raw.IsUnknown() {
		// Known only at apply: what the configuration leaves to the url is unknown until then.
		for _, f := range serviceURLFields {
			configured, d := configuredURLField(ctx, config, f)
			diags.Append(d...)
			if configured != nil && configured.IsNull() {
				diags.Append(plan.SetAttribute(ctx, path.Root(f), unknownOf(configured))...)
			}
		}
		return diags
	}
	if raw.IsNull() {
		var configured types.String
		diags.Append(config.GetAttribute(ctx, path.Root("path"), &configured)...)
		diags.Append(plan.SetAttribute(ctx, path.Root("path"), configured)...)
		return diags
	}
	expanded, problem := expandServiceURL(raw.ValueString())
	if problem != "" {
		diags.AddAttributeError(path.Root("url"), "Invalid service url", problem)
		return diags
	}
	for _, f := range serviceURLFields {
		configured, d := configuredURLField(ctx, config, f)
		diags.Append(d...)
		if d.HasError() {
			continue
		}
		if !configured.IsNull() && !configured.IsUnknown() && !configured.Equal(expanded[f]) {
			diags.AddAttributeError(path.Root(f), "Service url and "+f+" disagree",
				fmt.Sprintf("url %q sets %s to %s, but %s is %s. The API takes the url's value, so set %s to %s or leave it out.",
					raw.ValueString(), f, showValue(expanded[f]), f, showValue(configured), f, showValue(expanded[f])))
			continue
		}
		diags.Append(plan.SetAttribute(ctx, path.Root(f), expanded[f])...)
	}
	return diags
}

// expandServiceURL splits a url into the values of protocol, host, port and path, as the API
// does; the problem is said in words when the url cannot be split.
func expandServiceURL(raw string) (map[string]attr.Value, string) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Hostname() == "" {
		return nil, "The url needs a scheme and a host, such as https://api.internal/v1."
	}
	port := types.Int64Value(80) // the API's default when the url has no port and the scheme none of its own
	if p := u.Port(); p != "" {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return nil, "The port is not a number."
		}
		port = types.Int64Value(n)
	} else if u.Scheme == "https" || u.Scheme == "wss" {
		port = types.Int64Value(443)
	}
	servicePath := types.StringNull()
	if p := u.EscapedPath(); p != "" {
		servicePath = types.StringValue(p)
	}
	return map[string]attr.Value{
		"protocol": types.StringValue(u.Scheme),
		"host":     types.StringValue(u.Hostname()),
		"port":     port,
		"path":     servicePath,
	}, ""
}

// configuredURLField reads one of the fields a url stands for from the configuration.
func configuredURLField(ctx context.Context, config tfsdk.Config, field string) (attr.Value, diag.Diagnostics) {
	if field == "port" {
		var v types.Int64
		d := config.GetAttribute(ctx, path.Root(field), &v)
		return v, d
	}
	var v types.String
	d := config.GetAttribute(ctx, path.Root(field), &v)
	return v, d
}

// showValue writes a value as HCL would: a quoted string, a number, or "unset" for null.
func showValue(v attr.Value) string {
	if v.IsNull() {
		return "unset"
	}
	return v.String()
}

// unknownOf is an unknown value of the same type as v.
func unknownOf(v attr.Value) attr.Value {
	if _, ok := v.(types.Int64); ok {
		return types.Int64Unknown()
	}
	return types.StringUnknown()
}
