package sidecar

import (
	"net/http"
	"strings"
)

// TagsHeader carries the client's tags, as Kuma's outbound listeners set it on mesh requests.
const TagsHeader = "x-kuma-tags"

// identity is who a request comes from.
type identity struct {
	known   bool
	service string
	tags    map[string]string
	// spiffe is the SPIFFE ID mTLS would give the client: spiffe://<mesh>/<service>.
	spiffe string
}

// identityOf reads the client's tags from x-kuma-tags (`&k=v&&k2=v2&`). Without a
// kuma.io/service tag the request comes from outside the mesh.
func identityOf(r *http.Request, mesh string) identity {
	raw := r.Header.Get(TagsHeader)
	if raw == "" {
		return identity{}
	}
	tags := map[string]string{}
	for _, pair := range strings.Split(raw, "&") {
		if k, v, ok := strings.Cut(pair, "="); ok && k != "" {
			tags[k] = v
		}
	}
	svc := tags["kuma.io/service"]
	if svc == "" {
		return identity{}
	}
	return identity{known: true, service: svc, tags: tags, spiffe: "spiffe://" + mesh + "/" + svc}
}

// TagsHeaderValue is the x-kuma-tags value a client sidecar of service would send.
func TagsHeaderValue(tags map[string]string) string {
	var b strings.Builder
	for _, k := range sortedKeys(tags) {
		b.WriteString("&" + k + "=" + tags[k] + "&")
	}
	return b.String()
}
