package pluginschema

import "fmt"

// ratePeriods are rate-limiting's windows, shortest first.
var ratePeriods = []string{"second", "minute", "hour", "day", "month", "year"}

// syncRealtime is the sync_rate that writes every hit to the shared store at once.
const syncRealtime = -1.0

// rateLimiting caps how many requests a client may make per window (Kong Gateway 3.15).
var rateLimiting = &Plugin{
	Name:             "rate-limiting",
	Priority:         910,
	Protocols:        httpProtocols,
	DefaultProtocols: httpProtocols,
	Config: append(periodFields(), []*Field{
		{
			// Kong's source lists the values in this order, which its message repeats;
			// consumer-group came later (Kong 3.15's reference schema), its place is a guess.
			Name: "limit_by", Type: TypeString, Default: "consumer",
			Enum: []string{"consumer", "credential", "ip", "service", "header", "path", "consumer-group"},
			Description: "What the limits are counted per: `consumer`, `consumer-group`, `credential`, " +
				"`ip`, `service`, `header` (the value of `header_name`) or `path` (requests to `path`). " +
				"When the request has no such thing (for example no authenticated consumer), the " +
				"client IP address is used instead.",
		},
		named("header_name", headerName("Header whose value the limits are counted per. Required when "+
			"`limit_by` is `header`.")),
		named("path", pathField("Path whose requests are counted together. Required when `limit_by` is `path`.")),
		{
			// Konnect is a control plane, where Kong drops the `cluster` policy (it needs a
			// database the data planes share), so `cluster` is refused here.
			Name: "policy", Type: TypeString, Default: "local", AllowEmpty: true,
			Enum: []string{"local", "redis"},
			Description: "Where the counters live: `local` keeps them in each gateway node's memory, so " +
				"each node counts on its own; `redis` shares them between nodes through the Redis server " +
				"in `redis`. Konnect does not offer Kong's `cluster` policy.",
		},
		{
			Name: "fault_tolerant", Type: TypeBoolean, Required: true, Default: true,
			Description: "When the counters cannot be read or written (for example Redis is down), let " +
				"requests through without limiting them. When off, such requests fail with `500`.",
		},
		redisRecord("Redis server that holds the counters when `policy` is `redis`."),
		{
			Name: "hide_client_headers", Type: TypeBoolean, Required: true, Default: false,
			Description: "Do not add the `RateLimit-*`, `X-RateLimit-*` and `Retry-After` headers to " +
				"responses.",
		},
		{
			Name: "error_code", Type: TypeNumber, Default: 429.0, GreaterThan: ptr(0.0),
			Description: "HTTP status of the answer to a request over a limit.",
		},
		{
			Name: "error_message", Type: TypeString, Default: "API rate limit exceeded",
			Description: "Message in the body of the answer to a request over a limit.",
		},
		{
			Name: "sync_rate", Type: TypeNumber, Required: true, Default: syncRealtime,
			Description: "How often, in seconds, each node writes its counts to Redis. `-1` writes every " +
				"request at once; any other value needs the `redis` policy and must be at least `0.02`.",
		},
	}...),
	Checks: []EntityCheck{
		{AtLeastOneOf: []string{"config.second", "config.minute", "config.hour", "config.day", "config.month", "config.year"}},
		{Conditional: &Conditional{IfField: "config.policy", IfEquals: "redis", ThenField: "config.redis.host"}},
		{Conditional: &Conditional{IfField: "config.policy", IfEquals: "redis", ThenField: "config.redis.port"}},
		{Conditional: &Conditional{IfField: "config.policy", IfEquals: "redis", ThenField: "config.redis.timeout"}},
		{Conditional: &Conditional{IfField: "config.limit_by", IfEquals: "header", ThenField: "config.header_name"}},
		{Conditional: &Conditional{IfField: "config.limit_by", IfEquals: "path", ThenField: "config.path"}},
		{Custom: checkRateLimits},
	},
}

func periodFields() []*Field {
	fields := make([]*Field, len(ratePeriods))
	for i, period := range ratePeriods {
		fields[i] = &Field{
			Name: period, Type: TypeNumber, GreaterThan: ptr(0.0),
			Description: fmt.Sprintf("Most requests allowed in each %s, counted in windows aligned "+
				"to the UTC calendar. Set at least one period; a longer period may not allow fewer "+
				"requests than a shorter one.", period),
		}
	}
	return fields
}

// checkRateLimits holds the rules Kong checks on the whole config: a longer window may not
// allow fewer requests than a shorter one, and sync_rate only applies to Redis.
func checkRateLimits(config map[string]any) string {
	for i, shorter := range ratePeriods {
		v1, ok := config[shorter].(float64)
		if !ok {
			continue
		}
		for _, longer := range ratePeriods[i+1:] {
			if v2, ok := config[longer].(float64); ok && v2 < v1 {
				return fmt.Sprintf("The limit for %s(%.1f) cannot be lower than the limit for %s(%.1f)",
					longer, v2, shorter, v1)
			}
		}
	}
	policy, _ := config["policy"].(string)
	syncRate, _ := config["sync_rate"].(float64)
	if policy != "redis" && syncRate != syncRealtime {
		return "sync_rate can only be used with the redis policy"
	}
	if policy == "redis" && syncRate != syncRealtime && syncRate < 0.02 {
		return "sync_rate must be greater than 0.02, or -1 to disable"
	}
	return ""
}

func init() { Register(rateLimiting) }
