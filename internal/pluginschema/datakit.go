package pluginschema

import (
	"errors"
	"strconv"
	"strings"

	"github.com/openkonnect/terraform-provider-konnect/internal/datakit"
)

// datakitPlugin is Kong's Datakit: a graph of nodes (HTTP calls, jq filters, caches, JWT...)
// run on each request (Kong Gateway 3.11 and later). Its nodes are polymorphic, so `nodes` and
// `resources` are JSON checked as a whole by the engine (internal/datakit), the same code the
// data plane runs, so that a config accepted here is one the gateway can run.
var datakitPlugin = &Plugin{
	Name:             "datakit",
	Priority:         810,
	Protocols:        httpProtocols,
	DefaultProtocols: httpProtocols,
	Config: []*Field{
		{
			Name: "debug", Type: TypeBoolean, Required: true, Default: false,
			Description: "Name the failing node and its error in the client's 500 answer, instead of only " +
				"`An unexpected error occurred`.",
		},
		{
			Name: "nodes", Type: TypeJSON, Required: true,
			Description: "The flow's nodes, 1 to 64, in any order: each an object with a unique `name`, its `type` " +
				"(`static`, `jq`, `call`, `exit`, `property`, `branch`, `cache`, `json_to_xml`, `xml_to_json`, " +
				"`jwt_decode`, `jwt_sign`, `jwt_verify`) and that type's fields. Nodes connect to each other and to " +
				"the implicit nodes `request`, `service_request`, `service_response`, `response` and `vault` with " +
				"`input`/`inputs` and `output`/`outputs` (`NODE` or `NODE.field`).",
		},
		{
			Name: "resources", Type: TypeJSON,
			Description: "Resources the nodes share: `cache` (`strategy` `memory` or `redis`, with `memory.dictionary_name` " +
				"or a `redis` connection) for cache nodes, and `vault`, a map of names to `{vault://...}` references " +
				"read through the `vault` node.",
		},
	},
	Compile: compileDatakit,
}

// compileDatakit checks the flow as the gateway will run it (dependency order, cycles,
// references, each node's fields) and returns the config with the engine's defaults.
func compileDatakit(config map[string]any) (map[string]any, []FieldError) {
	flow, err := datakit.Compile(config)
	var ce *datakit.ConfigError
	switch {
	case errors.As(err, &ce):
		return nil, []FieldError{datakitFieldError(ce)}
	case err != nil:
		return nil, []FieldError{{Field: "config", Message: err.Error()}}
	}
	out := flow.Normalized()
	if _, ok := out["resources"]; !ok {
		out["resources"] = nil // every schema field is in a stored config
	}
	return out, nil
}

// datakitFieldError places an engine refusal on the config path it concerns: a node's field
// is "config.nodes.<position>.<field>" (positions from 1, as for every array). A message that
// does not name the node already starts with it, so the answer says which node is wrong.
func datakitFieldError(ce *datakit.ConfigError) FieldError {
	path := "config"
	if ce.Index >= 0 {
		path += ".nodes." + strconv.Itoa(ce.Index+1)
	}
	if ce.Field != "" {
		path += "." + ce.Field
	}
	msg := ce.Message
	if ce.Index >= 0 && ce.Node != "" && !strings.Contains(msg, "("+ce.Node+")") && !strings.Contains(msg, strconv.Quote(ce.Node)) {
		msg = "node #" + strconv.Itoa(ce.Index+1) + " (" + ce.Node + "): " + msg
	}
	return FieldError{Field: path, Message: msg}
}

func init() { Register(datakitPlugin) }
