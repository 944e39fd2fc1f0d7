package pluginschema

// acl lets in or keeps out authenticated consumers by the ACL groups they belong to (Kong
// Gateway 3.15). It needs an authentication plugin to have identified the consumer first.
var acl = &Plugin{
	Name:     "acl",
	Priority: 950,
	// Kong 3.15 accepts the WebSocket protocols but does not turn them on by default.
	Protocols:        []string{"grpc", "grpcs", "http", "https", "ws", "wss"},
	DefaultProtocols: httpProtocols,
	// The groups belong to the consumer the plugin checks, so it cannot be limited to one
	// (Kong's no_consumer); Kong 3.15 does not offer it a consumer_group either.
	NoConsumer:      true,
	NoConsumerGroup: true,
	Config: []*Field{
		{
			Name: "allow", Type: TypeArray,
			Description: "Groups whose members may pass; everyone else is refused with `403`. Set either " +
				"`allow` or `deny`, not both.",
			Elements: &Field{Type: TypeString, Description: "An ACL group name."},
		},
		{
			Name: "deny", Type: TypeArray,
			Description: "Groups whose members are refused with `403`; everyone else may pass. Set either " +
				"`allow` or `deny`, not both.",
			Elements: &Field{Type: TypeString, Description: "An ACL group name."},
		},
		{
			Name: "hide_groups_header", Type: TypeBoolean, Required: true, Default: false,
			Description: "Do not send the `X-Consumer-Groups` header, which lists the consumer's groups, " +
				"to the upstream service.",
		},
		{
			Name: "include_consumer_groups", Type: TypeBoolean, Default: false,
			Description: "Also match the names of the consumer groups the consumer belongs to against " +
				"`allow` and `deny`.",
		},
		{
			Name: "always_use_authenticated_groups", Type: TypeBoolean, Required: true, Default: false,
			Description: "Check the groups an authentication plugin (such as LDAP or OpenID Connect) " +
				"attached to the request even when a consumer was identified, falling back to the " +
				"consumer's groups when there are none. When off, those groups are only used for a " +
				"request without a consumer or with the anonymous one.",
		},
	},
	Checks: []EntityCheck{
		{OnlyOneOf: []string{"config.allow", "config.deny"}},
		{AtLeastOneOf: []string{"config.allow", "config.deny"}},
	},
}

func init() { Register(acl) }
