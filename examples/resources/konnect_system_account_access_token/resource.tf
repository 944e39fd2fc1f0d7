resource "konnect_system_account_access_token" "example" {
  account_id = konnect_system_account.example.id
  name       = "ci"
  expires_at = "2030-01-01T00:00:00Z"
}

# A second provider block acting as the system account.
provider "konnect" {
  alias                       = "ci"
  server_url                  = "https://us.api.konghq.com"
  system_account_access_token = konnect_system_account_access_token.example.token
}
