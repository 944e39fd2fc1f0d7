package provider

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
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

// serviceURLAttributes lets a service be given by url instead of host (one of the two), as
// the API's shorthand does; host and path are then computed from the url.
func serviceURLAttributes(attrs map[string]schema.Attribute) {
	host := attrs["host"].(schema.StringAttribute)
	host.Required, host.Optional, host.Computed = false, true, true
	host.Validators = append(host.Validators, stringvalidator.ExactlyOneOf(path.MatchRoot("url")))
	attrs["host"] = host
	p := attrs["path"].(schema.StringAttribute)
	p.Computed = true
	attrs["path"] = p
	conflicts := make([]path.Expression, 0, len(serviceURLFields))
	for _, f := range serviceURLFields {
		conflicts = append(conflicts, path.MatchRoot(f))
	}
	attrs["url"] = schema.StringAttribute{
		Optional: true,
		MarkdownDescription: "The service's address as one URL, such as `https://api.internal:8443/v1`: sets `protocol`, `host`, `port` " +
			"(80 for http and ws, 443 for https and wss when the URL has none) and `path`. Use it instead of those attributes.",
		Validators: []validator.String{stringvalidator.ConflictsWith(conflicts...)},
	}
}

// planServiceURL plans the fields a url stands for, split as the API splits it, so the plan
// shows what the apply stores; without a url, path is what the configuration says.
func planServiceURL(ctx context.Context, config tfsdk.Config, plan *tfsdk.Plan) diag.Diagnostics {
	var diags diag.Diagnostics
	var raw types.String
	diags.Append(config.GetAttribute(ctx, path.Root("url"), &raw)...)
	if raw.IsUnknown() || diags.HasError() {
		return diags
	}
	if raw.IsNull() {
		var configured types.String
		diags.Append(config.GetAttribute(ctx, path.Root("path"), &configured)...)
		diags.Append(plan.SetAttribute(ctx, path.Root("path"), configured)...)
		return diags
	}
	u, err := url.Parse(raw.ValueString())
	if err != nil || u.Scheme == "" || u.Hostname() == "" {
		diags.AddAttributeError(path.Root("url"), "Invalid service url", "The url needs a scheme and a host, such as https://api.internal/v1.")
		return diags
	}
	port := types.Int64Value(80) // the API's default when the url has no port and the scheme none of its own
	if p := u.Port(); p != "" {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			diags.AddAttributeError(path.Root("url"), "Invalid service url", "The port is not a number.")
			return diags
		}
		port = types.Int64Value(n)
	} else if u.Scheme == "https" || u.Scheme == "wss" {
		port = types.Int64Value(443)
	}
	servicePath := types.StringNull()
	if p := u.EscapedPath(); p != "" {
		servicePath = types.StringValue(p)
	}
	diags.Append(plan.SetAttribute(ctx, path.Root("protocol"), types.StringValue(u.Scheme))...)
	diags.Append(plan.SetAttribute(ctx, path.Root("host"), types.StringValue(u.Hostname()))...)
	diags.Append(plan.SetAttribute(ctx, path.Root("port"), port)...)
	diags.Append(plan.SetAttribute(ctx, path.Root("path"), servicePath)...)
	return diags
}
