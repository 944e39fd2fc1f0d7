package sidecar

import (
	"sort"
	"strconv"
)

func itoa(i int) string { return strconv.Itoa(i) }

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
