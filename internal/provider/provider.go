// Package provider implements the konnect Terraform provider.
package provider

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// DefaultServerURL is Konnect's global API host, as in Kong's own provider.
const DefaultServerURL = "https://global.api.konghq.com"

var (
	_ provider.Provider                       = (*KonnectProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*KonnectProvider)(nil)
)

// KonnectProvider is the konnect provider.
type KonnectProvider struct {
	version string
}

// KonnectProviderModel is the provider block.
type KonnectProviderModel struct {
	ServerURL                types.String `tfsdk:"server_url"`
	PersonalAccessToken      types.String `tfsdk:"personal_access_token"`
	SystemAccountAccessToken types.String `tfsdk:"system_account_access_token"`
	MaxRetries               types.Int64  `tfsdk:"max_retries"`
	MaxRetryWait             types.Int64  `tfsdk:"max_retry_wait_seconds"`
	RequestTimeout           types.Int64  `tfsdk:"request_timeout_seconds"`
}

// defaultRequestTimeout bounds each attempt of an API call unless request_timeout_seconds says otherwise.
const defaultRequestTimeout = 30 * time.Second

// New returns a constructor for the provider at the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &KonnectProvider{version: version} }
}

func (p *KonnectProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "konnect"
	resp.Version = p.version
}

func (p *KonnectProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages Kong Konnect: control planes and the gateway configuration in them. " +
			"Point `server_url` at Konnect, or at the local emulator (`http://127.0.0.1:8080`) to try a configuration without an account.",
		Attributes: map[string]schema.Attribute{
			"server_url": schema.StringAttribute{
				MarkdownDescription: "Base URL of the Konnect API, scheme and host only, such as `https://us.api.konghq.com`. " +
					"Defaults to the `KONNECT_SERVER_URL` environment variable, then to `" + DefaultServerURL + "`.",
				Optional: true,
			},
			"personal_access_token": schema.StringAttribute{
				MarkdownDescription: "A personal access token (`kpat_...`). Defaults to the `KONNECT_TOKEN` environment variable.",
				Optional:            true,
				Sensitive:           true,
			},
			"system_account_access_token": schema.StringAttribute{
				MarkdownDescription: "A system account access token (`spat_...`), used when no personal access token is set. " +
					"Defaults to the `KONNECT_SPAT` environment variable.",
				Optional:  true,
				Sensitive: true,
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: "How many times a request is retried when it is safe to: after a 429 or a connection that could not be made, " +
					"and for idempotent requests (reads, PUT, DELETE) also after a 502, 503, 504 or a lost answer. " +
					"Defaults to the `KONNECT_MAX_RETRIES` environment variable, then to 4.",
				Optional: true,
			},
			"max_retry_wait_seconds": schema.Int64Attribute{
				MarkdownDescription: "The longest a single API call may spend waiting between retries, in seconds. " +
					"Defaults to the `KONNECT_MAX_RETRY_WAIT_SECONDS` environment variable, then to 60.",
				Optional: true,
			},
			"request_timeout_seconds": schema.Int64Attribute{
				MarkdownDescription: "The longest a single attempt of an API call may take, in seconds, from sending the request to reading the answer; " +
					"an attempt that takes longer fails like a lost connection (and is retried if it is safe to). " +
					"Defaults to the `KONNECT_REQUEST_TIMEOUT_SECONDS` environment variable, then to 30.",
				Optional: true,
			},
		},
	}
}

func (p *KonnectProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg KonnectProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	for _, a := range []struct {
		name string
		v    interface{ IsUnknown() bool }
	}{{"server_url", cfg.ServerURL}, {"personal_access_token", cfg.PersonalAccessToken}, {"system_account_access_token", cfg.SystemAccountAccessToken}, {"max_retries", cfg.MaxRetries}, {"max_retry_wait_seconds", cfg.MaxRetryWait}, {"request_timeout_seconds", cfg.RequestTimeout}} {
		if a.v.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(a.name), "Unknown provider setting",
				fmt.Sprintf("The provider cannot be configured while %s depends on a value known only after apply.", a.name))
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	serverURL := stringSetting(cfg.ServerURL, "KONNECT_SERVER_URL", DefaultServerURL)
	token := stringSetting(cfg.PersonalAccessToken, "KONNECT_TOKEN", "")
	if token == "" {
		token = stringSetting(cfg.SystemAccountAccessToken, "KONNECT_SPAT", "")
	}
	if token == "" {
		resp.Diagnostics.AddError("No Konnect access token",
			"Set personal_access_token or system_account_access_token in the provider block, or the KONNECT_TOKEN or KONNECT_SPAT environment variable.")
		return
	}
	retries, err := intSetting(cfg.MaxRetries, "KONNECT_MAX_RETRIES", 4)
	if err != nil || retries < 0 {
		resp.Diagnostics.AddAttributeError(path.Root("max_retries"), "Invalid max_retries", "max_retries must be a whole number of 0 or more.")
		return
	}
	maxWait, err := intSetting(cfg.MaxRetryWait, "KONNECT_MAX_RETRY_WAIT_SECONDS", 60)
	if err != nil || maxWait < 0 {
		resp.Diagnostics.AddAttributeError(path.Root("max_retry_wait_seconds"), "Invalid max_retry_wait_seconds", "max_retry_wait_seconds must be a whole number of 0 or more.")
		return
	}
	timeout, err := intSetting(cfg.RequestTimeout, "KONNECT_REQUEST_TIMEOUT_SECONDS", int64(defaultRequestTimeout/time.Second))
	if err != nil || timeout < 1 {
		resp.Diagnostics.AddAttributeError(path.Root("request_timeout_seconds"), "Invalid request_timeout_seconds", "request_timeout_seconds must be a whole number of 1 or more.")
		return
	}
	policy := client.DefaultRetryPolicy()
	policy.MaxAttempts = int(retries) + 1
	policy.MaxTotalWait = time.Duration(maxWait) * time.Second

	c, err := client.New(serverURL,
		client.WithPersonalAccessToken(token),
		client.WithRetryPolicy(policy),
		client.WithTimeout(time.Duration(timeout)*time.Second),
		client.WithUserAgent("terraform-provider-konnect/"+p.version),
	)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("server_url"), "Invalid Konnect settings", err.Error())
		return
	}
	resp.ResourceData = c
	resp.DataSourceData = c
	resp.EphemeralResourceData = c
}

func (p *KonnectProvider) Resources(_ context.Context) []func() resource.Resource {
	out := []func() resource.Resource{
		NewGatewayControlPlaneResource,
		NewGatewayConsumerGroupMemberResource,
		NewSystemAccountTeamResource,
		NewMeshControlPlaneResource,
	}
	for _, def := range []*identityDef{
		konnectTeam, konnectTeamRole, konnectSystemAccount, konnectSystemAccountRole, konnectSystemAccountAccessToken,
	} {
		out = append(out, newIdentityResource(def))
	}
	for _, def := range []*kumaDef{meshDef, meshSecretDef, meshTrafficPermissionDef, meshOPADef} {
		out = append(out, newKumaResource(def))
	}
	for _, def := range []*entityDef{
		gatewayService, gatewayRoute, gatewayConsumer, gatewayConsumerGroup,
		gatewayKeyAuth, gatewayBasicAuth, gatewayJWT, gatewayHMACAuth, gatewayACL,
		gatewayUpstream, gatewayTarget, gatewayCertificate, gatewaySNI, gatewayCACertificate,
		gatewayVault, gatewayKey, gatewayKeySet, gatewayPartial,
	} {
		out = append(out, newEntityResource(def))
	}
	for _, def := range pluginResources() {
		out = append(out, newEntityResource(def))
	}
	for i, r := range out {
		out[i] = withoutSecrets(r)
	}
	return out
}

func (p *KonnectProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewGatewayControlPlaneDataSource,
		NewGatewayConsumerDataSource,
		NewGatewayServiceDataSource,
		NewTeamDataSource,
		NewSystemAccountDataSource,
	}
}

// EphemeralResources are values that live for one Terraform run and are never stored.
func (p *KonnectProvider) EphemeralResources(_ context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{
		NewSystemAccountAccessTokenEphemeralResource,
	}
}

// stringSetting picks the configured value, then the environment variable, then the default.
func stringSetting(v types.String, env, def string) string {
	if !v.IsNull() && v.ValueString() != "" {
		return v.ValueString()
	}
	if e := os.Getenv(env); e != "" {
		return e
	}
	return def
}

func intSetting(v types.Int64, env string, def int64) (int64, error) {
	if !v.IsNull() {
		return v.ValueInt64(), nil
	}
	if e := os.Getenv(env); e != "" {
		n, err := strconv.ParseInt(e, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", env, err)
		}
		return n, nil
	}
	return def, nil
}
