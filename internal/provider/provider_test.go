package provider_test

import (
	"context"
	"testing"

	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"

	"github.com/openkonnect/terraform-provider-konnect/internal/provider"
)

func TestProviderSchemaIsValidAndDescribed(t *testing.T) {
	t.Parallel()
	p := provider.New("test")()
	var resp fwprovider.SchemaResponse
	p.Schema(context.Background(), fwprovider.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("schema: %v", resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(context.Background()); diags.HasError() {
		t.Fatalf("schema implementation: %v", diags)
	}
	for name, attr := range resp.Schema.Attributes {
		if attr.GetMarkdownDescription() == "" {
			t.Errorf("attribute %s has no MarkdownDescription", name)
		}
	}
	for _, secret := range []string{"personal_access_token", "system_account_access_token"} {
		if !resp.Schema.Attributes[secret].IsSensitive() {
			t.Errorf("%s must be sensitive", secret)
		}
	}
}

// Every resource's schema is valid, and every attribute at every depth has a description
// (the docs are generated from them).
func TestResourceSchemasAreValidAndDescribed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := provider.New("test")()
	for _, newResource := range p.Resources(ctx) {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "konnect"}, &meta)
		var resp resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &resp)
		if resp.Diagnostics.HasError() {
			t.Fatalf("%s: %v", meta.TypeName, resp.Diagnostics)
		}
		if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
			t.Errorf("%s: %v", meta.TypeName, diags)
		}
		if resp.Schema.MarkdownDescription == "" {
			t.Errorf("%s has no description", meta.TypeName)
		}
		checkDescribed(t, meta.TypeName, resp.Schema.Attributes)
	}
}

func checkDescribed(t *testing.T, prefix string, attrs map[string]rschema.Attribute) {
	t.Helper()
	for name, a := range attrs {
		if a.GetMarkdownDescription() == "" {
			t.Errorf("%s.%s has no MarkdownDescription", prefix, name)
		}
		if n, ok := a.(rschema.NestedAttribute); ok {
			checkDescribed(t, prefix+"."+name, n.GetNestedObject().(rschema.NestedAttributeObject).Attributes)
		}
	}
}

// Secrets never show in plans or logs.
func TestSecretsAreSensitive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	want := map[string][]string{
		"konnect_gateway_key_auth":    {"key"},
		"konnect_gateway_basic_auth":  {"password"},
		"konnect_gateway_jwt":         {"secret"},
		"konnect_gateway_hmac_auth":   {"secret"},
		"konnect_gateway_certificate": {"key", "key_alt"},
		"konnect_gateway_vault":       {"config"},
	}
	p := provider.New("test")()
	for _, newResource := range p.Resources(ctx) {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "konnect"}, &meta)
		var resp resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &resp)
		for _, name := range want[meta.TypeName] {
			if !resp.Schema.Attributes[name].IsSensitive() {
				t.Errorf("%s.%s is not sensitive", meta.TypeName, name)
			}
		}
		delete(want, meta.TypeName)
	}
	if len(want) > 0 {
		t.Errorf("resources missing: %v", want)
	}
}
