package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccGatewayServiceDataSource(t *testing.T) {
	cp := newControlPlane(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_gateway_service" "orders" {
  control_plane_id = %[1]q
  name             = "orders"
  host             = "orders.internal"
  port             = 8080
}

data "konnect_gateway_service" "orders" {
  control_plane_id = %[1]q
  name             = konnect_gateway_service.orders.name
}
`, cp),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.konnect_gateway_service.orders", tfjsonpath.New("host"), knownvalue.StringExact("orders.internal")),
				statecheck.ExpectKnownValue("data.konnect_gateway_service.orders", tfjsonpath.New("port"), knownvalue.Int64Exact(8080)),
				statecheck.ExpectKnownValue("data.konnect_gateway_service.orders", tfjsonpath.New("retries"), knownvalue.Int64Exact(5)),
			},
		}},
	})
}
