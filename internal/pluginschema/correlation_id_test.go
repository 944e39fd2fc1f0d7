package pluginschema_test

import "testing"

func TestCorrelationIDDefaults(t *testing.T) {
	p := mustLookup(t, "correlation-id")
	want := map[string]any{
		"header_name":     "Kong-Request-ID",
		"generator":       "uuid#counter",
		"echo_downstream": false,
	}
	for name, config := range map[string]string{
		"nil config":   "",
		"empty config": `{}`,
		"all null":     `{"header_name":null,"generator":null,"echo_downstream":null}`,
	} {
		t.Run(name, func(t *testing.T) {
			sameJSON(t, normalizeOK(t, p, decode(t, config)), want)
		})
	}
	sameJSON(t, normalizeOK(t, p, decode(t, `{"header_name":"X-Trace","generator":"tracker","echo_downstream":true}`)),
		map[string]any{"header_name": "X-Trace", "generator": "tracker", "echo_downstream": true})
}

func TestCorrelationIDErrors(t *testing.T) {
	checkErrors(t, mustLookup(t, "correlation-id"), []errorCase{
		{"generator enum", `{"generator":"random"}`, fe(field("config.generator", "expected one of: uuid, uuid#counter, tracker"))},
		{"empty header name", `{"header_name":""}`, fe(field("config.header_name", "length must be at least 1"))},
		{"string expected", `{"header_name":1}`, fe(field("config.header_name", "expected a string"))},
		{"boolean expected", `{"echo_downstream":"yes"}`, fe(field("config.echo_downstream", "expected a boolean"))},
		{"unknown field", `{"header":"X-Trace"}`, fe(field("config.header", "unknown field"))},
	})
}

func TestCorrelationIDRegistration(t *testing.T) {
	http := []string{"grpc", "grpcs", "http", "https"}
	checkRegistration(t, "correlation-id", 100001, http, http, "consumer_group")
}
