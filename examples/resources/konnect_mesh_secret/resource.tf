# A Rego policy kept in a secret, for konnect_mesh_opa to name.
resource "konnect_mesh_secret" "example" {
  cp_id = konnect_mesh_control_plane.example.id
  mesh  = "default"
  type  = "Secret"
  name  = "get-only-policy"
  data = base64encode(<<-EOT
    package envoy.authz

    default allow := false

    allow if input.attributes.request.http.method == "GET"
  EOT
  )
}
