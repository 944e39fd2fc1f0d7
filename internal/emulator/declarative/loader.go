package declarative

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// Loader replaces a control plane's configuration with a declarative file.
type Loader struct {
	Store    store.Store
	Entities *domain.Entities
	// Check validates an entity against its kind's schema in the API's spec (unknown fields,
	// types, enums, ranges), in Kong's words, with fields written as the domain writes them
	// ("paths[0]"). Nil checks nothing beyond the domain's rules.
	Check func(k *domain.Kind, e domain.Entity) []domain.FieldError
	// Expand rewrites a kind's shorthand fields (a service's url) before the check, as Kong does.
	Expand func(k *domain.Kind, e domain.Entity)
	// Now is the clock of created_at and updated_at; nil is time.Now.
	Now func() time.Time

	mu     sync.Mutex
	hashes map[string]loadedHash // by control plane: the last file loaded
}

// loadedHash is the hash of the file that set a control plane's configuration, valid while
// the control plane's version is the one the load left.
type loadedHash struct {
	hash    string
	version uint64
}

// Result is the configuration as loaded: for each entity type of the file, the stored
// entities by id, which is Kong's answer to POST /config.
type Result struct {
	Entities map[string]map[string]json.RawMessage
	Hash     string
}

// errInvalid makes the store transaction roll back; the caller returns the *Error.
var errInvalid = errors.New("invalid declarative configuration")

// Load decodes a file (YAML or JSON) and replaces the control plane's configuration with it.
// An invalid file gives an *Error and changes nothing.
func (l *Loader) Load(cp string, data []byte) (*Result, error) {
	doc, err := Decode(data)
	if err != nil {
		return nil, parseError(err)
	}
	return l.load(cp, doc, Hash(data), nil)
}

// LoadDeck is Load for a file as decK writes it: its _konnect and _info keys are read as decK
// reads them (see deck.go); cpName is the name of the control plane loaded.
func (l *Loader) LoadDeck(cp, cpName string, data []byte) (*Result, error) {
	doc, err := Decode(data)
	if err != nil {
		return nil, parseError(err)
	}
	return l.load(cp, doc, Hash(data), &deckOptions{cpName: cpName})
}

// deckOptions asks a load to read decK's keys.
type deckOptions struct {
	cpName string
}

// LoadDocument replaces the control plane's configuration with an already decoded file.
func (l *Loader) LoadDocument(cp string, doc map[string]any) (*Result, error) {
	canonical, err := json.Marshal(doc)
	if err != nil {
		return nil, parseError(err)
	}
	return l.load(cp, doc, Hash(canonical), nil)
}

// parseError is Kong's error for a file that cannot be read.
func parseError(err error) *Error {
	e := &Error{parse: true}
	e.addTop("failed parsing declarative configuration: "+err.Error(), "error")
	return e
}

// CurrentHash is the hash of the file that set the control plane's configuration, or "" when
// none did or the configuration changed since.
func (l *Loader) CurrentHash(cp string) string {
	l.mu.Lock()
	h, ok := l.hashes[cp]
	l.mu.Unlock()
	if !ok {
		return ""
	}
	current := uint64(0)
	_ = l.Store.Read(func(tx store.Reader) error {
		current = tx.Version(cp)
		return nil
	})
	if current != h.version {
		return ""
	}
	return h.hash
}

func (l *Loader) load(cp string, doc map[string]any, hash string, deck *deckOptions) (*Result, error) {
	ld := &loading{loader: l, errs: &Error{}, byType: map[string][]*item{}, transform: true}
	known := []string{"_format_version", "_transform", "_comment", "_ignore", "_workspace"}
	if deck != nil {
		ld.deck = &deckInfo{}
		ld.readDeck(doc, deck.cpName)
		known = append(known, deckKeys...)
	}
	ld.readTop(doc, known)
	for _, it := range ld.items {
		ld.resolve(it)
	}
	for _, it := range ld.items {
		ld.check(it)
	}
	// Even with problems found already, the domain's rules run on the rest (and the
	// transaction rolls back), so that one answer lists every problem.
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	var version uint64
	err := l.Store.Write(func(tx store.Writer) error {
		if !domain.ControlPlaneExists(tx, cp) {
			return &domain.NotFound{Kind: domain.ControlPlanes, ID: cp}
		}
		ld.write(tx, cp, now().Unix())
		if ld.invalid() {
			return errInvalid
		}
		version = tx.Version(cp) // each write counts as it is made
		return nil
	})
	if errors.Is(err, errInvalid) {
		return nil, ld.error()
	}
	if err != nil {
		return nil, fmt.Errorf("loading the declarative configuration: %w", err)
	}
	l.remember(cp, hash, version)
	return ld.result(hash), nil
}

// remember keeps the hash of the file that set the control plane's configuration.
func (l *Loader) remember(cp, hash string, version uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.hashes == nil {
		l.hashes = map[string]loadedHash{}
	}
	l.hashes[cp] = loadedHash{hash: hash, version: version}
}

// loading is the state of one load.
type loading struct {
	loader    *Loader
	errs      *Error
	items     []*item            // in the file's order, parents before what is nested in them
	byType    map[string][]*item // by entity type key
	transform bool
	members   []membership // the consumer group memberships written
	indexes   map[string]index
	deck      *deckInfo // decK's keys, when the file is read as decK's
	// legacyPaths: the file is of Kong 2.x's format, whose route paths Kong 3 migrates.
	legacyPaths bool
}

// membership is a consumer group membership as Kong Enterprise lists it.
type membership struct {
	Group    map[string]any `json:"consumer_group"`
	Consumer map[string]any `json:"consumer"`
}

// formatVersions are the values of _format_version Kong 3.x reads.
var formatVersions = []string{"1.1", "2.1", "3.0"}

// readTop reads the file's top level: its metadata and each entity type's list.
func (ld *loading) readTop(doc map[string]any, known []string) {
	switch v := doc["_format_version"].(type) {
	case nil:
		ld.errs.addTop("required field missing", "_format_version")
	case string:
		if !slices.Contains(formatVersions, v) {
			ld.errs.addTop("expected one of: "+strings.Join(formatVersions, ", "), "_format_version")
		}
		ld.legacyPaths = v == "1.1" || v == "2.1"
	default:
		ld.errs.addTop("expected a string", "_format_version")
	}
	if v, set := doc["_transform"]; set {
		b, ok := v.(bool)
		if !ok {
			ld.errs.addTop("expected a boolean", "_transform")
		}
		ld.transform = !ok || b
	}
	if v, set := doc["_comment"]; set {
		if _, ok := v.(string); !ok {
			ld.errs.addTop("expected a string", "_comment")
		}
	}
	if v, set := doc["_ignore"]; set {
		if _, ok := v.([]any); !ok {
			ld.errs.addTop("expected an array", "_ignore")
		}
	}
	// decK writes the workspace; the emulator has only Kong's default one.
	if v, set := doc["_workspace"]; set && v != "default" {
		ld.errs.addTop("the emulator has only the 'default' workspace", "_workspace")
	}
	for _, key := range slices.Sorted(maps.Keys(doc)) {
		if slices.Contains(known, key) {
			continue
		}
		if _, ok := typeByKey[key]; !ok {
			ld.errs.addTop("unknown field", key)
		}
	}
	for _, t := range types {
		if v, set := doc[t.key]; set && v != nil {
			ld.readList(t, v, []any{t.key}, nil, "")
		}
	}
}

// readList reads a list of entities of one type, at the top level or nested in parent.
func (ld *loading) readList(t *entityType, v any, path []any, parent *item, parentField string) {
	list, ok := v.([]any)
	if !ok {
		ld.errs.addTop("expected an array", path...)
		return
	}
	for i, x := range list {
		at := append(append([]any(nil), path...), i)
		m, ok := x.(map[string]any)
		if !ok {
			ld.errs.addTop("expected a record", at...)
			continue
		}
		ld.readEntity(t, m, at, parent, parentField)
	}
}

// membersField is the list in which a consumer names its groups, or a group its consumers.
var membersField = map[string]string{"consumers": "groups", "consumer_groups": "consumers"}

func (ld *loading) readEntity(t *entityType, m map[string]any, path []any, parent *item, parentField string) {
	it := &item{typ: t, path: path, parent: parent, parentField: parentField,
		input: make(map[string]any, len(m)), body: make(domain.Entity, len(m))}
	nested := map[string]any{}
	members, ok := membersField[t.key]
	if !ok {
		members = "\x00" // no field of that name: the type lists no memberships
	}
	for k, v := range m {
		if _, isChild := t.childField(k); isChild {
			nested[k] = v
			continue
		}
		switch k {
		case "_comment", "_ignore": // Kong's annotations, on every entity
		case members:
			it.members, _ = v.([]any)
			if _, ok := v.([]any); !ok && v != nil {
				it.fieldProblem(k, "expected an array")
			}
		default:
			it.body[k] = v
			it.input[k] = v
		}
	}
	if ld.deck != nil {
		ld.applyDeck(it)
	}
	if ld.legacyPaths && t.kind == domain.Routes {
		migratePaths(it.body)
	}
	if parent != nil && it.body[parentField] == nil {
		// As Kong shows a nested entity in its errors: pointing at its parent, when the file
		// gives the parent's id.
		if pid, ok := parent.input["id"].(string); ok && domain.IsUUID(pid) {
			it.input[parentField] = map[string]any{"id": pid}
		}
	}
	switch id := it.body["id"].(type) {
	case nil:
		it.id = generatedID(it)
		it.body["id"] = it.id
	case string:
		it.id = id
	}
	ld.items = append(ld.items, it)
	ld.byType[t.key] = append(ld.byType[t.key], it)
	for _, c := range t.children {
		if v, ok := nested[c.key]; ok && v != nil {
			ld.readList(typeByKey[c.key], v, append(append([]any(nil), path...), c.key), it, c.field)
		}
	}
}

// find looks an entity of type t up in the file, by endpoint key first, then by id, as Kong
// resolves a reference.
func (ld *loading) find(t *entityType, key string) (*item, bool) {
	idx := ld.indexOf(t)
	if it, ok := idx.byKey[key]; ok {
		return it, true
	}
	it, ok := idx.byID[key]
	return it, ok
}

// index finds the file's entities of one type by endpoint key and by id.
type index struct {
	byKey, byID map[string]*item
}

// indexOf builds a type's index on first use, once every entity has been read (a later
// entity with the same key wins, as in Kong; the duplicate is refused when written).
func (ld *loading) indexOf(t *entityType) index {
	if idx, ok := ld.indexes[t.key]; ok {
		return idx
	}
	idx := index{byKey: map[string]*item{}, byID: map[string]*item{}}
	for _, it := range ld.byType[t.key] {
		if ek := t.kind.EndpointKey; ek != "" {
			if v, ok := it.body[ek].(string); ok {
				idx.byKey[v] = it
			}
		}
		idx.byID[it.id] = it
	}
	if ld.indexes == nil {
		ld.indexes = map[string]index{}
	}
	ld.indexes[t.key] = idx
	return idx
}

// resolve rewrites the item's references, given by name or id, to {"id": ...} of entities of
// the file; an entity nested in a parent points at it.
func (ld *loading) resolve(it *item) {
	for _, ref := range it.typ.kind.Refs {
		if ref.List {
			continue // lists of ids (a service's ca_certificates) are checked by the domain
		}
		v, set := it.body[ref.Field]
		if !set || v == nil {
			if it.parent != nil && it.parentField == ref.Field {
				it.body[ref.Field] = map[string]any{"id": it.parent.id}
			}
			continue
		}
		target := typeByKind[ref.Kind]
		if target == nil {
			continue
		}
		var key string
		shown := ""
		switch tv := v.(type) {
		case string:
			key, shown = tv, tv
		case map[string]any:
			if id, ok := tv["id"].(string); ok {
				key = id
			} else if k, ok := tv[target.kind.EndpointKey].(string); ok && target.kind.EndpointKey != "" {
				key = k
			} else {
				continue // not a reference: the check says why
			}
			raw, _ := json.Marshal(tv)
			shown = string(raw)
		default:
			continue
		}
		found, ok := ld.find(target, key)
		if !ok {
			delete(it.body, ref.Field) // reported here; not to be checked as a record too
			it.fieldProblem(ref.Field, "invalid reference '"+ref.Field+": "+shown+"' (no such entry in '"+target.key+"')")
			continue
		}
		it.body[ref.Field] = map[string]any{"id": found.id}
	}
}

// check expands the item's shorthands and checks it against its schema.
func (ld *loading) check(it *item) {
	if ld.loader.Expand != nil {
		ld.loader.Expand(it.typ.kind, it.body)
	}
	if ld.loader.Check == nil {
		return
	}
	for _, fe := range ld.loader.Check(it.typ.kind, it.body) {
		if fe.Field == "" {
			it.entityProblem(fe.Message)
		} else {
			it.fieldProblem(kongField(fe.Field), fe.Message)
		}
	}
}

// write replaces the control plane's entities with the file's, inside the transaction.
func (ld *loading) write(tx store.Writer, cp string, now int64) {
	for _, k := range domain.All {
		records, _ := tx.List(cp, k.Name, store.Query{})
		for _, rec := range records {
			tx.Delete(cp, k.Name, rec.ID)
		}
	}
	failed := map[string]bool{} // ids of entities refused, whose dependents are not blamed for it
	for _, it := range ld.items {
		if it.failed {
			failed[it.id] = true
		}
	}
	for _, t := range types {
		for _, it := range ld.byType[t.key] {
			if it.failed {
				continue
			}
			given := cloneMap(it.body)
			rec, err := ld.loader.Entities.Put(tx, cp, t.kind, nil, "", it.body, now)
			if err != nil {
				ld.refused(it, err, failed)
				failed[it.id] = true
				continue
			}
			if !ld.transform {
				rec = keepTransformed(tx, cp, t, given, rec)
			}
			it.stored = rec
		}
		if t.key == "consumer_groups" { // consumers and groups are in; plugins may follow
			ld.writeMembers(tx, cp)
		}
	}
}

// transformedFields are the fields Kong transforms on write (a basic-auth password becomes its
// salted SHA-1); with _transform: false the file gives them transformed already, as Kong's
// export writes them, and they are stored as given.
var transformedFields = map[string][]string{domain.BasicAuth.Name: {"password"}}

// keepTransformed stores the transformed fields of an entity as the file gives them.
func keepTransformed(tx store.Writer, cp string, t *entityType, given domain.Entity, rec *store.Record) *store.Record {
	fields := transformedFields[t.kind.Name]
	if len(fields) == 0 {
		return rec
	}
	e := domain.Decode(rec.Body)
	for _, f := range fields {
		if v, ok := given[f]; ok {
			e[f] = v
		}
	}
	body, err := json.Marshal(e)
	if err != nil {
		return rec
	}
	kept := *rec
	kept.Body = body
	tx.Put(cp, t.kind.Name, &kept)
	return &kept
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// refused records why the domain refused an item.
func (ld *loading) refused(it *item, err error, failed map[string]bool) {
	var sv *domain.SchemaViolation
	var uv *domain.UniqueViolation
	var fk *domain.ForeignKeyViolation
	switch {
	case errors.As(err, &sv):
		for _, fe := range sv.Fields {
			if fe.Field == "" {
				it.entityProblem(fe.Message)
			} else {
				it.fieldProblem(kongField(fe.Field), fe.Message)
			}
		}
	case errors.As(err, &uv):
		it.fieldProblem(uv.Field, fmt.Sprintf("uniqueness violation: '%s' entity with %s set to '%s' already declared", it.typ.key, uv.Field, uv.Value))
	case errors.As(err, &fk) && fk.Field != "":
		if failed[fk.Value] {
			it.failed = true // its target was refused, and is reported
			return
		}
		target := fk.Target
		if tt := typeByKind[fk.Target]; tt != nil {
			target = tt.key
		}
		it.fieldProblem(fk.Field, "invalid reference '"+fk.Field+": "+fk.Value+"' (no such entry in '"+target+"')")
	default:
		it.entityProblem(err.Error())
	}
}

// writeMembers adds the consumer group memberships the file names, once each.
func (ld *loading) writeMembers(tx store.Writer, cp string) {
	type pair struct{ group, consumer *item }
	var pairs []pair
	seen := map[pair]bool{}
	add := func(p pair) {
		if !seen[p] {
			seen[p] = true
			pairs = append(pairs, p)
		}
	}
	for _, side := range []struct {
		owner, other string // the entity type that lists, and the type listed
		field        string
	}{{"consumers", "consumer_groups", "groups"}, {"consumer_groups", "consumers", "consumers"}} {
		otherType := typeByKey[side.other]
		for _, it := range ld.byType[side.owner] {
			for i, ref := range it.members {
				key, shown := memberKey(ref, otherType)
				other, ok := ld.find(otherType, key)
				if !ok {
					it.fieldProblem(side.field+"."+strconv.Itoa(i+1), "invalid reference '"+side.field+": "+shown+"' (no such entry in '"+side.other+"')")
					continue
				}
				if side.owner == "consumers" {
					add(pair{group: other, consumer: it})
				} else {
					add(pair{group: it, consumer: other})
				}
			}
		}
	}
	for _, p := range pairs {
		if p.group.stored == nil || p.consumer.stored == nil {
			continue // one end was refused, and is reported
		}
		if _, _, err := domain.AddMember(tx, cp, p.group.id, p.consumer.id, true); err != nil {
			p.consumer.entityProblem("consumer group membership: " + err.Error())
			continue
		}
		ld.members = append(ld.members, membership{Group: map[string]any{"id": p.group.id}, Consumer: map[string]any{"id": p.consumer.id}})
	}
}

// memberKey reads a membership's other end: a name, or {id}, {name}, {username}.
func memberKey(ref any, t *entityType) (key, shown string) {
	switch v := ref.(type) {
	case string:
		return v, v
	case map[string]any:
		raw, _ := json.Marshal(v)
		if id, ok := v["id"].(string); ok {
			return id, string(raw)
		}
		if k, ok := v[t.kind.EndpointKey].(string); ok {
			return k, string(raw)
		}
		return "", string(raw)
	default:
		raw, _ := json.Marshal(v)
		return "", string(raw)
	}
}

func (ld *loading) invalid() bool {
	if !ld.errs.empty() {
		return true
	}
	for _, it := range ld.items {
		if it.failed {
			return true
		}
	}
	return false
}

// error is the *Error of a refused load: the file's problems, then each entity's.
func (ld *loading) error() *Error {
	e := &Error{top: ld.errs.top}
	for _, it := range ld.items {
		if len(it.problems) > 0 {
			e.Entities = append(e.Entities, it.entityError())
		}
	}
	return e
}

// result lists what was stored, by entity type and id.
func (ld *loading) result(hash string) *Result {
	r := &Result{Entities: map[string]map[string]json.RawMessage{}, Hash: hash}
	for _, it := range ld.items {
		if it.stored == nil {
			continue
		}
		if r.Entities[it.typ.key] == nil {
			r.Entities[it.typ.key] = map[string]json.RawMessage{}
		}
		r.Entities[it.typ.key][it.id] = it.stored.Body
	}
	for _, m := range ld.members {
		if r.Entities[membershipKey] == nil {
			r.Entities[membershipKey] = map[string]json.RawMessage{}
		}
		// Kong keys a membership by its primary key, the group's and the consumer's ids.
		raw, _ := json.Marshal(m)
		r.Entities[membershipKey][m.Group["id"].(string)+":"+m.Consumer["id"].(string)] = raw
	}
	return r
}

// kongField rewrites a domain field path (zero-based positions in brackets, "paths[0]") as
// Kong's declarative errors write it (dotted, one-based: "paths.1").
func kongField(field string) string {
	var b strings.Builder
	for i := 0; i < len(field); i++ {
		if field[i] != '[' {
			b.WriteByte(field[i])
			continue
		}
		end := strings.IndexByte(field[i:], ']')
		n, err := strconv.Atoi(field[i+1 : i+max(end, 1)])
		if end < 0 || err != nil {
			b.WriteByte(field[i])
			continue
		}
		b.WriteString("." + strconv.Itoa(n+1))
		i += end
	}
	return b.String()
}
