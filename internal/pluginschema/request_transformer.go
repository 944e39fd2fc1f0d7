package pluginschema

// requestTransformer rewrites the request before it is proxied: its method, path, headers,
// query string and body (Kong Gateway 3.15).
var requestTransformer = &Plugin{
	Name:     "request-transformer",
	Priority: 801,
	// Kong 3.15 lets any protocol be listed (Kong's typedefs.protocols), though only HTTP
	// traffic has anything to transform.
	Protocols:        []string{"grpc", "grpcs", "http", "https", "tcp", "tls", "tls_passthrough", "udp", "ws", "wss"},
	DefaultProtocols: httpProtocols,
	Config: []*Field{
		{
			// Kong's typedefs.http_method (Lua pattern ^%u+$).
			Name: "http_method", Type: TypeString, Match: `^[A-Z]+$`,
			Description: "Method to send upstream instead of the client's, in capitals, such as `POST`. " +
				"Changing to `GET`, `HEAD` or `TRACE` moves a form body into the query string.",
		},
		requestPartsRecord("remove", "Parts to delete from the request. Applied first.", removeEntries),
		requestPartsRecord("rename", "Parts to rename; the value is kept. Applied after `remove`.", renameEntries),
		requestPartsRecord("replace", "Parts whose value is changed, only when the request already has "+
			"them. Applied after `rename`.", setEntries),
		requestPartsRecord("add", "Parts to add, only when the request does not have them yet. Applied "+
			"after `replace`.", setEntries),
		requestPartsRecord("append", "Parts to add whether or not the request has them; an existing "+
			"header or parameter gets one more value. Applied last.", setEntries),
	},
}

// The kinds of entry lists of requestPartsRecord.
const (
	removeEntries = iota // names
	renameEntries        // "old:new"
	setEntries           // "name:value"
)

// requestPartsRecord is one operation of the plugin: lists of body fields, headers and query
// parameters, plus the upstream path for replace.
func requestPartsRecord(name, description string, kind int) *Field {
	const templates = " Values may use templates such as `$(headers.x_id)`, `$(query_params.page)`, " +
		"`$(uri_captures.id)` or `$(shared.key)`."
	r := &Field{Name: name, Type: TypeRecord, Required: true, Description: description}
	switch kind {
	case removeEntries:
		r.Fields = []*Field{
			stringList("body", "Body fields to delete (JSON, form or multipart bodies).", "A body field name.", nil),
			{
				Name: "headers", Type: TypeArray, Required: true, Default: []any{},
				Description: "Headers to delete.",
				Elements:    &Field{Type: TypeString, Validator: validateRemovedHeader, Description: "A header name."},
			},
			stringList("querystring", "Query parameters to delete.", "A query parameter name.", nil),
		}
	case renameEntries:
		r.Fields = []*Field{
			stringList("body", "Body fields to rename, as `old:new`.", "`old:new`.", validateKeyValue),
			named("headers", headerRenameList("Headers to rename, as `old:new`.")),
			stringList("querystring", "Query parameters to rename, as `old:new`.", "`old:new`.", validateKeyValue),
		}
	case setEntries:
		r.Fields = []*Field{
			stringList("body", "Body fields, as `name:value`."+templates, "`name:value`.", validateKeyValue),
			named("headers", headerValueList("Headers, as `name:value`."+templates)),
			stringList("querystring", "Query parameters, as `name:value`."+templates, "`name:value`.", validateKeyValue),
		}
		if name == "replace" {
			r.Fields = append(r.Fields, &Field{Name: "uri", Type: TypeString,
				Description: "Path to send upstream instead of the one the route computed." + templates})
		}
	}
	return r
}

// stringList is a list of strings that defaults to empty.
func stringList(name, description, element string, validator func(any) string) *Field {
	return &Field{
		Name: name, Type: TypeArray, Required: true, Default: []any{}, Description: description,
		Elements: &Field{Type: TypeString, Validator: validator, Description: element},
	}
}

// validateRemovedHeader checks the name of a header to remove. Kong splits the entry like a
// "name:value" pair and checks the name only; an entry that starts with a colon has no name,
// which Kong reports as 'nil'.
func validateRemovedHeader(v any) string {
	name, _, ok := splitPair(v.(string))
	if !ok {
		return notAHeader("nil")
	}
	if validateHeaderName(name) != "" {
		return notAHeader(name)
	}
	return ""
}

// validateKeyValue is Kong's check_for_value: the entry needs a value after its colon.
//
// Kong then compiles the value as a template and reports a template that does not compile
// as Lua code; that check is not reproduced. An entry that starts with a colon makes Kong's
// check fail with an internal error; it is refused here with an empty key instead.
func validateKeyValue(v any) string {
	name, value, ok := splitPair(v.(string))
	if !ok || value == "" {
		return "key '" + name + "' has no value"
	}
	return ""
}

func init() { Register(requestTransformer) }
