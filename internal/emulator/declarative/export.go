package declarative

import (
	"encoding/json"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// Export writes a control plane's configuration as Kong's GET /config does: YAML, every entity
// at the top level with its references as ids, and `_transform: false` since transformed fields
// (basic-auth passwords) are written as stored. Loading it back gives the same configuration.
func (l *Loader) Export(cp string) ([]byte, error) {
	doc := map[string]any{"_format_version": "3.0", "_transform": false}
	err := l.Store.Read(func(tx store.Reader) error {
		if !domain.ControlPlaneExists(tx, cp) {
			return &domain.NotFound{Kind: domain.ControlPlanes, ID: cp}
		}
		for _, t := range types {
			records, _ := tx.List(cp, t.kind.Name, store.Query{})
			list := make([]any, 0, len(records))
			for _, rec := range records {
				e := domain.Decode(rec.Body)
				for _, ref := range t.kind.Refs {
					if id := domain.RefID(e[ref.Field]); id != "" && !ref.List {
						e[ref.Field] = id
					}
				}
				list = append(list, yamlValue(e))
			}
			if len(list) > 0 {
				doc[t.key] = list
			}
		}
		// Memberships, as a group's consumers.
		groups, _ := doc["consumer_groups"].([]any)
		for _, g := range groups {
			group := g.(map[string]any)
			id, _ := group["id"].(string)
			links, _ := tx.List(cp, domain.ConsumerGroupMembers.Name, store.Query{RefField: "consumer_group", RefID: id})
			var consumers []any
			for _, link := range links {
				for _, r := range link.Refs {
					if r.Field == "consumer" {
						consumers = append(consumers, map[string]any{"id": r.ID})
					}
				}
			}
			if len(consumers) > 0 {
				group["consumers"] = consumers
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("exporting the configuration: %w", err)
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("exporting the configuration: %w", err)
	}
	return out, nil
}

// yamlValue turns decoded JSON numbers into numbers the YAML encoder writes as such.
func yamlValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			t[k] = yamlValue(x)
		}
		return t
	case []any:
		for i, x := range t {
			t[i] = yamlValue(x)
		}
		return t
	case json.Number:
		if n, err := t.Int64(); err == nil {
			return n
		}
		if f, err := t.Float64(); err == nil {
			return f
		}
		return t.String()
	default:
		return v
	}
}
