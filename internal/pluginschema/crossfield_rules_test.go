package pluginschema_test

import (
	"testing"

	"github.com/openkonnect/terraform-provider-konnect/internal/pluginschema"
)

// The cross-field rules Kong keeps in Lua apply to the generated definitions too: each case
// is a config and the entity error Kong gives for it ("" when it is accepted).
func TestGeneratedPluginsCrossFieldRules(t *testing.T) {
	t.Parallel()
	cases := []struct {
		plugin, config, field, want string
	}{
		{"rate-limiting-advanced", `{"limit":[5],"window_size":[30]}`, "", ""},
		{"rate-limiting-advanced", `{"limit":[5,50],"window_size":[30]}`, pluginschema.EntityField, "You must provide the same number of windows and limits"},
		{"rate-limiting-advanced", `{"limit":[5],"window_size":[30],"strategy":"redis","sync_rate":1}`, "", ""},
		{"rate-limiting-advanced", `{"limit":[5],"window_size":[30],"strategy":"redis","sync_rate":1,"redis":{"host":"localhost"}}`, "", ""},
		{"rate-limiting-advanced", `{"limit":[5],"window_size":[30],"strategy":"redis","redis":{"host":"localhost"}}`, pluginschema.EntityField, "sync_rate is required if not using a local strategy"},
		{"rate-limiting-advanced", `{"limit":[5],"window_size":[30],"sync_rate":5}`, pluginschema.EntityField, "sync_rate cannot be configured when using a local strategy"},
		{"rate-limiting-advanced", `{"limit":[5],"window_size":[30],"strategy":"cluster","sync_rate":5}`, pluginschema.EntityField, "[rate-limiting-advanced] strategy 'cluster' is not supported with Hybrid deployments or DB-less mode. If you did not specify the strategy, please use 'redis' strategy, 'local' strategy or set 'sync_rate' to -1."},
		{"rate-limiting-advanced", `{"limit":[5],"window_size":[30],"identifier":"header"}`, pluginschema.EntityField, "No header name provided"},
		{"rate-limiting-advanced", `{"limit":[5],"window_size":[30],"identifier":"path"}`, pluginschema.EntityField, "No path provided"},
		{"rate-limiting-advanced", `{"limit":[5],"window_size":[30],"retry_after_jitter_max":-1}`, pluginschema.EntityField, "Non-negative retry_after_jitter_max value is expected"},
		{"rate-limiting-advanced", `{"limit":[5],"window_size":[30],"strategy":"redis","sync_rate":0.01,"redis":{"host":"localhost"}}`, pluginschema.EntityField, "Config option 'sync_rate' must not be a decimal between 0 and 0.02"},
		{"rate-limiting-advanced", `{"limit":[5],"window_size":[30],"enforce_consumer_groups":true}`, pluginschema.EntityField, "No consumer groups provided"},
	}
	for _, c := range cases {
		p := mustLookup(t, c.plugin)
		_, errs := p.Normalize(decode(t, c.config))
		if c.want == "" {
			if len(errs) > 0 {
				t.Errorf("%s %s: refused: %v", c.plugin, c.config, errs)
			}
			continue
		}
		if len(errs) != 1 || errs[0].Field != c.field || errs[0].Message != c.want {
			t.Errorf("%s %s:\n got %v\nwant [{%s %s}]", c.plugin, c.config, errs, c.field, c.want)
		}
	}
}
