# Every request to the orders service needs an API key, sent in the
# "x-api-key" header; the key is removed before the request goes upstream.
resource "konnect_gateway_plugin_key_auth" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id
  service = {
    id = konnect_gateway_service.example.id
  }

  config = {
    key_names        = ["x-api-key"]
    key_in_header    = true
    key_in_query     = false
    hide_credentials = true
  }
}
