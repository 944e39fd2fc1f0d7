package pluginschema

// hmacAuth authenticates requests signed with a secret shared with the consumer, as HTTP
// signatures carried in the `Authorization` or `Proxy-Authorization` header (Kong Gateway 3.15).
var hmacAuth = &Plugin{
	Name:     "hmac-auth",
	Priority: 1030,
	// Kong 3.15 adds the WebSocket protocols to the usual HTTP ones for this plugin.
	Protocols:        []string{"grpc", "grpcs", "http", "https", "ws", "wss"},
	DefaultProtocols: []string{"grpc", "grpcs", "http", "https", "ws", "wss"},
	// The plugin identifies the consumer, so it cannot be limited to one (Kong's no_consumer);
	// Kong 3.15 does not offer it a consumer_group either.
	NoConsumer:      true,
	NoConsumerGroup: true,
	Config: []*Field{
		{
			// Konnect's default; the Kong 3.15 reference schema says true.
			Name: "hide_credentials", Type: TypeBoolean, Required: true, Default: false,
			Description: "Remove the header that carried the signature before the request is proxied, so " +
				"the upstream service never sees it.",
		},
		{
			Name: "clock_skew", Type: TypeNumber, Default: 300.0, GreaterThan: ptr(0.0),
			Description: "How far, in seconds, the request's `Date` (or `X-Date`) header may be from the " +
				"gateway's clock. Older or newer requests are refused, which limits replays.",
		},
		{
			Name: "anonymous", Type: TypeString,
			Description: "ID or username of a consumer to use when authentication fails, so that the " +
				"request goes on as that consumer instead of being refused with `401`. Leave unset to " +
				"refuse such requests.",
		},
		{
			Name: "validate_request_body", Type: TypeBoolean, Required: true, Default: false,
			Description: "Also check the request body against the `Digest` header, which the signature " +
				"must then cover.",
		},
		{
			Name: "enforce_headers", Type: TypeArray, Default: []any{},
			Description: "Headers that every signature must cover. A signature that leaves one out is " +
				"refused.",
			Elements: &Field{Type: TypeString, Description: "A header name."},
		},
		{
			// Kong 3.15 adds hmac-sha224 and leaves hmac-sha1 out of the default (3.10 accepted
			// hmac-sha1, hmac-sha256, hmac-sha384 and hmac-sha512, all by default).
			Name: "algorithms", Type: TypeArray,
			Default: []any{"hmac-sha224", "hmac-sha256", "hmac-sha384", "hmac-sha512"},
			Description: "Digest algorithms a signature may use. `hmac-sha1` is weak and off unless " +
				"listed here (and unavailable in FIPS mode).",
			Elements: &Field{Type: TypeString,
				Enum:        []string{"hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384", "hmac-sha512"},
				Description: "`hmac-sha1`, `hmac-sha224`, `hmac-sha256`, `hmac-sha384` or `hmac-sha512`."},
		},
		{
			Name: "realm", Type: TypeString,
			Description: "Realm to name in the `WWW-Authenticate` header of a `401` answer. Leave unset " +
				"to send the header without a realm.",
		},
	},
}

func init() { Register(hmacAuth) }
