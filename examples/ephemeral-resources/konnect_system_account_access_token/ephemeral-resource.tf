# A token for this run only: made when Terraform needs it, deleted when the run ends,
# never written to the state.
ephemeral "konnect_system_account_access_token" "run" {
  account_id = konnect_system_account.example.id
  name       = "terraform-run"
  expires_at = timeadd(plantimestamp(), "1h")
}

provider "konnect" {
  alias                       = "ci"
  server_url                  = "https://us.api.konghq.com"
  system_account_access_token = ephemeral.konnect_system_account_access_token.run.token
}

# Read with the system account's rights.
data "konnect_gateway_consumer" "alice" {
  provider         = konnect.ci
  control_plane_id = konnect_gateway_control_plane.example.id
  username         = "alice"
}
