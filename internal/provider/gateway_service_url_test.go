package provider_test

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// A service configured by url: the plan shows the protocol, host, port and path the url
// stands for, the apply stores them, and the next plan is empty. A host changed outside
// Terraform is put back. As in Kong's provider, where host is required, url may come with
// host (and protocol, port, path) when they say what the url says; when they disagree the
// plan fails naming both. Import, and the configuration Terraform generates from it, plan
// no change.
func TestAccGatewayServiceURL(t *testing.T) {
	cp := newControlPlane(t)
	const addr = "konnect_gateway_service.this"
	config := func(fields string) string {
		return providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_gateway_service" "this" {
  control_plane_id = %q
  name             = "by-url"
%s
}
`, cp, fields)
	}
	byURL := func(url string) string { return config(fmt.Sprintf("  url = %q", url)) }
	noChange := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	const kongStyle = `
  url      = "https://api.example.com:8443/v1"
  host     = "api.example.com"
`
	var path string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: byURL("https://orders.internal/v1"),
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
				Config: byURL("http://orders.internal:8080"),
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
				Config: byURL("http://orders.internal:8080"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.TestCheckResourceAttr(addr, "host", "orders.internal"),
			},
			// HCL written for Kong's provider: host beside url, agreeing.
			{
				Config: config(kongStyle),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(addr, "protocol", "https"),
					resource.TestCheckResourceAttr(addr, "host", "api.example.com"),
					resource.TestCheckResourceAttr(addr, "port", "8443"),
					resource.TestCheckResourceAttr(addr, "path", "/v1"),
				),
			},
			// Every field the url stands for, each agreeing: the same entity, no change.
			{
				Config: config(kongStyle + `
  protocol = "https"
  port     = 8443
  path     = "/v1"
`),
				ConfigPlanChecks: noChange,
			},
			// Disagreeing: refused at plan, naming the url and the field.
			{
				Config: config(`
  url  = "https://api.example.com:8443/v1"
  host = "other.example.com"
`),
				ExpectError: regexp.MustCompile(`(?s)Service url and host disagree.*"https://api.example.com:8443/v1"\s+sets\s+host\s+to\s+"api.example.com",\s+but\s+host\s+is\s+"other.example.com"`),
			},
			{
				Config: config(kongStyle + `
  port = 443
  path = "/v2"
`),
				ExpectError: regexp.MustCompile(`(?s)Service url and port disagree.*Service url and path disagree`),
			},
			{
				Config: config(kongStyle + `
  protocol = "http"
`),
				ExpectError: regexp.MustCompile(`Service url and protocol disagree`),
			},
			{ // neither host nor url
				Config:      config(""),
				ExpectError: regexp.MustCompile(`(?s)At least one attribute out of.*url.*must be specified`),
			},
			// Imported, the url is not known (the API does not return it); the rest is.
			{
				Config:       config(kongStyle),
				ResourceName: addr, ImportState: true, ImportStateVerify: true,
				ImportStateIdFunc: importID(addr, "control_plane_id", "id"), ImportStateVerifyIgnore: []string{"url"},
				ImportStateVerifyIdentifierAttribute: "id",
			},
			{
				Config:       config(kongStyle),
				ResourceName: addr, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
				ImportStateIdFunc: importID(addr, "control_plane_id", "id"), GenerateConfig: true,
			},
			// The url left out for the fields it stood for: only the url leaves the state.
			{
				Config: config(`
  host     = "api.example.com"
  protocol = "https"
  port     = 8443
  path     = "/v1"
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("host"), knownvalue.StringExact("api.example.com")),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("port"), knownvalue.Int64Exact(8443)),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("path"), knownvalue.StringExact("/v1")),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("url"), knownvalue.Null()),
				}},
			},
			// A url known only at apply: what it stands for is unknown until then.
			{
				Config: config(`
  url  = terraform_data.url.output
  host = "api.example.com"
`) + `
resource "terraform_data" "url" {
  input = "https://api.example.com:9443/v2"
}
`,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("port")),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("path")),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("host"), knownvalue.StringExact("api.example.com")),
				}},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(addr, "port", "9443"),
					resource.TestCheckResourceAttr(addr, "path", "/v2"),
				),
			},
		},
	})
}
