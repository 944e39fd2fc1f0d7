package provider_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// What a platform engineer wants to see before touching Konnect: the module applied, then
// real HTTP through the control plane's proxy answered 401, 200 (with the consumer named to
// the upstream) and 429.
func TestAccTrafficKeyAuthAndRateLimiting(t *testing.T) {
	cp := newControlPlane(t)
	api, err := url.Parse(testEmulator.URL)
	if err != nil {
		t.Fatal(err)
	}
	config := providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_gateway_service" "echo" {
  control_plane_id = %[1]q
  name             = "echo"
  host             = %[2]q
  port             = %[3]s
  path             = "/_emulator/echo"
}

resource "konnect_gateway_route" "orders" {
  control_plane_id = %[1]q
  paths            = ["/orders"]
  service          = { id = konnect_gateway_service.echo.id }
}

resource "konnect_gateway_consumer" "alice" {
  control_plane_id = %[1]q
  username         = "alice"
  custom_id        = "crm-7"
}

resource "konnect_gateway_key_auth" "alice" {
  control_plane_id = %[1]q
  consumer_id      = konnect_gateway_consumer.alice.id
  key              = "alice-secret-key"
}

resource "konnect_gateway_plugin_key_auth" "orders" {
  control_plane_id = %[1]q
  route            = { id = konnect_gateway_route.orders.id }
}

resource "konnect_gateway_plugin_rate_limiting" "alice" {
  control_plane_id = %[1]q
  consumer         = { id = konnect_gateway_consumer.alice.id }
  config = {
    minute = 3
  }
}
`, cp, api.Hostname(), api.Port())

	proxy, err := testEmulator.ControlPlaneProxyURL(cp)
	if err != nil {
		t.Fatal(err)
	}
	get := func(key string) (reply, []byte) {
		req, _ := http.NewRequest(http.MethodGet, proxy+"/orders/17", nil)
		if key != "" {
			req.Header.Set("apikey", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		return reply{resp.StatusCode, resp.Header}, b
	}
	traffic := func(*terraform.State) error {
		resp, body := get("")
		if resp.StatusCode != http.StatusUnauthorized || !jsonHas(body, "message", "No API key found in request") {
			return fmt.Errorf("without a key: %d %s", resp.StatusCode, body)
		}
		if resp, body = get("wrong-key"); resp.StatusCode != http.StatusUnauthorized || !jsonHas(body, "message", "Unauthorized") {
			return fmt.Errorf("with a wrong key: %d %s", resp.StatusCode, body)
		}
		for i := 1; i <= 3; i++ {
			resp, body = get("alice-secret-key")
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("request %d with the key: %d %s", i, resp.StatusCode, body)
			}
			var echo struct {
				Path    string
				Headers http.Header
			}
			_ = json.Unmarshal(body, &echo)
			if echo.Headers.Get("X-Consumer-Username") != "alice" || echo.Headers.Get("X-Consumer-Custom-Id") != "crm-7" {
				return fmt.Errorf("the upstream saw %v", echo.Headers)
			}
			// strip_path (true by default) removes /orders before the service path is prepended.
			if echo.Path != "/_emulator/echo/17" {
				return fmt.Errorf("the upstream got path %q", echo.Path)
			}
			if got, want := resp.Header.Get("X-RateLimit-Limit-Minute"), "3"; got != want {
				return fmt.Errorf("X-RateLimit-Limit-Minute = %q, want %q", got, want)
			}
			if got, want := resp.Header.Get("X-RateLimit-Remaining-Minute"), fmt.Sprint(3-i); got != want {
				return fmt.Errorf("X-RateLimit-Remaining-Minute = %q, want %q", got, want)
			}
		}
		resp, body = get("alice-secret-key")
		if resp.StatusCode != http.StatusTooManyRequests || !jsonHas(body, "message", "API rate limit exceeded") || resp.Header.Get("Retry-After") == "" {
			return fmt.Errorf("past the limit: %d %v %s", resp.StatusCode, resp.Header, body)
		}
		return nil
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps:                    []resource.TestStep{{Config: config, Check: traffic}},
	})
}

// reply is what a test reads of a proxied response; the body is read and closed.
type reply struct {
	StatusCode int
	Header     http.Header
}

func jsonHas(body []byte, field, want string) bool {
	var m map[string]any
	return json.Unmarshal(body, &m) == nil && m[field] == want
}
