package provider_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// The third-party-auth flow, applied with terraform in both shapes users write nodes
// in, then real HTTP through the proxy: the token service must get the API key (or "none")
// and the form body, the upstream must get the token as Authorization, and a token service
// that is down gives the client Kong's 500.
func TestAccTrafficDatakitThirdPartyAuth(t *testing.T) {
	for shape, nodes := range map[string]func(string) string{"flat": datakitFlat, "keyed by type": datakitKeyed} {
		t.Run(shape, func(t *testing.T) {
			var tokenCalls atomic.Int32
			var lastKey atomic.Value
			tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if r.Method != http.MethodPost || r.URL.Path != "/auth-token" || string(body) != "grant_type=client_credentials" {
					http.Error(w, "unexpected "+r.Method+" "+r.URL.Path+" "+string(body), http.StatusBadRequest)
					return
				}
				tokenCalls.Add(1)
				lastKey.Store(r.Header.Get("X-Api-Key"))
				w.Header().Set("Content-Type", "application/json")
				_, _ = fmt.Fprintf(w, `{"token_type":"Bearer","access_token":"tok-%s"}`, r.Header.Get("X-Api-Key"))
			}))
			defer tokens.Close()

			cp := newControlPlane(t)
			api, err := url.Parse(testEmulator.URL)
			if err != nil {
				t.Fatal(err)
			}
			plugin := strings.Replace(fmt.Sprintf(nodes("POST"), cp), "https://my-token-service/auth-token", tokens.URL+"/auth-token", 1)
			plugin = strings.Replace(plugin, "control_plane_id = "+fmt.Sprintf("%q", cp), "control_plane_id = "+fmt.Sprintf("%q", cp)+"\n  route = { id = konnect_gateway_route.api.id }", 1)
			config := providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_gateway_service" "echo" {
  control_plane_id = %[1]q
  name             = "echo"
  host             = %[2]q
  port             = %[3]s
  path             = "/_emulator/echo"
}

resource "konnect_gateway_route" "api" {
  control_plane_id = %[1]q
  paths            = ["/api"]
  service          = { id = konnect_gateway_service.echo.id }
}
`, cp, api.Hostname(), api.Port()) + plugin

			proxy, err := testEmulator.ControlPlaneProxyURL(cp)
			if err != nil {
				t.Fatal(err)
			}
			get := func(query string) (int, []byte) {
				resp, err := http.Get(proxy + "/api/orders" + query)
				if err != nil {
					t.Fatal(err)
				}
				defer func() { _ = resp.Body.Close() }()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, b
			}
			upstreamAuthorization := func(body []byte) string {
				var echo struct{ Headers http.Header }
				_ = json.Unmarshal(body, &echo)
				return echo.Headers.Get("Authorization")
			}
			traffic := func(*terraform.State) error {
				status, body := get("?api_key=k-123")
				if status != http.StatusOK || upstreamAuthorization(body) != "Bearer tok-k-123" || lastKey.Load() != "k-123" {
					return fmt.Errorf("with an api_key: %d, upstream Authorization %q, token service saw key %v: %s",
						status, upstreamAuthorization(body), lastKey.Load(), body)
				}
				status, body = get("")
				if status != http.StatusOK || upstreamAuthorization(body) != "Bearer tok-none" || lastKey.Load() != "none" {
					return fmt.Errorf("without an api_key: %d, upstream Authorization %q, token service saw key %v",
						status, upstreamAuthorization(body), lastKey.Load())
				}
				if tokenCalls.Load() != 2 {
					return fmt.Errorf("the token service was called %d times, want 2", tokenCalls.Load())
				}
				tokens.Close()
				status, body = get("?api_key=k-123")
				if status != http.StatusInternalServerError || !jsonHas(body, "message", "An unexpected error occurred") {
					return fmt.Errorf("with the token service down: %d %s", status, body)
				}
				return nil
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: config, Check: traffic}},
			})
		})
	}
}
