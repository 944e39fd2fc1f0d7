package provider_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// request_timeout_seconds bounds each attempt: against an API that answers only after 10
// seconds, a 1-second timeout fails the read (the default of 30 would have waited for the
// answer and succeeded).
func TestAccRequestTimeout(t *testing.T) {
	const controlPlaneID = "6f4c3b46-5c3f-4f44-9a43-2d1d3c2b1a00"
	stop := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done(): // the client gave up
		case <-stop:
		case <-time.After(10 * time.Second):
			w.Header().Set("Content-Type", "application/json")
			_, _ = fmt.Fprintf(w, `{"id":%q,"name":"late","config":{}}`, controlPlaneID)
		}
	}))
	t.Cleanup(func() { close(stop); slow.Close() })
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "konnect" {
  server_url              = %q
  personal_access_token   = "kpat_test"
  max_retries             = 0
  request_timeout_seconds = 1
}

data "konnect_gateway_control_plane" "x" {
  id = %q
}
`, slow.URL, controlPlaneID),
			ExpectError: regexp.MustCompile(`Client\.Timeout exceeded`),
		}},
	})
}
