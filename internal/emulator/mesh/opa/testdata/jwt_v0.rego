# The JWT example of the Kong Mesh MeshOPA documentation, in the Rego v0 syntax it uses:
# a GET with an HS256 bearer token (key "secret") whose payload has role admin and a current
# nbf/exp window is allowed, everything else is refused.
package envoy.authz

import input.attributes.request.http as http_request

default allow = false

token = {"valid": valid, "payload": payload} {
	[_, encoded] := split(http_request.headers.authorization, " ")
	[valid, _, payload] := io.jwt.decode_verify(encoded, {"secret": "secret"})
}

allow {
	is_token_valid
	action_allowed
}

is_token_valid {
	token.valid
	now := time.now_ns() / 1000000000
	token.payload.nbf <= now
	now < token.payload.exp
}

action_allowed {
	http_request.method == "GET"
	token.payload.role == "admin"
}
