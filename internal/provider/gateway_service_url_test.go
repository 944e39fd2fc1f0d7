package provider_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// A service configured by url: the plan shows the protocol, host, port and path the url
// stands for, the apply stores them, and the next plan is empty. A host changed outside
// Terraform is put back.
func TestAccGatewayServiceURL(t *testing.T) {
	cp := newControlPlane(t)
	const addr = "konnect_gateway_service.this"
	config := func(url string) string {
		return providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_gateway_service" "this" {
  control_plane_id = %q
  name             = "by-url"
  url              = %q
}
`, cp, url)
	}
	var path string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config("https://orders.internal/v1"),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(addr, "protocol", "https"),
					resource.TestCheckResourceAttr(addr, "host", "orders.internal"),
					resource.TestCheckResourceAttr(addr, "port", "443"),
					resource.TestCheckResourceAttr(addr, "path", "/v1"),
					func(s *terraform.State) error {
						path = entityPath(cp, "services", stateAttr(s, addr, "id"))
						return nil
					},
				),
			},
			{
				Config: config("http://orders.internal:8080"),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(addr, "protocol", "http"),
					resource.TestCheckResourceAttr(addr, "port", "8080"),
					resource.TestCheckNoResourceAttr(addr, "path"),
				),
			},
			{
				PreConfig: func() {
					apiCall(t, http.MethodPut, path, map[string]any{"name": "by-url", "host": "elsewhere.internal", "port": 8080}, nil, http.StatusOK)
				},
				Config: config("http://orders.internal:8080"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.TestCheckResourceAttr(addr, "host", "orders.internal"),
			},
		},
	})
}
