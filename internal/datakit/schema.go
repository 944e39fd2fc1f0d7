package datakit

// The node types' config fields, from Kong Gateway's Datakit schema (3.11–3.15): one table,
// read by Compile to check a node and fill its defaults.

type fieldKind int

const (
	kString     fieldKind = iota
	kInt                  // an integer, range-checked when hasRange
	kBool                 //
	kStringList           // an array of strings (enum-checked when enum is set)
	kStringMap            // an object of strings
	kObject               // an object of anything (static values)
	kRef                  // a connection label: NODE or NODE.field
	kRefMap               // field -> connection label (inputs/outputs)
	kAnyValue             // anything (lists of Redis cluster or sentinel nodes: stored, not used)
)

type fieldSpec struct {
	kind     fieldKind
	min, max int64 // a string's length or an integer's value, when hasRange
	hasRange bool
	enum     []string
	def      any // the default Kong fills in; nil: none
	required bool
	// names are the fields a kRefMap may name; nil means any name (jq inputs, static outputs).
	names []string
}

func str(min, max int64) fieldSpec {
	return fieldSpec{kind: kString, min: min, max: max, hasRange: true}
}

func strDef(min, max int64, def string) fieldSpec {
	f := str(min, max)
	f.def = def
	return f
}

func required(f fieldSpec) fieldSpec {
	f.required = true
	return f
}

func refs(names ...string) fieldSpec {
	if names == nil {
		names = []string{}
	}
	return fieldSpec{kind: kRefMap, names: names}
}

var (
	ref       = fieldSpec{kind: kRef, min: 1, max: 255, hasRange: true}
	anyRefs   = fieldSpec{kind: kRefMap}
	boolean   = fieldSpec{kind: kBool}
	integer   = fieldSpec{kind: kInt}
	plainStr  = fieldSpec{kind: kString}
	nameList  = fieldSpec{kind: kStringList, min: 1, max: 64, hasRange: true}
	strList   = fieldSpec{kind: kStringList, def: []any{}}
	algorithm = []string{"ES256", "ES384", "ES512", "EdDSA", "HS256", "HS384", "HS512", "PS256", "PS384", "PS512", "RS256", "RS384", "RS512"}
)

func boolDef(def bool) fieldSpec { return fieldSpec{kind: kBool, def: def} }
func intDef(def int64) fieldSpec { return fieldSpec{kind: kInt, def: float64(def)} }

// nodeFields lists each node type's fields besides name and type.
var nodeFields = map[string]map[string]fieldSpec{
	"branch": {
		"input": ref, "output": ref, "outputs": refs("then", "else"),
		"then": nameList, "else": nameList,
	},
	"cache": {
		"input": ref, "inputs": refs("data", "key", "ttl"),
		"output": ref, "outputs": refs("data", "hit", "miss", "stored"),
		"bypass_on_error": boolean, "ttl": integer,
	},
	"call": {
		"input": ref, "inputs": refs("body", "headers", "http_proxy", "https_proxy", "proxy_auth_password", "proxy_auth_username", "query", "url"),
		"output": ref, "outputs": refs("body", "headers", "raw_body", "status"),
		"method": strDef(1, 32, "GET"), "url": plainStr, "ssl_server_name": plainStr,
		"ssl_verify": boolDef(true), "timeout": {kind: kInt, min: 0, max: 2147483646, hasRange: true},
	},
	"exit": {
		"input": ref, "inputs": refs("body", "headers"),
		"status":            {kind: kInt, min: 200, max: 599, hasRange: true, def: float64(200)},
		"warn_headers_sent": boolean,
	},
	"jq": {
		"input": ref, "inputs": anyRefs, "output": ref,
		"jq": required(str(1, 10240)),
	},
	"json_to_xml": {
		"input": ref, "inputs": anyRefs, "output": ref,
		"attributes_block_name": str(1, 32), "attributes_name_prefix": str(1, 32),
		"root_element_name": str(1, 64), "text_block_name": strDef(1, 32, "#text"),
	},
	"jwt_decode": {
		"input": ref, "output": ref, "outputs": refs("header", "payload", "signature"),
	},
	"jwt_sign": {
		"input": ref, "inputs": refs("claims", "key"),
		"output": ref, "outputs": refs("claims", "header", "token"),
		"algorithm":  required(fieldSpec{kind: kString, enum: algorithm}),
		"expires_in": intDef(300), "not_before": intDef(0), "kid": plainStr, "typ": {kind: kString, def: "JWT"},
		"static_claims": {kind: kStringMap, def: map[string]any{}},
	},
	"jwt_verify": {
		"input": ref, "inputs": refs("key", "token"),
		"output": ref, "outputs": refs("claims", "header"),
		"allowed_algorithms": {kind: kStringList, enum: algorithm, def: []any{}},
		"audiences":          strList, "issuers": strList, "required_claims": strList,
		"leeway": intDef(0), "validate_exp": boolDef(true), "validate_nbf": boolDef(true),
	},
	"property": {
		"input": ref, "output": ref,
		"property":     required(str(1, 255)),
		"content_type": {kind: kString, enum: []string{"application/json", "application/octet-stream", "text/plain"}},
		"non_nil":      boolDef(false),
	},
	"static": {
		"output": ref, "outputs": anyRefs,
		"values": required(fieldSpec{kind: kObject}),
	},
	"xml_to_json": {
		"input": ref, "output": ref,
		"attributes_block_name": str(1, 32), "attributes_name_prefix": str(1, 32),
		"recognize_type": boolDef(true), "text_as_property": boolDef(false),
		"text_block_name": strDef(1, 32, "#text"), "xpath": str(1, 256),
	},
}

// Implicit (reserved) node names.
const (
	nodeRequest         = "request"
	nodeServiceRequest  = "service_request"
	nodeServiceResponse = "service_response"
	nodeResponse        = "response"
	nodeVault           = "vault"
)

var implicitNames = []string{nodeRequest, nodeServiceRequest, nodeServiceResponse, nodeResponse, nodeVault}

// kind is a port's data type in Datakit's type system.
type kind int

const (
	tNone   kind = iota // no such port
	tAny                // known only at run time
	tMap                // dynamic string keys (headers, query)
	tObject             // known fields (a node's structured inputs or outputs)
	tString
	tNumber
	tBool
)

func (k kind) String() string {
	return [...]string{"none", "any", "map", "object", "string", "number", "boolean"}[k]
}

// ports are one side (inputs or outputs) of a node.
type ports struct {
	self   kind            // the node-wise ($self) port
	fields map[string]kind // named ports
	open   bool            // any field name is a port of type any (jq and json_to_xml inputs)
}

func objectPorts(fields map[string]kind) ports { return ports{self: tObject, fields: fields} }

var (
	httpRequestPorts = map[string]kind{"body": tAny, "headers": tMap, "query": tMap}
	nodeInputs       = map[string]ports{
		"branch":      {self: tBool},
		"cache":       objectPorts(map[string]kind{"key": tString, "ttl": tNumber, "data": tAny}),
		"call":        objectPorts(map[string]kind{"body": tAny, "headers": tMap, "query": tMap, "url": tString, "http_proxy": tString, "https_proxy": tString, "proxy_auth_username": tString, "proxy_auth_password": tString}),
		"exit":        objectPorts(map[string]kind{"body": tAny, "headers": tMap}),
		"jq":          {self: tAny, open: true},
		"json_to_xml": {self: tAny, open: true},
		"jwt_decode":  {self: tString},
		"jwt_sign":    objectPorts(map[string]kind{"claims": tMap, "key": tAny}),
		"jwt_verify":  objectPorts(map[string]kind{"token": tString, "key": tAny}),
		"property":    {self: tAny},
		"static":      {},
		"xml_to_json": {self: tString},

		nodeRequest:         {},
		nodeServiceRequest:  objectPorts(httpRequestPorts),
		nodeServiceResponse: {},
		nodeResponse:        objectPorts(map[string]kind{"body": tAny, "headers": tMap, "status": tNumber}),
		nodeVault:           {},
	}
	nodeOutputs = map[string]ports{
		"branch":      {},
		"cache":       objectPorts(map[string]kind{"hit": tBool, "miss": tBool, "stored": tBool, "data": tAny}),
		"call":        objectPorts(map[string]kind{"body": tAny, "headers": tMap, "status": tNumber, "raw_body": tString}),
		"exit":        {},
		"jq":          {self: tAny},
		"json_to_xml": {self: tString},
		"jwt_decode":  objectPorts(map[string]kind{"header": tMap, "payload": tMap, "signature": tString}),
		"jwt_sign":    objectPorts(map[string]kind{"token": tString, "claims": tMap, "header": tMap}),
		"jwt_verify":  objectPorts(map[string]kind{"claims": tMap, "header": tMap}),
		"property":    {self: tAny},
		"xml_to_json": {self: tAny},
		// static and vault: one field per configured value, set by Compile.

		nodeRequest: objectPorts(map[string]kind{"body": tAny, "headers": tMap, "query": tMap, "path": tString,
			"raw_path": tString, "port": tNumber, "method": tString, "scheme": tString}),
		nodeServiceRequest:  {},
		nodeServiceResponse: objectPorts(map[string]kind{"body": tAny, "headers": tMap, "status": tNumber, "raw_body": tString}),
		nodeResponse:        {},
	}
)

// redisFields are config.resources.cache.redis's fields and defaults.
var redisFields = map[string]fieldSpec{
	"host": {kind: kString, def: "127.0.0.1"}, "port": {kind: kInt, min: 0, max: 65535, hasRange: true, def: float64(6379)},
	"database": intDef(0), "username": plainStr, "password": plainStr,
	"ssl": boolDef(false), "ssl_verify": boolDef(false), "server_name": plainStr, // ssl_verify: false as Konnect answers for every Redis block
	"connect_timeout":          {kind: kInt, min: 0, max: 2147483646, hasRange: true, def: float64(2000)},
	"read_timeout":             {kind: kInt, min: 0, max: 2147483646, hasRange: true, def: float64(2000)},
	"send_timeout":             {kind: kInt, min: 0, max: 2147483646, hasRange: true, def: float64(2000)},
	"keepalive_pool_size":      {kind: kInt, min: 1, max: 2147483646, hasRange: true, def: float64(256)},
	"keepalive_backlog":        {kind: kInt, min: 0, max: 2147483646, hasRange: true},
	"connection_is_proxied":    boolDef(false),
	"cluster_max_redirections": intDef(5),
	"cluster_nodes":            {kind: kAnyValue}, "sentinel_nodes": {kind: kAnyValue}, // not used: a single Redis only
	"sentinel_master": plainStr, "sentinel_role": {kind: kString, enum: []string{"any", "master", "slave"}},
	"sentinel_username": plainStr, "sentinel_password": plainStr,
	"cloud_authentication": {kind: kObject},
}

// NotEnforced lists the config fields the engine accepts and stores but does not act on.
var NotEnforced = []string{
	"nodes[].warn_headers_sent",           // the response phase is buffered: headers are never sent early
	"resources.cache.redis.cluster_nodes", // a single Redis server only
	"resources.cache.redis.cluster_max_redirections",
	"resources.cache.redis.sentinel_master",
	"resources.cache.redis.sentinel_nodes",
	"resources.cache.redis.sentinel_role",
	"resources.cache.redis.sentinel_username",
	"resources.cache.redis.sentinel_password",
	"resources.cache.redis.cloud_authentication",
	"resources.cache.redis.connection_is_proxied",
	"resources.cache.redis.keepalive_pool_size", // go-redis pools its own way
	"resources.cache.redis.keepalive_backlog",
}
