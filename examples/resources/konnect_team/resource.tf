resource "konnect_team" "example" {
  name        = "Payments developers"
  description = "Builds and runs the payments APIs."
  labels = {
    cost_center = "payments"
  }
}
