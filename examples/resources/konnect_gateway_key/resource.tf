# The public half of an ES256 signing key, as a JSON Web Key. Its "kid" must
# match the resource's `kid`.
resource "konnect_gateway_key" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id

  name = "token-signing-2025"
  kid  = "token-signing-2025"
  set = {
    id = konnect_gateway_key_set.example.id
  }

  jwk = jsonencode({
    kty = "EC"
    crv = "P-256"
    alg = "ES256"
    use = "sig"
    kid = "token-signing-2025"
    x   = "GADsAOvEmL-NMriRpbHOvpMNPpwBVLJYcuAE_lyj6S4"
    y   = "mU2kRGXtnhKnI7rb2bjIBkfi99v1S3R1eu5IQINl7HQ"
  })
}
