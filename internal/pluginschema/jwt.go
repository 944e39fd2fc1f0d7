package pluginschema

// maxJWTLifetime is the longest maximum_expiration Kong allows: 365 days, in seconds.
const maxJWTLifetime = 31536000

// jwt authenticates requests by a signed JSON Web Token (Kong Gateway 3.15). The signing
// algorithm is a property of each consumer's jwt credential, not of the plugin.
var jwt = &Plugin{
	Name:             "jwt",
	Priority:         1450,
	Protocols:        httpProtocols,
	DefaultProtocols: httpProtocols,
	// The plugin identifies the consumer, so it cannot be limited to one (Kong's no_consumer);
	// Kong 3.15 does not offer it a consumer_group either.
	NoConsumer:      true,
	NoConsumerGroup: true,
	Config: []*Field{
		{
			// Kong declares this and the other name lists as sets (3.15's reference schema
			// calls them arrays): repeated names are dropped.
			Name: "uri_param_names", Type: TypeSet, Default: []any{"jwt"},
			Description: "Query parameters that may carry the token, tried in order.",
			Elements:    &Field{Type: TypeString, Description: "A query parameter name."},
		},
		{
			Name: "cookie_names", Type: TypeSet, Default: []any{},
			Description: "Cookies that may carry the token, tried in order.",
			Elements:    &Field{Type: TypeString, Description: "A cookie name."},
		},
		{
			Name: "key_claim_name", Type: TypeString, Default: "iss",
			Description: "Claim that names the jwt credential (its `key`) whose secret or public key " +
				"verifies the token. It is looked for in the payload first, then in the header.",
		},
		{
			Name: "secret_is_base64", Type: TypeBoolean, Required: true, Default: false,
			Description: "Treat each credential's `secret` as base64: the token is then signed with the " +
				"decoded bytes.",
		},
		{
			Name: "claims_to_verify", Type: TypeSet,
			Description: "Registered claims to check as well as the signature: `exp` (the token has not " +
				"expired) and `nbf` (the token is already valid). Must include `exp` when " +
				"`maximum_expiration` is set.",
			Elements: &Field{Type: TypeString, Enum: []string{"exp", "nbf"},
				Description: "`exp` or `nbf`."},
		},
		{
			Name: "anonymous", Type: TypeString,
			Description: "ID or username of a consumer to use when authentication fails, so that the " +
				"request goes on as that consumer instead of being refused with `401`. Leave unset to " +
				"refuse such requests.",
		},
		{
			Name: "run_on_preflight", Type: TypeBoolean, Required: true, Default: true,
			Description: "Authenticate CORS preflight (`OPTIONS`) requests too. When off, every `OPTIONS` " +
				"request is let through without a token.",
		},
		{
			Name: "maximum_expiration", Type: TypeNumber, Default: 0.0, Between: &[2]float64{0, maxJWTLifetime},
			Description: "Longest lifetime, in seconds, a token may have left: a token whose `exp` lies " +
				"further in the future is refused. `0` sets no limit; the most is 31536000 (365 days).",
		},
		{
			Name: "header_names", Type: TypeSet, Default: []any{"authorization"},
			Description: "Headers that may carry the token as `Bearer <token>`, tried in order.",
			Elements:    &Field{Type: TypeString, Description: "A header name."},
		},
		{
			Name: "realm", Type: TypeString,
			Description: "Realm to name in the `WWW-Authenticate` header of a `401` answer. Leave unset " +
				"to send the header without a realm.",
		},
	},
	Checks: []EntityCheck{
		{Conditional: &Conditional{IfField: "config.maximum_expiration", IfGreaterThan: ptr(0.0),
			ThenField: "config.claims_to_verify", ThenContains: "exp"}},
	},
}

func init() { Register(jwt) }
