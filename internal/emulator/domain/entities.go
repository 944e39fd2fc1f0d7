package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// Entities applies the domain's rules to the entities kept in a store. Every operation runs
// inside the caller's store transaction, so a failed one changes nothing.
type Entities struct {
	// Defaults fills in the defaults of a schema's absent fields (the API's spec holds them).
	Defaults func(schema string, e Entity)
	// KeepStoredHashes keeps a basic-auth password that is the stored hash unchanged instead of
	// hashing it again: Kong's Admin API PATCH leaves a password it is not given as it is, while
	// the Konnect API hashes whatever it is sent.
	KeepStoredHashes bool
}

// Parent is the entity named in a nested path (/consumers/{id}/key-auth): the child's Field
// must point at it.
type Parent struct {
	Kind  *Kind
	Field string
	ID    string // as given: id or endpoint key
}

// ControlPlaneExists tells whether the control plane is there.
func ControlPlaneExists(tx store.Reader, cp string) bool {
	_, ok := tx.Get("", ControlPlanes, cp)
	return ok
}

// Resolve finds an entity by id, or by endpoint key when the value is not a UUID.
func Resolve(tx store.Reader, cp string, k *Kind, idOrKey string) (*store.Record, bool) {
	if rec, ok := tx.Get(cp, k.Name, idOrKey); ok {
		return rec, true
	}
	if k.EndpointKey != "" && uuid.Validate(idOrKey) != nil {
		return tx.ByUnique(cp, k.Name, k.EndpointKey, idOrKey)
	}
	return nil, false
}

// ParentID checks that the control plane and the parent (if any) exist, and returns the
// parent's id.
func ParentID(tx store.Reader, cp string, parent *Parent) (string, error) {
	if !ControlPlaneExists(tx, cp) {
		return "", &NotFound{Kind: ControlPlanes, ID: cp}
	}
	if parent == nil {
		return "", nil
	}
	rec, ok := Resolve(tx, cp, parent.Kind, parent.ID)
	if !ok {
		return "", &NotFound{Kind: parent.Kind.Name, ID: parent.ID}
	}
	return rec.ID, nil
}

// Get reads one entity, under its parent when one is given.
func Get(tx store.Reader, cp string, k *Kind, parent *Parent, idOrKey string) (*store.Record, error) {
	parentID, err := ParentID(tx, cp, parent)
	if err != nil {
		return nil, err
	}
	rec, ok := Resolve(tx, cp, k, idOrKey)
	if !ok || !belongsTo(rec, parent, parentID) {
		return nil, &NotFound{Kind: k.Name, ID: idOrKey}
	}
	return rec, nil
}

// belongsTo reports whether a record's parent ref is the given parent.
func belongsTo(rec *store.Record, parent *Parent, parentID string) bool {
	if parent == nil {
		return true
	}
	for _, r := range rec.Refs {
		if r.Field == parent.Field && r.ID == parentID {
			return true
		}
	}
	return false
}

// Put creates (idOrKey empty) or replaces an entity and returns what was stored. A create
// takes the entity's id or a new one; a replace takes the id given, or the entity whose
// endpoint key is given, or a new id with the endpoint key set from it (PUT /consumers/alice
// creates alice).
func (d *Entities) Put(tx store.Writer, cp string, k *Kind, parent *Parent, idOrKey string, e Entity, now int64) (*store.Record, error) {
	parentID, err := ParentID(tx, cp, parent)
	if err != nil {
		return nil, err
	}
	c := &WriteContext{Tx: tx, CP: cp, Now: now, keepStoredHashes: d.KeepStoredHashes}
	id, err := targetID(tx, cp, k, e, idOrKey, c)
	if err != nil {
		return nil, err
	}
	if parent != nil {
		if c.Existing != nil && RefID(c.Existing[parent.Field]) != parentID {
			return nil, &NotFound{Kind: k.Name, ID: idOrKey}
		}
		e[parent.Field] = map[string]any{"id": parentID}
	}
	rec, err := d.buildRecord(c, k, id, e)
	if err != nil {
		return nil, err
	}
	tx.Put(cp, k.Name, rec)
	return rec, nil
}

func targetID(tx store.Reader, cp string, k *Kind, e Entity, idOrKey string, c *WriteContext) (string, error) {
	if idOrKey == "" {
		id, _ := e["id"].(string)
		if id == "" {
			return uuid.NewString(), nil
		}
		if uuid.Validate(id) != nil {
			return "", fieldError(k.Name, "id", "expected a valid UUID")
		}
		if _, exists := tx.Get(cp, k.Name, id); exists {
			return "", &UniqueViolation{Kind: k.Name, Field: "id", Value: id}
		}
		return id, nil
	}
	if rec, ok := Resolve(tx, cp, k, idOrKey); ok {
		c.Existing = Decode(rec.Body)
		return rec.ID, nil
	}
	if uuid.Validate(idOrKey) == nil {
		return idOrKey, nil
	}
	if k.EndpointKey == "" {
		return "", fieldError(k.Name, "id", "expected a valid UUID")
	}
	e[k.EndpointKey] = idOrKey
	return uuid.NewString(), nil
}

// buildRecord completes an entity (defaults, kind rules, timestamps), checks its references and
// unique fields, and returns the record to store.
func (d *Entities) buildRecord(c *WriteContext, k *Kind, id string, e Entity) (*store.Record, error) {
	e["id"] = id
	delete(e, "created_at")
	delete(e, "updated_at")
	dropNulls(e)
	if err := resolveRefs(c, k, e); err != nil {
		return nil, err
	}
	if k.prepare != nil {
		if v := k.prepare(c, e); v != nil {
			return nil, v
		}
	}
	if d.Defaults != nil {
		d.Defaults(k.Schema, e)
	}
	e["created_at"] = c.Now
	if c.Existing != nil {
		if v, ok := c.Existing["created_at"]; ok {
			e["created_at"] = v
		}
	}
	if k.UpdatedAt {
		e["updated_at"] = c.Now
	}

	rec := &store.Record{ID: id, Tags: StringList(e["tags"])}
	for _, ref := range k.Refs {
		targets, v := refTargets(k, e, ref)
		if v != nil {
			return nil, v
		}
		for _, target := range targets {
			if _, ok := c.Tx.Get(c.CP, ref.Kind, target); !ok {
				return nil, &ForeignKeyViolation{Kind: k.Name, Field: ref.Field, Value: target, Target: ref.Kind}
			}
			rec.Refs = append(rec.Refs, store.Ref{Field: ref.Field, Kind: ref.Kind, ID: target})
		}
	}
	for _, u := range k.Unique {
		value, ok := uniqueValue(e, u.Fields)
		if !ok {
			continue
		}
		name := strings.Join(u.Fields, ",")
		if other, exists := c.Tx.ByUnique(c.CP, k.Name, name, value); exists && other.ID != id {
			return nil, &UniqueViolation{Kind: k.Name, Field: u.Report, Value: strings.ReplaceAll(value, "\x00", ",")}
		}
		rec.Unique = append(rec.Unique, store.Field{Name: name, Value: value})
	}
	body, err := json.Marshal(e)
	if err != nil {
		return nil, entityError(k.Name, "cannot encode entity: "+err.Error())
	}
	rec.Body = body
	return rec, nil
}

// resolveRefs rewrites each reference given by its target's endpoint key ({"name": "example"}
// for a service, {"username": "alice"} for a consumer) to {"id": ...}, as Kong resolves it,
// so the entity is stored, returned and routed by id. A key that names nothing is refused as
// an unknown id is; a reference with neither key, or with any other field, is refused too.
func resolveRefs(c *WriteContext, k *Kind, e Entity) error {
	for _, ref := range k.Refs {
		m, ok := e[ref.Field].(map[string]any)
		if ref.List || !ok {
			continue // absent, or not an object: refTargets refuses what is not a reference
		}
		target, _ := ByName(ref.Kind)
		keys := make([]string, 0, len(m))
		for key := range m {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		for _, key := range keys {
			if key != "id" && (target == nil || key != target.EndpointKey) {
				return fieldError(k.Name, ref.Field+"."+key, "unknown field")
			}
		}
		if len(m) == 0 {
			return fieldError(k.Name, ref.Field+".id", "required field missing")
		}
		if target == nil || target.EndpointKey == "" {
			continue
		}
		raw, byKey := m[target.EndpointKey]
		if !byKey {
			continue
		}
		value, ok := raw.(string)
		if !ok {
			return fieldError(k.Name, ref.Field+"."+target.EndpointKey, "expected a string")
		}
		rec, found := c.Tx.ByUnique(c.CP, target.Name, target.EndpointKey, value)
		id, withID := m["id"]
		if !found || withID && id != rec.ID { // with both, they must name the same entity
			return &ForeignKeyViolation{Kind: k.Name, Field: ref.Field, Value: value, Target: target.Name, Key: target.EndpointKey}
		}
		e[ref.Field] = map[string]any{"id": rec.ID}
	}
	return nil
}

// refTargets reads the ids a reference names; each must be a UUID (an empty id is not "no
// reference": null or an absent field is).
func refTargets(k *Kind, e Entity, ref Ref) ([]string, *SchemaViolation) {
	v, set := e[ref.Field]
	if !set {
		return nil, nil
	}
	if ref.List {
		list, _ := v.([]any)
		out := make([]string, 0, len(list))
		for i, x := range list {
			field := ref.Field + "[" + strconv.Itoa(i) + "]"
			id, _ := x.(string)
			if ref.Objects {
				m, _ := x.(map[string]any)
				id, _ = m["id"].(string)
				field += ".id"
			}
			if !IsUUID(id) {
				return nil, fieldError(k.Name, field, "expected a valid UUID")
			}
			out = append(out, id)
		}
		return out, nil
	}
	m, _ := v.(map[string]any)
	id, _ := m["id"].(string)
	if !IsUUID(id) {
		return nil, fieldError(k.Name, ref.Field+".id", "expected a valid UUID")
	}
	return []string{id}, nil
}

// IsUUID accepts the canonical 36-character form only, as Kong does.
func IsUUID(s string) bool {
	return len(s) == 36 && uuid.Validate(s) == nil
}

// uniqueValue joins the values of a unique key; false when the key's first field is unset
// (Kong does not enforce uniqueness on null).
func uniqueValue(e Entity, fields []string) (string, bool) {
	parts := make([]string, len(fields))
	for i, f := range fields {
		v := e[f]
		switch tv := v.(type) {
		case nil:
			if i == 0 {
				return "", false
			}
		case string:
			parts[i] = tv
		case map[string]any:
			parts[i] = RefID(tv)
		default:
			parts[i] = fmt.Sprint(tv)
		}
	}
	return strings.Join(parts, "\x00"), true
}

// Delete removes an entity with what cascades from it, or refuses while an entity that does
// not cascade still points at it. A missing entity is not an error, as in Kong.
func Delete(tx store.Writer, cp string, k *Kind, parent *Parent, idOrKey string) error {
	parentID, err := ParentID(tx, cp, parent)
	if err != nil {
		return err
	}
	rec, ok := Resolve(tx, cp, k, idOrKey)
	if !ok {
		return nil
	}
	if !belongsTo(rec, parent, parentID) {
		return &NotFound{Kind: k.Name, ID: idOrKey}
	}
	target := store.Key{CP: cp, Kind: k.Name, ID: rec.ID}
	if err := checkDeletable(tx, target); err != nil {
		return err
	}
	deleteCascade(tx, target)
	return nil
}

// checkDeletable walks what would cascade and refuses if anything on the way is referenced
// by an entity that does not cascade.
func checkDeletable(tx store.Reader, target store.Key) error {
	for _, ref := range tx.Referrers(target) {
		referrer, ok := ByName(ref.Kind)
		if !ok {
			continue
		}
		if !referrer.cascadesFrom(target.Kind) {
			return &ForeignKeyViolation{Kind: target.Kind, Value: target.ID, ReferencedBy: referrer.Name}
		}
		if err := checkDeletable(tx, ref); err != nil {
			return err
		}
	}
	return nil
}

func deleteCascade(tx store.Writer, target store.Key) {
	for _, ref := range tx.Referrers(target) {
		deleteCascade(tx, ref)
	}
	tx.Delete(target.CP, target.Kind, target.ID)
}

// Decode reads a stored body (numbers kept exact).
func Decode(body []byte) Entity {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var e Entity
	_ = dec.Decode(&e)
	return e
}

// dropNulls removes explicit nulls, which mean "unset" (Kong's own SDK sends them).
func dropNulls(e Entity) {
	for k, v := range e {
		if v == nil {
			delete(e, k)
		}
	}
}

// RefID is the id of a reference {"id": ...}, or "".
func RefID(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	id, _ := m["id"].(string)
	return id
}

// StringList reads a list of strings, skipping anything else.
func StringList(v any) []string {
	list, ok := v.([]any)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
