package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

func TestAccTeamDataSource(t *testing.T) {
	name := uniqueName("readers")
	base := providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_team" "a" {
  name        = %[1]q
  description = "first"
}

resource "konnect_team" "b" {
  name        = "%[1]s-2"
  description = "second"
}
`, name)
	lookup := func(filter string) string {
		return fmt.Sprintf(`
data "konnect_team" "found" {
  filter = %s
  depends_on = [konnect_team.a, konnect_team.b]
}
`, filter)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: base + lookup(fmt.Sprintf(`{ name = { eq = %q } }`, name)),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrPair("data.konnect_team.found", "id", "konnect_team.a", "id"),
					resource.TestCheckResourceAttr("data.konnect_team.found", "description", "first"),
				),
			},
			{
				Config: base + lookup(fmt.Sprintf(`{ name = { contains = "%s-" } }`, name)),
				Check:  resource.TestCheckResourceAttrPair("data.konnect_team.found", "id", "konnect_team.b", "id"),
			},
			{
				Config:      base + lookup(fmt.Sprintf(`{ name = { contains = %q } }`, name)),
				ExpectError: regexp.MustCompile(`2 teams match`),
			},
			{
				Config:      base + lookup(`{ name = { eq = "no-such-team" } }`),
				ExpectError: regexp.MustCompile(`No such team`),
			},
			{
				// Konnect's own teams are there to be found.
				Config: base + lookup(`{ name = { eq = "Organization Admin" } }`),
				Check:  resource.TestCheckResourceAttr("data.konnect_team.found", "system_team", "true"),
			},
		},
	})
}
