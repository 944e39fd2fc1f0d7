package pluginschema

// keyAuth authenticates requests by an API key (Kong Gateway 3.15).
var keyAuth = &Plugin{
	Name:     "key-auth",
	Priority: 1250,
	// Kong 3.15 adds the WebSocket protocols to the usual HTTP ones for this plugin.
	Protocols:        []string{"grpc", "grpcs", "http", "https", "ws", "wss"},
	DefaultProtocols: []string{"grpc", "grpcs", "http", "https", "ws", "wss"},
	// The plugin identifies the consumer, so it cannot be limited to one (Kong's no_consumer);
	// Kong 3.15 does not offer it a consumer_group either.
	NoConsumer:      true,
	NoConsumerGroup: true,
	Config: []*Field{
		{
			Name: "key_names", Type: TypeArray, Required: true, Default: []any{"apikey"},
			Description: "Names under which the plugin looks for the key, tried in order: as a header, " +
				"a query parameter or a body field, depending on `key_in_header`, `key_in_query` and " +
				"`key_in_body`. Only letters, digits, `_` and `-` are allowed.",
			Elements: headerName("A header, query parameter or body field name."),
		},
		{
			// Konnect's default; the Kong 3.15 reference schema says true.
			Name: "hide_credentials", Type: TypeBoolean, Required: true, Default: false,
			Description: "Remove the key from the request (header, query parameter or body field) " +
				"before it is proxied, so the upstream service never sees it.",
		},
		{
			Name: "anonymous", Type: TypeString,
			Description: "ID or username of a consumer to use when authentication fails, so that the " +
				"request goes on as that consumer instead of being refused with `401`. Leave unset to " +
				"refuse such requests.",
		},
		{
			Name: "key_in_header", Type: TypeBoolean, Required: true, Default: true,
			Description: "Look for the key in the request headers.",
		},
		{
			Name: "key_in_query", Type: TypeBoolean, Required: true, Default: true,
			Description: "Look for the key in the query string.",
		},
		{
			Name: "key_in_body", Type: TypeBoolean, Required: true, Default: false,
			Description: "Look for the key in the request body: form-encoded " +
				"(`application/x-www-form-urlencoded`), `multipart/form-data` or JSON. This makes the " +
				"gateway read the body of every request.",
		},
		{
			Name: "run_on_preflight", Type: TypeBoolean, Required: true, Default: true,
			Description: "Authenticate CORS preflight (`OPTIONS`) requests too. When off, every `OPTIONS` " +
				"request is let through without a key.",
		},
		{
			Name: "realm", Type: TypeString,
			Description: "Realm to name in the `WWW-Authenticate` header of a `401` answer. Leave unset " +
				"to send the header without a realm.",
		},
		{
			// Konnect fills in the control plane's own consumers when the list is absent; the Kong
			// 3.15 reference schema gives no default.
			Name: "identity_realms", Type: TypeArray,
			Default: []any{map[string]any{"region": nil, "id": nil, "scope": "cp"}},
			Description: "Where to look up the consumer a key belongs to, in order: `cp` for this control " +
				"plane's consumers, `realm` for a Konnect identity realm's.",
			Elements: &Field{
				Type:        TypeRecord,
				Description: "One place to look up consumers.",
				Fields: []*Field{
					{Name: "region", Type: TypeString,
						Description: "Konnect region of the realm, such as `us` or `eu`."},
					{Name: "id", Type: TypeString, UUID: true,
						Description: "ID of the realm."},
					{Name: "scope", Type: TypeString, Enum: []string{"cp", "realm"}, Default: "cp",
						Description: "Where to look: `cp` for this control plane's consumers, `realm` for the " +
							"realm's."},
				},
			},
		},
		{
			Name: "principals", Type: TypeRecord, Required: true,
			Description: "Authenticate against Kong Identity principals instead of this control plane's " +
				"key credentials.",
			Fields: []*Field{
				{Name: "enabled", Type: TypeBoolean, Default: false,
					Description: "Look keys up in Kong Identity instead of in local credentials."},
				{Name: "directory", Type: TypeString, Default: "default",
					Description: "Kong Identity directory to look keys up in."},
				{Name: "error_on_miss", Type: TypeBoolean, Default: true,
					Description: "Refuse the request with `401` when no principal matches the key. When off, " +
						"the request goes on unauthenticated."},
			},
		},
	},
}

func init() { Register(keyAuth) }
