package pluginschema

// correlationID tags each request with a unique ID in a header, so that the request can be
// followed through the gateway, the upstream service and the logs (Kong Gateway 3.15).
var correlationID = &Plugin{
	Name:             "correlation-id",
	Priority:         100001,
	Protocols:        httpProtocols,
	DefaultProtocols: httpProtocols,
	// Kong 3.15 lets the plugin be scoped to a consumer but not to a consumer group.
	NoConsumerGroup: true,
	Config: []*Field{
		{
			Name: "header_name", Type: TypeString, Default: "Kong-Request-ID",
			Description: "Header that carries the ID. A request that already has it keeps its value.",
		},
		{
			// Kong's source order, which its message repeats; 3.15's reference schema sorts it.
			Name: "generator", Type: TypeString, Required: true, Default: "uuid#counter",
			Enum: []string{"uuid", "uuid#counter", "tracker"},
			Description: "How IDs are made: `uuid` (a random UUID per request), `uuid#counter` (a UUID " +
				"per worker followed by `#` and a counter, cheaper) or `tracker` (built from the " +
				"server address, port, process, connection and time).",
		},
		{
			Name: "echo_downstream", Type: TypeBoolean, Required: true, Default: false,
			Description: "Also send the header back to the client in the response.",
		},
	},
}

func init() { Register(correlationID) }
