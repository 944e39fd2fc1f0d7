resource "konnect_system_account" "example" {
  name        = "ci-deployer"
  description = "Deploys the payments configuration from CI."
}
