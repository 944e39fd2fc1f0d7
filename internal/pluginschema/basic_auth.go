package pluginschema

// basicAuth authenticates requests by a user name and password sent in the `Authorization`
// header (Kong Gateway 3.15).
var basicAuth = &Plugin{
	Name:     "basic-auth",
	Priority: 1100,
	// Kong 3.15 adds the WebSocket protocols to the usual HTTP ones for this plugin.
	Protocols:        []string{"grpc", "grpcs", "http", "https", "ws", "wss"},
	DefaultProtocols: []string{"grpc", "grpcs", "http", "https", "ws", "wss"},
	// The plugin identifies the consumer, so it cannot be limited to one (Kong's no_consumer);
	// Kong 3.15 does not offer it a consumer_group either.
	NoConsumer:      true,
	NoConsumerGroup: true,
	Config: []*Field{
		{
			Name: "anonymous", Type: TypeString,
			Description: "ID or username of a consumer to use when authentication fails, so that the " +
				"request goes on as that consumer instead of being refused with `401`. Leave unset to " +
				"refuse such requests.",
		},
		{
			// Konnect's default; the Kong 3.15 reference schema says true.
			Name: "hide_credentials", Type: TypeBoolean, Required: true, Default: false,
			Description: "Remove the `Authorization` (or `Proxy-Authorization`) header that carried the " +
				"credentials before the request is proxied, so the upstream service never sees them.",
		},
		{
			Name: "realm", Type: TypeString, Required: true, Default: "service",
			Description: "Realm to name in the `WWW-Authenticate: Basic` header of a `401` answer.",
		},
		{
			// Kong Gateway Enterprise only; its source is not public, so the fields and the
			// order of the strategies come from Kong 3.15's reference schema. Whether Konnect
			// refuses `cluster` here, as it does for rate-limiting, is UNCONFIRMED: it is
			// accepted.
			Name: "brute_force_protection", Type: TypeRecord, Required: true,
			Description: "Slow down password guessing by counting failed logins.",
			Fields: []*Field{
				{
					Name: "strategy", Type: TypeString, Default: "off",
					Enum: []string{"cluster", "memory", "off", "redis"},
					Description: "Where failed logins are counted: `memory` in each gateway node, `redis` in the " +
						"Redis server of `redis`, `cluster` in the gateway's database, or `off` to count nothing.",
				},
				redisRecord("Redis server that holds the counts when `strategy` is `redis`."),
			},
		},
		{
			Name: "principals", Type: TypeRecord, Required: true,
			Description: "Authenticate against Kong Identity principals instead of this control plane's " +
				"basic-auth credentials.",
			Fields: []*Field{
				{Name: "enabled", Type: TypeBoolean, Default: false,
					Description: "Check user names and passwords in Kong Identity instead of in local credentials."},
				{Name: "directory", Type: TypeString, Default: "default",
					Description: "Kong Identity directory to look users up in."},
				{Name: "error_on_miss", Type: TypeBoolean, Default: true,
					Description: "Refuse the request with `401` when no principal matches. When off, the " +
						"request goes on unauthenticated."},
			},
		},
	},
}

func init() { Register(basicAuth) }
