package emulator

// Partials' own answers: the list of plugins that use one. Partials themselves are served by
// the generic entity handler.

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// ListPartialLink answers the plugins that use a partial, by id, a page at a time, with their
// total count.
func (s *Server) ListPartialLink(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, partial client.PartialId, _ client.ListPartialLinkParams) {
	q, aerr := pageQuery(r)
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	var links []map[string]any
	err := s.store.Read(func(tx store.Reader) error {
		rec, err := domain.Get(tx, cp.String(), domain.Partials, nil, partial)
		if err != nil {
			return err
		}
		links = domain.PartialLinks(tx, cp.String(), rec.ID)
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	count := len(links)
	start := 0
	for start < len(links) && q.After != "" && links[start]["id"].(string) <= q.After {
		start++
	}
	page := links[start:]
	more := len(page) > q.Limit
	if more {
		page = page[:q.Limit]
	}
	body := map[string]any{"count": count, "data": page, "next": nil}
	if page == nil {
		body["data"] = []any{}
	}
	if more {
		offset := base64.RawURLEncoding.EncodeToString([]byte(page[len(page)-1]["id"].(string)))
		v := url.Values{}
		for k, vals := range r.URL.Query() {
			v[k] = vals
		}
		v.Set("offset", offset)
		body["next"] = r.URL.Path + "?" + v.Encode()
		body["offset"] = offset
	}
	writeJSON(w, http.StatusOK, body)
}

// expandPartials answers a plugin read with `expand_partials=true`: the partials' configs in
// place in the plugin's config.
func expandPartials(r *http.Request, tx store.Reader, cp string, k *domain.Kind, body []byte) ([]byte, error) {
	if k != domain.Plugins || !strings.EqualFold(r.URL.Query().Get("expand_partials"), "true") {
		return body, nil
	}
	plugin := domain.Decode(body)
	if err := domain.ExpandPartials(tx, cp, plugin); err != nil {
		return nil, err
	}
	return json.Marshal(plugin)
}
