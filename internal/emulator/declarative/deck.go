package declarative

import (
	"maps"
	"slices"
)

// decK's own keys at the top of its files, which decK applies itself before it talks to Kong
// or Konnect (Kong's POST /config refuses them as unknown fields):
//   - _konnect.control_plane_name names the control plane the file is for;
//   - _info.select_tags are tags decK adds to every entity of the file;
//   - _info.defaults are field values decK gives services, routes, upstreams and targets that
//     do not set them.
//
// A file loaded as decK's (LoadDeck, the command's --config) gets the same treatment; what the
// emulator cannot honour is refused, naming the key.
type deckInfo struct {
	selectTags []any
	defaults   map[string]map[string]any // by Kong's singular type: "service"
}

// deckDefaultTypes are the entity types decK's _info.defaults may give values for.
var deckDefaultTypes = []string{"service", "route", "upstream", "target"}

// readDeck reads _konnect and _info; cpName is the name of the control plane loaded.
func (ld *loading) readDeck(doc map[string]any, cpName string) {
	if v, set := doc["_konnect"]; set {
		m, ok := v.(map[string]any)
		if !ok {
			ld.errs.addTop("expected a record", "_konnect")
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			switch k {
			case "control_plane_name":
				if name, _ := m[k].(string); name != cpName {
					ld.errs.addTop("the file is for control plane '"+name+"'; it is loaded into '"+cpName+"'", "_konnect", k)
				}
			default:
				ld.errs.addTop("unknown field", "_konnect", k)
			}
		}
	}
	v, set := doc["_info"]
	if !set {
		return
	}
	m, ok := v.(map[string]any)
	if !ok {
		ld.errs.addTop("expected a record", "_info")
		return
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		switch k {
		case "select_tags":
			tags, ok := m[k].([]any)
			for _, t := range tags {
				if _, isString := t.(string); !isString {
					ok = false
				}
			}
			if !ok {
				ld.errs.addTop("expected an array of strings", "_info", k)
				continue
			}
			ld.deck.selectTags = tags
		case "defaults":
			ld.readDeckDefaults(m[k])
		default:
			// default_lookup_tags and the like look up entities outside the file, which a file
			// that replaces the whole configuration has none of.
			ld.errs.addTop("not supported by the emulator", "_info", k)
		}
	}
}

func (ld *loading) readDeckDefaults(v any) {
	m, ok := v.(map[string]any)
	if !ok {
		ld.errs.addTop("expected a record", "_info", "defaults")
		return
	}
	ld.deck.defaults = map[string]map[string]any{}
	for _, typ := range slices.Sorted(maps.Keys(m)) {
		values, ok := m[typ].(map[string]any)
		switch {
		case !slices.Contains(deckDefaultTypes, typ):
			ld.errs.addTop("unknown field", "_info", "defaults", typ)
		case !ok:
			ld.errs.addTop("expected a record", "_info", "defaults", typ)
		default:
			ld.deck.defaults[typ] = values
		}
	}
}

// applyDeck gives an entity decK's select tags and defaults.
func (ld *loading) applyDeck(it *item) {
	for k, v := range ld.deck.defaults[it.typ.singular()] {
		if _, set := it.body[k]; !set {
			it.body[k] = v
		}
	}
	if len(ld.deck.selectTags) == 0 {
		return
	}
	tags, isList := it.body["tags"].([]any)
	if !isList && it.body["tags"] != nil {
		return // not a list: the check says so
	}
	merged := append([]any(nil), tags...)
	for _, t := range ld.deck.selectTags {
		if !slices.Contains(merged, t) {
			merged = append(merged, t)
		}
	}
	it.body["tags"] = merged
}

// deckKeys are the top-level keys a decK file may have beside Kong's.
var deckKeys = []string{"_konnect", "_info"}
