# The account gets the team's roles.
resource "konnect_system_account_team" "example" {
  account_id = konnect_system_account.example.id
  team_id    = konnect_team.example.id
}
