package pluginschema_test

import (
	"testing"
)

func TestDatakitRegistration(t *testing.T) {
	protocols := []string{"grpc", "grpcs", "http", "https"}
	checkRegistration(t, "datakit", 810, protocols, protocols) // every scope allowed
}

// The stored config has the engine's defaults: debug, each node's defaults, and resources
// complete whether given or not, as Kong returns its records (Redis ssl_verify false, as
// Konnect answers).
func TestDatakitDefaults(t *testing.T) {
	p := mustLookup(t, "datakit")
	out := normalizeOK(t, p, decode(t, `{"nodes":[{"name":"CALL","type":"call","url":"http://example.com/token"}]}`))
	sameJSON(t, out["debug"], false)
	sameJSON(t, out["resources"].(map[string]any)["cache"].(map[string]any)["memory"], map[string]any{"dictionary_name": "kong_db_cache"})
	node := out["nodes"].([]any)[0].(map[string]any)
	sameJSON(t, node["method"], "GET")
	sameJSON(t, node["ssl_verify"], true)

	out = normalizeOK(t, p, decode(t, `{"debug":true,"nodes":[{"name":"S","type":"static","values":{"a":1}}],
		"resources":{"cache":{"strategy":"redis","redis":{"host":"redis.local"}}}}`))
	sameJSON(t, out["debug"], true)
	redis := out["resources"].(map[string]any)["cache"].(map[string]any)["redis"].(map[string]any)
	sameJSON(t, redis["host"], "redis.local")
	sameJSON(t, redis["port"], float64(6379))
	sameJSON(t, redis["ssl_verify"], false)
}

// The engine's refusals name the node's path (positions from 1, as every array's) and the node.
func TestDatakitErrors(t *testing.T) {
	checkErrors(t, mustLookup(t, "datakit"), []errorCase{
		{"nodes missing", `{}`, fe(field("config.nodes", "required field missing"))},
		{"debug type", `{"debug":"yes","nodes":[{"name":"S","type":"static","values":{}}]}`,
			fe(field("config.debug", "expected a boolean"))},
		{"cycle", `{"nodes":[{"name":"A","type":"jq","jq":".","input":"B"},{"name":"B","type":"jq","jq":".","input":"A"}]}`,
			fe(field("config.nodes.1", "invalid dependency (node #1 (A) -> node B): circular dependency"))},
		{"dangling reference", `{"nodes":[{"name":"FILTER","type":"jq","jq":".","input":"MISSING.body"}]}`,
			fe(field("config.nodes.1.input", `invalid connection ("MISSING.body" -> "FILTER"): unknown node "MISSING"`))},
		{"missing field", `{"nodes":[{"name":"S","type":"static","values":{}},{"name":"Q","type":"jq"}]}`,
			fe(field("config.nodes.2.jq", "node #2 (Q): required field missing"))},
		{"unknown field", `{"nodes":[{"name":"A","type":"jq","jq":".","colour":"red"}]}`,
			fe(field("config.nodes.1.colour", "node #1 (A): unknown field"))},
		{"resources", `{"nodes":[{"name":"S","type":"static","values":{}}],"resources":{"cache":{"strategy":"disk"}}}`,
			fe(field("config.resources.cache.strategy", "expected one of: memory, redis"))},
	})
}
