package pluginschema

// requestTermination answers requests at the gateway with a fixed status and body instead of
// proxying them, or echoes them back for debugging (Kong Gateway 3.15).
var requestTermination = &Plugin{
	Name:             "request-termination",
	Priority:         2,
	Protocols:        httpProtocols,
	DefaultProtocols: httpProtocols,
	Config: []*Field{
		{
			Name: "status_code", Type: TypeInteger, Required: true, Default: int64(503),
			Between:     &[2]float64{100, 599},
			Description: "HTTP status of the answer, from 100 to 599.",
		},
		{
			Name: "message", Type: TypeString,
			Description: "Message of the answer, sent in Kong's standard error body (JSON by default). " +
				"Cannot be combined with `body` or `content_type`.",
		},
		{
			Name: "content_type", Type: TypeString,
			Description: "`Content-Type` of `body`. Requires `body`.",
		},
		{
			Name: "body", Type: TypeString,
			Description: "Body of the answer, sent as it is. Cannot be combined with `message`.",
		},
		{
			Name: "echo", Type: TypeBoolean, Required: true, Default: false,
			Description: "Answer with a description of the request itself (method, path, headers, body, " +
				"matched route and service), for debugging. Cannot be combined with `body` or " +
				"`content_type`.",
		},
		named("trigger", headerName("Header or query parameter that makes the plugin act: when set, "+
			"requests without it are proxied as usual.")),
	},
	Checks: []EntityCheck{{Custom: checkRequestTermination}},
}

// checkRequestTermination holds the rules Kong checks on the whole config: the standard
// message and a raw body exclude each other, a content type needs a body, and echo replaces
// the body.
func checkRequestTermination(config map[string]any) string {
	present := func(name string) bool { return config[name] != nil } // strings are never empty
	switch {
	case present("message") && (present("content_type") || present("body")):
		return "message cannot be used with content_type or body"
	case present("content_type") && !present("body"):
		return "content_type requires a body"
	case config["echo"] == true && (present("content_type") || present("body")):
		return "echo cannot be used with content_type and body"
	}
	return ""
}

func init() { Register(requestTermination) }
