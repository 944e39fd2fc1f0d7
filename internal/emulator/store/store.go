// Package store holds the emulator's state: every API (Konnect, later the Admin API and Mesh)
// keeps its entities here, scoped by control plane, so one write is seen by all of them.
package store

// Record is one stored entity. Body is the entity exactly as the API returns it; the other
// fields are what the store indexes, computed by the API layer when it writes.
type Record struct {
	ID     string
	Body   []byte
	Tags   []string
	Unique []Field // values that must be unique within the kind and control plane
	Refs   []Ref   // other entities this one points at
}

// Field is a named value of a record, such as username=alice.
type Field struct {
	Name  string
	Value string
}

// Ref says a record points at the entity ID of kind Kind through field Field.
type Ref struct {
	Field string
	Kind  string
	ID    string
}

// Key names a record.
type Key struct {
	CP   string // control plane id; "" for records that live outside control planes
	Kind string
	ID   string
}

// Query selects records of one kind in id order.
type Query struct {
	After string // return records with an id greater than this
	Limit int    // at most this many (0: no limit)
	// Tags is a tag filter: the record matches when it has every tag of at least one of the
	// inner lists (so [[a b]] is a AND b, and [[a] [b]] is a OR b).
	Tags [][]string
	// RefField and RefID keep only records whose ref RefField points at RefID.
	RefField string
	RefID    string
}

// Reader reads a consistent view of the store.
type Reader interface {
	Get(cp, kind, id string) (*Record, bool)
	// ByUnique finds the record whose unique field has the value.
	ByUnique(cp, kind, field, value string) (*Record, bool)
	// List returns the matching records in id order and whether more follow.
	List(cp, kind string, q Query) (records []*Record, more bool)
	// Count is the number of records of a kind.
	Count(cp, kind string) int
	// Referrers lists the records whose refs point at the given record.
	Referrers(target Key) []Key
	// Version increases with every write to the control plane.
	Version(cp string) uint64
}

// Writer changes the store; changes are visible once the write function returns nil.
type Writer interface {
	Reader
	// Put inserts or replaces a record (by id) and its indexes.
	Put(cp, kind string, r *Record)
	// Delete removes a record; a missing one is not an error.
	Delete(cp, kind, id string)
	// DropControlPlane removes everything stored under a control plane.
	DropControlPlane(cp string)
	// Reset empties the store.
	Reset()
}

// Store is the state shared by every API of the emulator. Implementations are safe for
// concurrent use: Read views are consistent, Write calls are serialised.
type Store interface {
	Read(fn func(Reader) error) error
	// Write runs fn exclusively and atomically: if fn returns an error (or panics), none of
	// the changes it made are kept.
	Write(fn func(Writer) error) error
	// Generation increases with every Write. It is read without a view, so that a reader
	// can tell cheaply that nothing changed since it last looked (the proxy, per request).
	Generation() uint64
}
