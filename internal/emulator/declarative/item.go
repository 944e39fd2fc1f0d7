package declarative

import (
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// item is one entity of the file on its way to the store.
type item struct {
	typ  *entityType
	path []any // where the file has it: "services", 0, "routes", 1
	// input is the entity as the file gives it, less the entities nested in it: what errors show.
	input map[string]any
	// body is what is written: nested lists taken out, references resolved to {"id": ...}.
	body        domain.Entity
	id          string
	parent      *item // the entity it is nested in, if any
	parentField string
	// members are the other ends of consumer group memberships: a consumer's groups, or a
	// group's consumers, as the file names them.
	members  []any
	problems []Problem
	failed   bool
	stored   *store.Record
}

// fieldProblem records a problem of one of the item's fields (Kong's dotted path).
func (it *item) fieldProblem(field, message string) {
	it.problems = append(it.problems, Problem{Type: "field", Field: field, Message: message})
	it.failed = true
}

// entityProblem records a problem of the item as a whole.
func (it *item) entityProblem(message string) {
	it.problems = append(it.problems, Problem{Type: "entity", Message: message})
	it.failed = true
}

// entityError is the item's entry in Kong's flattened errors.
func (it *item) entityError() *EntityError {
	ee := &EntityError{Type: it.typ.singular(), Entity: it.input, Errors: it.problems, path: it.path}
	if name, ok := it.input["name"].(string); ok && name != "" {
		ee.Name = name
	}
	if id, ok := it.input["id"].(string); ok && domain.IsUUID(id) {
		ee.ID = id
	}
	if list, ok := it.input["tags"].([]any); ok {
		tags := make([]string, 0, len(list))
		for _, x := range list {
			s, ok := x.(string)
			if !ok {
				tags = nil
				break
			}
			tags = append(tags, s)
		}
		ee.Tags = tags
	}
	return ee
}
