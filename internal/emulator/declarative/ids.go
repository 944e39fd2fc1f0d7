package declarative

import (
	"slices"
	"strings"

	"github.com/google/uuid"
)

// Kong gives an entity without an id a UUID v5 derived from what identifies it, so that loading
// the same file twice keeps every id: the namespace is the v5 of the DAO name under this
// constant, the name is the endpoint key's value (with the parent's key when the endpoint key
// is unique only under the parent), or else the cache key. What has neither gets a random id.
var entitiesNamespace = uuid.MustParse("fd02801f-0957-4a15-a55a-c8d9606f30b5")

// kongID is the id Kong derives for an entity of DAO key from name.
func kongID(daoKey, name string) string {
	ns := uuid.NewSHA1(entitiesNamespace, []byte(daoKey))
	return uuid.NewSHA1(ns, []byte(name)).String()
}

// generatedID is the id Kong would give the item, or a random one.
func generatedID(it *item) string {
	if name, ok := idName(it); ok {
		return kongID(it.typ.key, name)
	}
	return uuid.NewString()
}

// idName is the value Kong hashes into the item's id; false when Kong has none.
func idName(it *item) (string, bool) {
	t, e := it.typ, it.body
	if t.idKey != "" {
		if key, ok := e[t.idKey].(string); ok {
			if t.idKeyPerParent == "" {
				return key, true
			}
			if it.parent != nil && it.parentField == t.idKeyPerParent {
				return key + ":" + it.parent.id, true
			}
			if p, ok := e[t.idKeyPerParent].(string); ok {
				return key + ":" + p, true
			}
			return "", false
		}
	}
	if len(t.cacheKey) == 0 {
		return "", false
	}
	parts := []string{t.key}
	for _, f := range t.cacheKey {
		switch v := e[f].(type) {
		case string:
			parts = append(parts, v)
		case nil:
			switch {
			case it.parent != nil && it.parentField == f:
				parts = append(parts, it.parent.id)
			case slices.Contains(t.required, f):
				return "", false
			default:
				parts = append(parts, "")
			}
		}
		// A reference given as an object is left out of the key, as Kong leaves it.
	}
	return strings.Join(parts, ":"), true
}
