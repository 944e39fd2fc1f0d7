package pluginschema_test

import (
	"encoding/json"
	"fmt"

	"github.com/openkonnect/terraform-provider-konnect/internal/pluginschema"
)

func ExamplePlugin_Normalize() {
	p, _ := pluginschema.Lookup("rate-limiting")

	config, _ := p.Normalize(map[string]any{"minute": 5.0, "policy": "redis", "redis": map[string]any{"host": "redis.internal"}})
	redis, _ := json.Marshal(config["redis"])
	fmt.Println(config["limit_by"], config["error_code"], string(redis))

	_, errs := p.Normalize(map[string]any{"minute": 10.0, "hour": 5.0})
	fmt.Println(pluginschema.Summary(errs))

	_, errs = p.Normalize(map[string]any{"policy": "cluster"})
	for _, e := range errs {
		fmt.Println(e)
	}
	// Output:
	// consumer 429 {"cloud_authentication":null,"database":0,"host":"redis.internal","password":null,"port":6379,"server_name":null,"ssl":false,"ssl_verify":false,"timeout":2000,"username":null}
	// schema violation (config: The limit for hour(5.0) cannot be lower than the limit for minute(10.0))
	// at least one of these fields must be non-empty: 'config.second', 'config.minute', 'config.hour', 'config.day', 'config.month', 'config.year'
	// config.policy: expected one of: local, redis
}
