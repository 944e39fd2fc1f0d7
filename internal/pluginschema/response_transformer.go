package pluginschema

// responseTransformer rewrites the upstream response's headers and JSON body before it
// reaches the client (Kong Gateway 3.15).
var responseTransformer = &Plugin{
	Name:             "response-transformer",
	Priority:         800,
	Protocols:        httpProtocols,
	DefaultProtocols: httpProtocols,
	Config: []*Field{
		{
			Name: "remove", Type: TypeRecord, Required: true,
			Description: "Parts to delete from the response. Applied first.",
			Fields: []*Field{
				stringList("json", "Top-level properties to delete from a JSON body.", "A property name.", nil),
				stringList("headers", "Headers to delete.", "A header name.", nil),
			},
		},
		{
			Name: "rename", Type: TypeRecord, Required: true,
			Description: "Parts to rename; the value is kept. Applied after `remove`.",
			Fields: []*Field{
				jsonEntries("json", "Top-level JSON properties to rename, as `old:new`.", "`old:new`."),
				named("headers", headerRenameList("Headers to rename, as `old:new`.")),
			},
		},
		responseSetRecord("replace", "Parts whose value is changed, only when the response already "+
			"has them. Applied after `rename`."),
		responseSetRecord("add", "Parts to add, only when the response does not have them yet. "+
			"Applied after `replace`."),
		responseSetRecord("append", "Parts to add whether or not the response has them; an "+
			"existing header or property gets one more value. Applied last."),
	},
}

// responseSetRecord is an operation that sets values: JSON properties, their types, and
// headers.
func responseSetRecord(name, description string) *Field {
	return &Field{
		Name: name, Type: TypeRecord, Required: true, Description: description,
		Fields: []*Field{
			jsonEntries("json", "Top-level JSON properties, as `name:value`.", "`name:value`."),
			{
				Name: "json_types", Type: TypeArray, Required: true, Default: []any{},
				Description: "Type of each value in `json`, by position: `string` (the default for a " +
					"missing entry), `number` or `boolean`.",
				Elements: &Field{Type: TypeString, Enum: []string{"boolean", "number", "string"},
					Description: "`boolean`, `number` or `string`."},
			},
			named("headers", headerValueList("Headers, as `name:value`.")),
		},
	}
}

// jsonEntries is a list of "name:value" entries for JSON properties; only their shape is
// checked.
func jsonEntries(name, description, element string) *Field {
	return &Field{
		Name: name, Type: TypeArray, Required: true, Default: []any{}, Description: description,
		Elements: &Field{Type: TypeString, Match: colonPair, Description: element},
	}
}

func init() { Register(responseTransformer) }
