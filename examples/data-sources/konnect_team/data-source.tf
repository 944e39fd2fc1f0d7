# One of Konnect's own teams.
data "konnect_team" "admins" {
  filter = {
    name = { eq = "Organization Admin" }
  }
}
