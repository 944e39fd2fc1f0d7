package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccGatewayConsumerDataSource(t *testing.T) {
	cp := newControlPlane(t)
	base := providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_gateway_consumer" "alice" {
  control_plane_id = %[1]q
  username         = "alice"
  custom_id        = "crm-42"
  tags             = ["gold"]
}

data "konnect_gateway_consumer" "by_username" {
  control_plane_id = %[1]q
  username         = konnect_gateway_consumer.alice.username
}

data "konnect_gateway_consumer" "by_custom_id" {
  control_plane_id = %[1]q
  custom_id        = konnect_gateway_consumer.alice.custom_id
}

data "konnect_gateway_consumer" "by_id" {
  control_plane_id = %[1]q
  id               = konnect_gateway_consumer.alice.id
}
`, cp)
	var checks []statecheck.StateCheck
	for _, ds := range []string{"by_username", "by_custom_id", "by_id"} {
		addr := "data.konnect_gateway_consumer." + ds
		checks = append(checks,
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("username"), knownvalue.StringExact("alice")),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("custom_id"), knownvalue.StringExact("crm-42")),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("tags"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("gold")})),
		)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: base, ConfigStateChecks: checks},
			{
				Config: base + fmt.Sprintf(`
data "konnect_gateway_consumer" "nobody" {
  control_plane_id = %q
  username         = "nobody"
}
`, cp),
				ExpectError: regexp.MustCompile(`No consumer has username "nobody" in control plane`),
			},
		},
	})
}
