package provider_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// openid-connect applied with terraform against the emulator's own OpenID provider: a token
// the provider issues to a client (client credentials grant at its discovered token
// endpoint) passes the proxy, a request without one gets Kong's 401.
func TestAccTrafficOpenIDConnect(t *testing.T) {
	cp := newControlPlane(t)
	realm := fmt.Sprintf("acc-%d", controlPlaneSeq.Add(1))
	for _, put := range []struct {
		path string
		body any
	}{
		{"", map[string]any{}},
		{"/clients/billing-app", map[string]any{"client_secret": "billing-secret", "audience": []string{"orders-api"}}},
	} {
		if status := apiDo(t, http.MethodPut, "/_emulator/oidc/"+realm+put.path, put.body, nil); status/100 != 2 {
			t.Fatalf("PUT /_emulator/oidc/%s%s: %d", realm, put.path, status)
		}
	}
	issuer := testEmulator.OIDCIssuer(realm)
	api, err := url.Parse(testEmulator.URL)
	if err != nil {
		t.Fatal(err)
	}
	config := providerConfig(testEmulator) + fmt.Sprintf(`
resource "konnect_gateway_service" "echo" {
  control_plane_id = %[1]q
  name             = "orders"
  host             = %[2]q
  port             = %[3]s
  path             = "/_emulator/echo"
}

resource "konnect_gateway_route" "orders" {
  control_plane_id = %[1]q
  paths            = ["/orders"]
  service          = { id = konnect_gateway_service.echo.id }
}

resource "konnect_gateway_plugin_openid_connect" "orders" {
  control_plane_id = %[1]q
  route            = { id = konnect_gateway_route.orders.id }
  config = {
    issuer            = %[4]q
    auth_methods      = ["bearer"]
    audience_required = ["orders-api"]
  }
}
`, cp, api.Hostname(), api.Port(), issuer)

	proxy, err := testEmulator.ControlPlaneProxyURL(cp)
	if err != nil {
		t.Fatal(err)
	}
	// get answers with the response whose body it has read and closed.
	get := func(authorization string) (*http.Response, []byte, error) {
		req, _ := http.NewRequest(http.MethodGet, proxy+"/orders", nil)
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		return resp, b, nil
	}
	traffic := func(*terraform.State) error {
		token, err := clientCredentialsToken(issuer, "billing-app", "billing-secret")
		if err != nil {
			return err
		}
		resp, body, err := get("Bearer " + token) //nolint:bodyclose // get closes it
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("with the provider's token: %d %s", resp.StatusCode, body)
		}
		var echo struct{ Headers http.Header }
		if err := json.Unmarshal(body, &echo); err != nil || echo.Headers.Get("Authorization") != "Bearer "+token {
			return fmt.Errorf("the upstream did not get the token: %s", body)
		}
		resp, body, err = get("") //nolint:bodyclose // get closes it
		if err != nil {
			return err
		}
		challenge := `Bearer realm="` + api.Hostname() + `", error="invalid_token"`
		if resp.StatusCode != http.StatusUnauthorized || !jsonHas(body, "message", "Unauthorized") || resp.Header.Get("WWW-Authenticate") != challenge {
			return fmt.Errorf("without a token: %d %s, WWW-Authenticate %q", resp.StatusCode, body, resp.Header.Get("WWW-Authenticate"))
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps:                    []resource.TestStep{{Config: config, Check: traffic}},
	})
}

// clientCredentialsToken gets an access token from an OpenID provider as an ordinary client
// would: the token endpoint from discovery, then the client credentials grant.
func clientCredentialsToken(issuer, clientID, secret string) (string, error) {
	resp, err := http.Get(issuer + "/.well-known/openid-configuration")
	if err != nil {
		return "", fmt.Errorf("discovery: %w", err)
	}
	var discovery struct {
		TokenEndpoint string `json:"token_endpoint"`
	}
	err = json.NewDecoder(resp.Body).Decode(&discovery)
	_ = resp.Body.Close()
	if err != nil || discovery.TokenEndpoint == "" {
		return "", fmt.Errorf("discovery document without a token endpoint: %w", err)
	}
	req, _ := http.NewRequest(http.MethodPost, discovery.TokenEndpoint, strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, secret)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("token request: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &tok) != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("token endpoint: %d %s", resp.StatusCode, body)
	}
	return tok.AccessToken, nil
}
