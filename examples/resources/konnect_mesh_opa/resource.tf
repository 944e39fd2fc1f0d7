# GET requests to echo need an HS256 token of an admin. A policy that does not compile is
# refused at plan, with OPA's message and line.
resource "konnect_mesh_opa" "example" {
  cp_id = konnect_mesh_control_plane.example.id
  mesh  = "default"
  type  = "MeshOPA"
  name  = "echo-admins"

  spec = {
    target_ref = { kind = "MeshService", name = "echo" }
    default = {
      append_policies = [
        {
          rego = {
            inline_string = <<-EOT
              package envoy.authz

              import input.attributes.request.http as http_request

              default allow := false

              token := {"valid": valid, "payload": payload} if {
                [_, encoded] := split(http_request.headers.authorization, " ")
                [valid, _, payload] := io.jwt.decode_verify(encoded, {"secret": "secret"})
              }

              allow if {
                token.valid
                token.payload.role == "admin"
                http_request.method == "GET"
              }
            EOT
          }
        },
        # A policy kept in a mesh secret.
        { rego = { secret = konnect_mesh_secret.example.name } },
      ]
      auth_config = {
        on_agent_failure = "Deny"
        status_on_error  = 403
        timeout          = "500ms"
      }
    }
  }
}
