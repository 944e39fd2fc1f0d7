package dataplane

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var (
	uuidPattern    = `[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`
	uuidRE         = regexp.MustCompile(`^` + uuidPattern + `$`)
	uuidCounterRE  = regexp.MustCompile(`^` + uuidPattern + `#(\d+)$`)
	trackerRE      = regexp.MustCompile(`^127\.0\.0\.1-\d+-\d+-\d+-1-\d+\.\d{3}$`)
	correlationIDs = map[string]*regexp.Regexp{"uuid": uuidRE, "uuid#counter": uuidCounterRE, "tracker": trackerRE}
)

func TestCorrelationID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		config   map[string]any
		before   []Entity // more plugins on the route
		header   http.Header
		status   int    // 200 when 0
		upstream string // the header the upstream gets; "" for a generated one
		format   string // the generator whose format a generated id has
		echoed   bool
	}{
		{name: "defaults: uuid#counter, not echoed", config: map[string]any{}, format: "uuid#counter"},
		{name: "uuid", config: map[string]any{"generator": "uuid"}, format: "uuid"},
		{name: "tracker", config: map[string]any{"generator": "tracker"}, format: "tracker"},
		{name: "echoed downstream", config: map[string]any{"echo_downstream": true}, format: "uuid#counter", echoed: true},
		{
			name: "the client's id is kept", config: map[string]any{"echo_downstream": true},
			header: http.Header{"Kong-Request-Id": {"client-id"}}, upstream: "client-id", echoed: true,
		},
		{
			name: "an empty id is replaced", config: map[string]any{"generator": "uuid"},
			header: http.Header{"Kong-Request-Id": {""}}, format: "uuid",
		},
		{name: "another header", config: map[string]any{"header_name": "X-Trace", "generator": "uuid", "echo_downstream": true}, format: "uuid", echoed: true},
		{
			name: "echoed on Kong's own responses", config: map[string]any{"echo_downstream": true},
			before: []Entity{pluginEntity("request-termination", map[string]any{})},
			status: http.StatusServiceUnavailable, format: "uuid#counter", echoed: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := pluginGateway(t, nil, append([]Entity{pluginEntity("correlation-id", tt.config)}, tt.before...)...)
			resp, body := g.send(pluginRequest{path: "/t", header: tt.header})
			want := tt.status
			if want == 0 {
				want = http.StatusOK
			}
			if resp.StatusCode != want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, want, body)
			}
			name, _ := tt.config["header_name"].(string)
			if name == "" {
				name = "Kong-Request-ID"
			}
			echoed := resp.Header.Get(name)
			if (echoed != "") != tt.echoed {
				t.Errorf("response header %q, echoed %v", echoed, tt.echoed)
			}
			id := echoed
			if want == http.StatusOK {
				id = http.Header(g.echo(body).Headers).Get(name)
				if tt.echoed && echoed != id {
					t.Errorf("response has %q, upstream got %q", echoed, id)
				}
			}
			if tt.upstream != "" && id != tt.upstream {
				t.Errorf("id %q, want %q", id, tt.upstream)
			}
			if tt.format != "" && !correlationIDs[tt.format].MatchString(id) {
				t.Errorf("id %q is not a %s id", id, tt.format)
			}
		})
	}
}

func TestCorrelationIDCounter(t *testing.T) {
	t.Parallel()
	g := pluginGateway(t, nil, pluginEntity("correlation-id", map[string]any{"echo_downstream": true}))
	var worker string
	last := -1
	for range 3 {
		resp, _ := g.send(pluginRequest{path: "/t"})
		m := uuidCounterRE.FindStringSubmatch(resp.Header.Get("Kong-Request-ID"))
		if m == nil {
			t.Fatalf("id %q", resp.Header.Get("Kong-Request-ID"))
		}
		n, _ := strconv.Atoi(m[1])
		uuid, _, _ := strings.Cut(m[0], "#")
		if worker != "" && uuid != worker || n <= last {
			t.Errorf("id %s after %s#%d", m[0], worker, last)
		}
		worker, last = uuid, n
	}
}
