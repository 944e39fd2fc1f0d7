package emulator

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/dataplane"
)

// requestFilters are the query parameters GET /_emulator/requests takes; any other is refused.
var requestFilters = map[string]bool{"control_plane_id": true, "route": true, "status": true, "consumer": true, "after": true, "limit": true}

// RequestTraces is the answer of GET /_emulator/requests.
type RequestTraces struct {
	Data []dataplane.TraceView `json:"data"`
	// BufferSize is how many traces the emulator keeps; older ones are gone.
	BufferSize int `json:"buffer_size"`
}

// requestTraces answers GET /_emulator/requests: the latest proxied requests, newest first,
// with why each got its answer. Filters: control_plane_id (id or name), route (id or name),
// status (404, or a class such as 4xx), consumer (id or username), after (only traces with a
// larger seq, for following) and limit.
func (e *Emulator) requestTraces(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for name := range q {
		if !requestFilters[name] {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "unknown filter " + strconv.Quote(name) + "; the filters are control_plane_id, route, status, consumer, after and limit"})
			return
		}
	}
	cp := q.Get("control_plane_id")
	if cp != "" {
		if info, ok := e.ControlPlane(cp); ok {
			cp = info.ID
		}
	}
	var after uint64
	limit := 0
	var err error
	if v := q.Get("after"); v != "" {
		if after, err = strconv.ParseUint(v, 10, 64); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "after: not a trace number: " + strconv.Quote(v)})
			return
		}
	}
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 0 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "limit: not a count: " + strconv.Quote(v)})
			return
		}
	}
	status := q.Get("status")
	if status != "" && !validStatusFilter(status) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "status: want a status such as 401 or a class such as 4xx, not " + strconv.Quote(status)})
		return
	}
	route, consumer := q.Get("route"), q.Get("consumer")
	keep := func(t *dataplane.Trace) bool {
		return t.Seq > after && (cp == "" || t.ControlPlaneID == cp) && statusMatches(status, t.Status) &&
			(route == "" || named(t.Route, route, "name")) && (consumer == "" || named(t.Consumer, consumer, "username"))
	}
	log := e.dps.settings.Traces
	out := RequestTraces{Data: []dataplane.TraceView{}, BufferSize: log.Size()}
	for _, t := range log.Traces(keep, limit) {
		out.Data = append(out.Data, t.View())
	}
	writeJSON(w, http.StatusOK, out)
}

func validStatusFilter(s string) bool {
	if len(s) != 3 {
		return false
	}
	if strings.HasSuffix(s, "xx") {
		return s[0] >= '1' && s[0] <= '5'
	}
	n, err := strconv.Atoi(s)
	return err == nil && n >= 100 && n <= 599
}

func statusMatches(filter string, status int) bool {
	if filter == "" {
		return true
	}
	if strings.HasSuffix(filter, "xx") {
		return strconv.Itoa(status)[:1] == filter[:1]
	}
	return strconv.Itoa(status) == filter
}

// named tells whether an entity has the given id or name.
func named(e dataplane.Entity, want, nameField string) bool {
	return e != nil && (dataplane.Str(e, "id") == want || dataplane.Str(e, nameField) == want)
}
