package provider_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccGatewayControlPlaneDataSource(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(testEmulator) + `
data "konnect_gateway_control_plane" "default" {
  name = "default"
}

data "konnect_gateway_control_plane" "by_id" {
  id = data.konnect_gateway_control_plane.default.id
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.konnect_gateway_control_plane.default", tfjsonpath.New("id"), knownvalue.StringExact(testEmulator.DefaultControlPlaneID())),
				statecheck.ExpectKnownValue("data.konnect_gateway_control_plane.by_id", tfjsonpath.New("name"), knownvalue.StringExact("default")),
				statecheck.ExpectKnownValue("data.konnect_gateway_control_plane.by_id", tfjsonpath.New("cluster_type"), knownvalue.StringExact("CLUSTER_TYPE_CONTROL_PLANE")),
			},
		}, {
			Config: providerConfig(testEmulator) + `
data "konnect_gateway_control_plane" "x" {
  name = "no-such-control-plane"
}
`,
			ExpectError: regexp.MustCompile(`No control plane has name "no-such-control-plane"`),
		}},
	})
}
