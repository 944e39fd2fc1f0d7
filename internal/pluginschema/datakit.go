package pluginschema

import (
	"errors"
	"strconv"
	"strings"

	"github.com/openkonnect/terraform-provider-konnect/internal/datakit"
)

// datakitPlugin is Kong's Datakit: a graph of nodes (HTTP calls, jq filters, caches, JWT...)
// run on each request (Kong Gateway 3.11 and later). Its nodes are polymorphic, so `nodes` is
// JSON checked as a whole by the engine, and the shared `resources` are Kong 3.15's record, (internal/datakit), the same code the
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
		{Name: "resources", Type: TypeRecord, Required: true, Description: "Resources the nodes share: `cache` (`strategy` `memory` or `redis`, with `memory.dictionary_name` or a `redis` connection) for cache nodes, and `vault`, a map of names to `{vault://...}` references read through the `vault` node.", Fields: []*Field{
			{Name: "cache", Type: TypeRecord, Required: true, Description: "Object.", Fields: []*Field{
				{Name: "memory", Type: TypeRecord, Required: true, Description: "Object.", Fields: []*Field{
					{Name: "dictionary_name", Type: TypeString, Default: "kong_db_cache", Description: "String."},
				}},
				{Name: "redis", Type: TypeRecord, Required: true, Description: "Object.", Fields: []*Field{
					{Name: "cloud_authentication", Type: TypeRecord, Description: "Object.", Fields: []*Field{
						{Name: "auth_provider", Type: TypeString, Enum: []string{"aws", "azure", "gcp"}, Referenceable: true, Description: "String. May be a vault reference (`{vault://...}`)."},
						{Name: "aws_access_key_id", Type: TypeString, Sensitive: true, Encrypted: true, Referenceable: true, Description: "String. May be a vault reference (`{vault://...}`). Secret: encrypted at rest."},
						{Name: "aws_assume_role_arn", Type: TypeString, Sensitive: true, Encrypted: true, Referenceable: true, Description: "String. May be a vault reference (`{vault://...}`). Secret: encrypted at rest."},
						{Name: "aws_cache_name", Type: TypeString, Referenceable: true, Description: "String. May be a vault reference (`{vault://...}`)."},
						{Name: "aws_is_serverless", Type: TypeBoolean, Default: true, Description: "Boolean."},
						{Name: "aws_region", Type: TypeString, Referenceable: true, Description: "String. May be a vault reference (`{vault://...}`)."},
						{Name: "aws_role_session_name", Type: TypeString, Sensitive: true, Encrypted: true, Referenceable: true, Description: "String. May be a vault reference (`{vault://...}`). Secret: encrypted at rest."},
						{Name: "aws_secret_access_key", Type: TypeString, Sensitive: true, Encrypted: true, Referenceable: true, Description: "String. May be a vault reference (`{vault://...}`). Secret: encrypted at rest."},
						{Name: "azure_client_id", Type: TypeString, Sensitive: true, Encrypted: true, Referenceable: true, Description: "String. May be a vault reference (`{vault://...}`). Secret: encrypted at rest."},
						{Name: "azure_client_secret", Type: TypeString, Sensitive: true, Encrypted: true, Referenceable: true, Description: "String. May be a vault reference (`{vault://...}`). Secret: encrypted at rest."},
						{Name: "azure_tenant_id", Type: TypeString, Sensitive: true, Encrypted: true, Referenceable: true, Description: "String. May be a vault reference (`{vault://...}`). Secret: encrypted at rest."},
						{Name: "gcp_service_account_json", Type: TypeString, Sensitive: true, Encrypted: true, Referenceable: true, Description: "String. May be a vault reference (`{vault://...}`). Secret: encrypted at rest."},
					}},
					{Name: "cluster_max_redirections", Type: TypeInteger, Default: int64(5), Description: "Integer."},
					{Name: "cluster_nodes", Type: TypeArray, LenMin: 1, Description: "List of objects, at least 1 items.", Elements: &Field{Type: TypeRecord, Description: "Object.", Fields: []*Field{
						{Name: "ip", Type: TypeString, Default: "127.0.0.1", Description: "String."},
						{Name: "port", Type: TypeInteger, Default: int64(6379), Between: &[2]float64{0, 65535}, Description: "Integer, from 0 to 65535."},
					}}},
					{Name: "connect_timeout", Type: TypeInteger, Default: int64(2000), Between: &[2]float64{0, 2.147483646e+09}, Description: "Integer, from 0 to 2147483646."},
					{Name: "connection_is_proxied", Type: TypeBoolean, Default: false, Description: "Boolean."},
					{Name: "database", Type: TypeInteger, Default: int64(0), Description: "Integer."},
					{Name: "host", Type: TypeString, Default: "127.0.0.1", Referenceable: true, Description: "String. May be a vault reference (`{vault://...}`)."},
					{Name: "keepalive_backlog", Type: TypeInteger, Between: &[2]float64{0, 2.147483646e+09}, Description: "Integer, from 0 to 2147483646."},
					{Name: "keepalive_pool_size", Type: TypeInteger, Default: int64(256), Between: &[2]float64{1, 2.147483646e+09}, Description: "Integer, from 1 to 2147483646."},
					{Name: "password", Type: TypeString, Sensitive: true, Encrypted: true, Referenceable: true, Description: "String. May be a vault reference (`{vault://...}`). Secret: encrypted at rest."},
					{Name: "port", Type: TypeInteger, Default: int64(6379), Between: &[2]float64{0, 65535}, Referenceable: true, Description: "Integer, from 0 to 65535. May be a vault reference (`{vault://...}`)."},
					{Name: "read_timeout", Type: TypeInteger, Default: int64(2000), Between: &[2]float64{0, 2.147483646e+09}, Description: "Integer, from 0 to 2147483646."},
					{Name: "send_timeout", Type: TypeInteger, Default: int64(2000), Between: &[2]float64{0, 2.147483646e+09}, Description: "Integer, from 0 to 2147483646."},
					{Name: "sentinel_master", Type: TypeString, Description: "String."},
					{Name: "sentinel_nodes", Type: TypeArray, LenMin: 1, Description: "List of objects, at least 1 items.", Elements: &Field{Type: TypeRecord, Description: "Object.", Fields: []*Field{
						{Name: "host", Type: TypeString, Default: "127.0.0.1", Description: "String."},
						{Name: "port", Type: TypeInteger, Default: int64(6379), Between: &[2]float64{0, 65535}, Description: "Integer, from 0 to 65535."},
					}}},
					{Name: "sentinel_password", Type: TypeString, Sensitive: true, Encrypted: true, Referenceable: true, Description: "String. May be a vault reference (`{vault://...}`). Secret: encrypted at rest."},
					{Name: "sentinel_role", Type: TypeString, Enum: []string{"any", "master", "slave"}, Description: "String."},
					{Name: "sentinel_username", Type: TypeString, Referenceable: true, Description: "String. May be a vault reference (`{vault://...}`)."},
					{Name: "server_name", Type: TypeString, Referenceable: true, Description: "String. May be a vault reference (`{vault://...}`)."},
					{Name: "ssl", Type: TypeBoolean, Default: false, Description: "Boolean."},
					{Name: "ssl_verify", Type: TypeBoolean, Default: false, Description: "Boolean."},
					{Name: "username", Type: TypeString, Referenceable: true, Description: "String. May be a vault reference (`{vault://...}`)."},
				}},
				{Name: "strategy", Type: TypeString, Enum: []string{"memory", "redis"}, Description: "String."},
			}},
			{Name: "vault", Type: TypeMap, Description: "Map of strings.", Values: &Field{Type: TypeString, LenMin: 1, LenMax: 4095, Referenceable: true, Description: "String, 1 to 4095 characters. May be a vault reference (`{vault://...}`)."}},
		}},
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
