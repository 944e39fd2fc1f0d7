data "konnect_system_account" "deployer" {
  filter = {
    name = { eq = "ci-deployer" }
  }
}
