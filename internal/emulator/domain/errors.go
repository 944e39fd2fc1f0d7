package domain

import (
	"fmt"
	"strings"
)

// The errors of entity operations. Each API renders them in its own shape: the Konnect API as
// core-entity errors (400 "data constraint error", 404 "not found"), the Kong Admin API as
// Kong's (409 code 5, 400 code 2...). Kinds are named by store name ("services").

// NotFound is an entity, a parent in a path or a control plane that does not exist.
type NotFound struct {
	Kind string
	ID   string // id or endpoint key, as asked for
}

func (e *NotFound) Error() string { return fmt.Sprintf("no %s %q", e.Kind, e.ID) }

// UniqueViolation is a value another entity of the kind already has.
type UniqueViolation struct {
	Kind  string
	Field string // the field reported: the last one of a compound key is not always the one
	Value string
}

func (e *UniqueViolation) Error() string {
	return fmt.Sprintf("%s: %s %q is already used", e.Kind, e.Field, e.Value)
}

// ForeignKeyViolation is a reference that does not resolve (Field and Value set: the id of a
// Target entity that does not exist), or a delete refused because an entity of kind
// ReferencedBy still points at the one deleted.
type ForeignKeyViolation struct {
	Kind   string
	Field  string
	Value  string
	Target string
	// Key is the target's endpoint key when the reference named it by that instead of its id
	// (Kong's Admin API then answers "foreign keys unresolved").
	Key          string
	ReferencedBy string
}

func (e *ForeignKeyViolation) Error() string {
	if e.ReferencedBy != "" {
		return fmt.Sprintf("%s: an existing %s entity references it", e.Kind, e.ReferencedBy)
	}
	if e.Key != "" {
		return fmt.Sprintf("%s: %s.%s %q does not reference an existing %s entity", e.Kind, e.Field, e.Key, e.Value, e.Target)
	}
	return fmt.Sprintf("%s: %s %q does not reference an existing %s entity", e.Kind, e.Field, e.Value, e.Target)
}

// SchemaViolation lists what is wrong with an entity's fields.
type SchemaViolation struct {
	Kind   string
	Fields []FieldError
}

// FieldError is one problem; Field is empty for the entity as a whole. Field paths are
// written with dots and zero-based positions: "config.key_names[0]", "headers.x-version[1]".
type FieldError struct {
	Field   string
	Message string
}

func (e *SchemaViolation) Error() string {
	parts := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		if f.Field == "" {
			parts = append(parts, f.Message)
		} else {
			parts = append(parts, f.Field+": "+f.Message)
		}
	}
	return e.Kind + ": schema violation (" + strings.Join(parts, "; ") + ")"
}

// fieldError is a schema violation of one field.
func fieldError(kind, field, message string) *SchemaViolation {
	return &SchemaViolation{Kind: kind, Fields: []FieldError{{Field: field, Message: message}}}
}

// entityError is a schema violation of the entity as a whole.
func entityError(kind, message string) *SchemaViolation {
	return &SchemaViolation{Kind: kind, Fields: []FieldError{{Message: message}}}
}
