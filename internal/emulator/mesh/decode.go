package mesh

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// decode reads a body into the API's type for the kind.
func decode[T any](body []byte) (T, error) {
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		return v, fmt.Errorf("decoding the resource: %w", err)
	}
	return v, nil
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
