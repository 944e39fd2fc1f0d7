package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

func TestAccSystemAccountDataSource(t *testing.T) {
	name := uniqueName("deployer")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_system_account" "this" {
  name        = %q
  description = "deploys things"
}

data "konnect_system_account" "found" {
  filter = {
    name            = { eq = konnect_system_account.this.name }
    description     = { contains = "deploys" }
    konnect_managed = false
  }
}
`, name),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrPair("data.konnect_system_account.found", "id", "konnect_system_account.this", "id"),
					resource.TestCheckResourceAttr("data.konnect_system_account.found", "description", "deploys things"),
				),
			},
		},
	})
}
