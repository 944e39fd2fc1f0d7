package provider_test

import (
	"context"
	"testing"

	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"

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
