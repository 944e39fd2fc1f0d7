# Before each request to the orders service goes upstream, fetch a token from a token
# service (with the caller's api_key query argument as X-Api-Key, "none" when absent) and
# send it upstream as the Authorization header. Nodes are written flat, as in the API; each
# may also be keyed by its type: { jq = { name = "BUILD_HEADERS", jq = "...", inputs = {...} } }.
resource "konnect_gateway_plugin_datakit" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id
  service = {
    id = konnect_gateway_service.example.id
  }

  config = {
    nodes = [
      {
        name = "STATIC_INPUTS", type = "static",
        values = {
          headers = { "Content-Type" = "application/x-www-form-urlencoded" }
          body    = "grant_type=client_credentials"
        }
      },
      {
        name   = "BUILD_HEADERS", type = "jq",
        inputs = { headers = "STATIC_INPUTS.headers", query = "request.query" },
        jq     = ".headers * { \"X-Api-Key\": (.query.api_key // \"none\") }"
      },
      {
        name   = "AUTH_REQUEST", type = "call",
        inputs = { headers = "BUILD_HEADERS", body = "STATIC_INPUTS.body" },
        url    = "https://token.example.com/auth-token", method = "POST"
      },
      {
        name   = "UPSTREAM_AUTH_HEADER", type = "jq", input = "AUTH_REQUEST.body",
        output = "service_request.headers",
        jq     = "{ Authorization: (.token_type + \" \" + .access_token) }"
      },
    ]
  }
}
