package mesh

import (
	"strconv"
	"strings"
)

// Violation is one thing wrong with a resource, as Kuma reports it: a field path in Kuma's
// notation (spec.default.appendPolicies[0].rego) and a reason.
type Violation struct {
	Field  string
	Reason string
}

// Violations collects what is wrong with a resource.
type Violations []Violation

func (v *Violations) add(field, reason string) {
	*v = append(*v, Violation{Field: field, Reason: reason})
}

// Path builds Kuma's field paths.
type Path string

// Field is the path of a field under p.
func (p Path) Field(name string) Path {
	if p == "" {
		return Path(name)
	}
	return p + "." + Path(name)
}

// Index is the path of an element of the list at p.
func (p Path) Index(i int) Path { return p + "[" + Path(strconv.Itoa(i)) + "]" }

// Key is the path of a map entry under p.
func (p Path) Key(k string) Path { return p + `["` + Path(strings.ReplaceAll(k, `"`, `\"`)) + `"]` }

func (p Path) String() string { return string(p) }
