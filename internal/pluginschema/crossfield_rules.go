package pluginschema

// crossFieldRules are the rules of generated plugins that involve several fields: Kong keeps
// them in Lua (custom validators and entity checks), which its JSON schemas cannot express,
// so they are written here by hand, keyed by plugin name, and Register adds them to the
// generated definition. Messages are Kong's.
var crossFieldRules = map[string][]EntityCheck{
	"rate-limiting-advanced": {{EntityCustom: checkRateLimitingAdvanced}},
}

// checkRateLimitingAdvanced is Kong 3.x's entity check of rate-limiting-advanced as Konnect
// applies it (a hybrid deployment, where the cluster strategy cannot sync). Its "No redis
// config provided" cannot fail in 3.15, where redis.host defaults to 127.0.0.1. Kong's check
// also rewrites the config (a local strategy's sync_rate to -1, the limits sorted by size);
// that is left out, because a value Terraform did not write coming back changed is reported
// as an inconsistent result, and the emulator does not run this plugin.
func checkRateLimitingAdvanced(config map[string]any) string {
	limits, _ := config["limit"].([]any)
	windows, _ := config["window_size"].([]any)
	if config["limit"] != nil && config["window_size"] != nil && len(limits) != len(windows) {
		return "You must provide the same number of windows and limits"
	}
	strategy, _ := config["strategy"].(string)
	syncRate, hasSyncRate := config["sync_rate"].(float64)
	if strategy == "cluster" && (!hasSyncRate || syncRate != -1) {
		return "[rate-limiting-advanced] strategy 'cluster' is not supported with Hybrid deployments or DB-less mode. " +
			"If you did not specify the strategy, please use 'redis' strategy, 'local' strategy or set 'sync_rate' to -1."
	}
	if strategy == "local" {
		if hasSyncRate && syncRate > -1 {
			return "sync_rate cannot be configured when using a local strategy"
		}
	} else if !hasSyncRate {
		return "sync_rate is required if not using a local strategy"
	}
	if identifier, _ := config["identifier"].(string); identifier == "header" && config["header_name"] == nil {
		return "No header name provided"
	} else if identifier == "path" && config["path"] == nil {
		return "No path provided"
	}
	if jitter, ok := config["retry_after_jitter_max"].(float64); ok && jitter < 0 {
		return "Non-negative retry_after_jitter_max value is expected"
	}
	if hasSyncRate && syncRate > 0 && syncRate < 0.02 {
		return "Config option 'sync_rate' must not be a decimal between 0 and 0.02"
	}
	if enforce, _ := config["enforce_consumer_groups"].(bool); enforce && config["consumer_groups"] == nil {
		return "No consumer groups provided"
	}
	return ""
}
