package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

func TestAccSystemAccountRole(t *testing.T) {
	const addr = "konnect_system_account_role.admin"
	cp := newControlPlane(t)
	config := func(region string) string {
		return providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_system_account" "this" {
  name        = %q
  description = "role test"
}

resource "konnect_system_account_role" "admin" {
  account_id       = konnect_system_account.this.id
  role_name        = "Admin"
  entity_type_name = "Control Planes"
  entity_id        = %q
%s
}
`, uniqueName("sa"), cp, region)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Konnect needs the region: its refusal is shown in words.
				Config:      config(""),
				ExpectError: regexp.MustCompile(`(?s)Unable to create system account role.*entity_region`),
			},
			{
				Config: config(`  entity_region    = "*"`),
				Check:  resource.TestCheckResourceAttr(addr, "entity_region", "*"),
			},
			{
				ResourceName: addr, ImportState: true, ImportStateVerify: true,
				ImportStateIdFunc: importID(addr, "account_id", "id"),
			},
		},
	})
}
