package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// A sensitive value never appears in a diagnostic: a duplicate key-auth key is reported
// without the key itself.
func TestAccSensitiveValueNotInDiagnostics(t *testing.T) {
	cp := newControlPlane(t)
	secret := uniqueName("s3cret-key")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		ErrorCheck: func(err error) error {
			switch {
			case strings.Contains(err.Error(), secret):
				return fmt.Errorf("the sensitive key appears in the error: %w", err)
			case !regexp.MustCompile(`key .* already exists`).MatchString(err.Error()):
				return fmt.Errorf("want the duplicate key reported: %w", err)
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_gateway_consumer" "c" {
  count            = 2
  control_plane_id = %[1]q
  username         = "user-${count.index}"
}

resource "konnect_gateway_key_auth" "first" {
  control_plane_id = %[1]q
  consumer_id      = konnect_gateway_consumer.c[0].id
  key              = %[2]q
}

resource "konnect_gateway_key_auth" "second" {
  control_plane_id = %[1]q
  consumer_id      = konnect_gateway_consumer.c[1].id
  key              = %[2]q
  depends_on       = [konnect_gateway_key_auth.first]
}
`, cp, secret),
			ExpectNonEmptyPlan: true,
		}},
	})
}
