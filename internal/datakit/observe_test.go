package datakit

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// Env.Observe hears of every node, in the order the run settles them, with calls made side by
// side (on goroutines) reported from the run's own goroutine; a failure outside a node's run
// (a value service_request cannot take) is reported too.
func TestObserveTellsEachNode(t *testing.T) {
	status := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/down" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(status.Close)
	for _, tc := range []struct {
		name, nodes string
		want        []string // each a prefix of one event's words, in any order
	}{
		{"two calls side by side", `[
			{"name":"A","type":"call","url":"` + status.URL + `/a?secret=1","method":"GET"},
			{"name":"B","type":"call","url":"` + status.URL + `/b","method":"POST"},
			{"name":"BOTH","type":"jq","inputs":{"a":"A.body","b":"B.body"},"jq":".a.ok and .b.ok"}]`,
			[]string{"call `A`: GET " + status.URL + "/a → 200 in ", "call `B`: POST " + status.URL + "/b → 200 in ", "jq `BOTH`: ok"}},
		{"a call answered 503", `[{"name":"DOWN","type":"call","url":"` + status.URL + `/down","method":"GET"}]`,
			[]string{"call `DOWN`: GET " + status.URL + "/down → 503 in "}},
		{"a value service_request cannot take", `[{"name":"H","type":"jq","jq":"\"not headers\"","output":"service_request.headers"}]`,
			[]string{"jq `H`: ok", "jq `H` failed: service_request.headers: "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := compile(t, `{"nodes":`+tc.nodes+`}`)
			h := newHarness("GET", "/", "", nil)
			var words []string
			h.env.Observe = func(e NodeEvent) { words = append(words, e.String()) }
			_, _ = h.access(t, f)
			if len(words) != len(tc.want) {
				t.Fatalf("events %q, want %d", words, len(tc.want))
			}
			for _, w := range tc.want {
				if !slices.ContainsFunc(words, func(s string) bool { return strings.HasPrefix(s, w) }) {
					t.Errorf("no event %q in %q", w, words)
				}
			}
			if slices.ContainsFunc(words, func(s string) bool { return strings.Contains(s, "secret") }) {
				t.Errorf("a call's query is in the words: %q", words)
			}
		})
	}
}
