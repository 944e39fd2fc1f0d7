package provider_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator"
)

// An apply converges while the API fails one request in three with 429, then with 503, and
// the retried creates leave no duplicate: creates are PUTs to ids the provider chose.
func TestAccApplyConvergesUnderFaults(t *testing.T) {
	emu, err := emulator.Start(context.Background(), emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	cp := emu.DefaultControlPlaneID()
	config := func(n int) string {
		return providerConfig(emu) + fmt.Sprintf(`
resource "konnect_gateway_consumer" "c" {
  count            = %d
  control_plane_id = %q
  username         = "user-${count.index}"
}

resource "konnect_gateway_key_auth" "k" {
  count            = %d
  control_plane_id = %q
  consumer_id      = konnect_gateway_consumer.c[count.index].id
}
`, n, cp, n, cp)
	}
	count := func(collection string, want int) resource.TestCheckFunc {
		return func(*terraform.State) error {
			req, _ := http.NewRequest(http.MethodGet, emu.URL+"/v2/control-planes/"+cp+"/core-entities/"+collection+"?size=1000", nil)
			req.Header.Set("Authorization", "Bearer "+emu.Token)
			_ = emu.SetFaults(nil)
			defer func() { _ = emu.SetFaults(&emulator.Faults{Rate: 0.34, Status: http.StatusServiceUnavailable}) }()
			var out struct{ Data []map[string]any }
			if err := getJSON(req, &out); err != nil {
				return err
			}
			if len(out.Data) != want {
				return fmt.Errorf("%d %s on the server, want %d", len(out.Data), collection, want)
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() { _ = emu.SetFaults(&emulator.Faults{Rate: 0.34, Status: http.StatusTooManyRequests}) },
				Config:    config(8),
				Check:     resource.ComposeTestCheckFunc(count("consumers", 8), count("key-auths", 8)),
			},
			{
				PreConfig: func() { _ = emu.SetFaults(&emulator.Faults{Rate: 0.34, Status: http.StatusServiceUnavailable}) },
				Config:    config(12),
				Check:     resource.ComposeTestCheckFunc(count("consumers", 12), count("key-auths", 12)),
			},
		},
	})
}
