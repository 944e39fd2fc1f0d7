package emulator

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// entity is a core entity as decoded from JSON (numbers kept as json.Number).
type entity = map[string]any

// kindSpec describes one kind of core entity; the generic handlers below do the rest.
type kindSpec struct {
	name    string // store kind, as in the collection path: "consumers", "key-auth"
	display string // singular name used in messages: "consumer", "route"
	schema  string // the spec schema whose defaults apply: "Consumer"
	// endpointKey lets GET, PUT and DELETE address an entity by this field instead of its id
	// (consumers by username, services by name...), as Kong does.
	endpointKey string
	unique      []uniqueKey
	refs        []refSpec
	updatedAt   bool // whether the entity has updated_at
	// prepare applies the kind's own rules to an entity about to be written: defaults the spec
	// cannot express, generated values, checks. It may read the store.
	prepare func(c *writeCtx, e entity) *apiError
}

// uniqueKey is one (possibly compound) unique constraint; report names the field in errors.
type uniqueKey struct {
	fields []string
	report string
}

// refSpec is a foreign key: field {"id": ...} pointing at an entity of kind, or with list
// set, field [id, ...] pointing at several.
type refSpec struct {
	field string
	kind  string
	list  bool
	// cascade deletes this entity with its target; otherwise deleting the target is refused
	// while this entity points at it.
	cascade bool
}

// parentRef is the parent named in a nested path (/consumers/{id}/key-auth).
type parentRef struct {
	kind  *kindSpec
	field string // the child's ref field that points at the parent
	id    string // as given in the path: id or endpoint key
}

// writeCtx is what prepare functions may look at.
type writeCtx struct {
	tx       store.Reader
	cp       string
	existing entity // the entity being replaced, nil on create
	now      int64
}

const controlPlanesKind = "control-planes"

// maxPageSize is the largest page a list returns.
const maxPageSize = 1000

func (s *Server) cpExists(tx store.Reader, cp string) bool {
	_, ok := tx.Get("", controlPlanesKind, cp)
	return ok
}

// resolve finds an entity by id, or by endpoint key when the value is not a UUID.
func resolve(tx store.Reader, cp string, k *kindSpec, idOrKey string) (*store.Record, bool) {
	if rec, ok := tx.Get(cp, k.name, idOrKey); ok {
		return rec, true
	}
	if k.endpointKey != "" && uuid.Validate(idOrKey) != nil {
		return tx.ByUnique(cp, k.name, k.endpointKey, idOrKey)
	}
	return nil, false
}

// checkParent answers 404 when the control plane or the parent of a nested path is missing,
// and returns the parent's id.
func (s *Server) checkParent(tx store.Reader, cp string, parent *parentRef) (string, *apiError) {
	if !s.cpExists(tx, cp) {
		return "", notFound()
	}
	if parent == nil {
		return "", nil
	}
	rec, ok := resolve(tx, cp, parent.kind, parent.id)
	if !ok {
		return "", notFound()
	}
	return rec.ID, nil
}

// belongsTo reports whether a record's parent ref is the given parent.
func belongsTo(rec *store.Record, parent *parentRef, parentID string) bool {
	if parent == nil {
		return true
	}
	for _, r := range rec.Refs {
		if r.Field == parent.field && r.ID == parentID {
			return true
		}
	}
	return false
}

func (s *Server) getEntity(w http.ResponseWriter, cp string, k *kindSpec, parent *parentRef, idOrKey string) {
	_ = s.store.Read(func(tx store.Reader) error {
		parentID, aerr := s.checkParent(tx, cp, parent)
		if aerr != nil {
			writeAPIError(w, aerr)
			return nil
		}
		rec, ok := resolve(tx, cp, k, idOrKey)
		if !ok || !belongsTo(rec, parent, parentID) {
			writeAPIError(w, notFound())
			return nil
		}
		writeRawJSON(w, http.StatusOK, rec.Body)
		return nil
	})
}

// listEntities answers a Kong-style list: size, offset and tags from the query string.
func (s *Server) listEntities(w http.ResponseWriter, r *http.Request, cp string, k *kindSpec, parent *parentRef) {
	q, aerr := pageQuery(r)
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	_ = s.store.Read(func(tx store.Reader) error {
		parentID, aerr := s.checkParent(tx, cp, parent)
		if aerr != nil {
			writeAPIError(w, aerr)
			return nil
		}
		if parent != nil {
			q.RefField, q.RefID = parent.field, parentID
		}
		records, more := tx.List(cp, k.name, q)
		if customID := r.URL.Query().Get("custom_id"); customID != "" {
			records = filterBody(records, "custom_id", customID)
		}
		writeRawJSON(w, http.StatusOK, listBody(r, records, more))
		return nil
	})
}

// filterBody keeps the records whose top-level string field equals value.
func filterBody(records []*store.Record, field, value string) []*store.Record {
	out := records[:0:0]
	for _, rec := range records {
		var e map[string]any
		if json.Unmarshal(rec.Body, &e) == nil && e[field] == value {
			out = append(out, rec)
		}
	}
	return out
}

func pageQuery(r *http.Request) (store.Query, *apiError) {
	q := store.Query{Limit: 100}
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return q, validationError(detail(detailEntity, "", "invalid query string: "+err.Error()))
	}
	if s := v.Get("size"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxPageSize {
			return q, fieldError("size", fmt.Sprintf("size must be an integer between 1 and %d", maxPageSize))
		}
		q.Limit = n
	}
	if off := v.Get("offset"); off != "" {
		raw, err := base64.RawURLEncoding.DecodeString(off)
		if err != nil || len(raw) == 0 {
			return q, fieldError("offset", "invalid offset")
		}
		q.After = string(raw)
	}
	if tags := v.Get("tags"); tags != "" {
		t, aerr := parseTags(tags)
		if aerr != nil {
			return q, aerr
		}
		q.Tags = t
	}
	return q, nil
}

// parseTags reads Kong's tag filter: "a,b" means both, "a/b" means either; mixing is refused.
func parseTags(s string) ([][]string, *apiError) {
	hasAnd, hasOr := strings.Contains(s, ","), strings.Contains(s, "/")
	if hasAnd && hasOr {
		return nil, fieldError("tags", "invalid filter: cannot mix ',' (and) with '/' (or)")
	}
	if hasOr {
		var out [][]string
		for _, t := range strings.Split(s, "/") {
			if t == "" {
				return nil, fieldError("tags", "invalid filter: empty tag")
			}
			out = append(out, []string{t})
		}
		return out, nil
	}
	all := strings.Split(s, ",")
	for _, t := range all {
		if t == "" {
			return nil, fieldError("tags", "invalid filter: empty tag")
		}
	}
	return [][]string{all}, nil
}

// listBody writes {"data": [...], "next": ..., "offset": ...} from the stored bodies as they are.
func listBody(r *http.Request, records []*store.Record, more bool) []byte {
	var b bytes.Buffer
	b.WriteString(`{"data":[`)
	for i, rec := range records {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(rec.Body)
	}
	b.WriteString(`],"next":`)
	if more && len(records) > 0 {
		offset := base64.RawURLEncoding.EncodeToString([]byte(records[len(records)-1].ID))
		q := r.URL.Query()
		q.Set("offset", offset)
		next, _ := json.Marshal(r.URL.Path + "?" + q.Encode())
		b.Write(next)
		b.WriteString(`,"offset":`)
		o, _ := json.Marshal(offset)
		b.Write(o)
	} else {
		b.WriteString("null")
	}
	b.WriteByte('}')
	return b.Bytes()
}

// writeEntity creates (POST, idOrKey empty) or upserts (PUT) an entity.
func (s *Server) writeEntity(w http.ResponseWriter, r *http.Request, cp string, k *kindSpec, parent *parentRef, idOrKey string) {
	e, aerr := decodeEntity(r)
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	created := idOrKey == ""
	var out []byte
	err := s.store.Write(func(tx store.Writer) error {
		parentID, aerr := s.checkParent(tx, cp, parent)
		if aerr != nil {
			return aerr
		}
		c := &writeCtx{tx: tx, cp: cp, now: time.Now().Unix()}
		id, aerr := s.targetID(tx, cp, k, e, idOrKey, c)
		if aerr != nil {
			return aerr
		}
		if parent != nil {
			if c.existing != nil && !belongsToEntity(c.existing, parent.field, parentID) {
				return notFound()
			}
			e[parent.field] = map[string]any{"id": parentID}
		}
		rec, aerr := s.buildRecord(c, k, id, e)
		if aerr != nil {
			return aerr
		}
		tx.Put(cp, k.name, rec)
		out = rec.Body
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeRawJSON(w, status, out)
}

func belongsToEntity(e entity, field, parentID string) bool {
	return refID(e[field]) == parentID
}

// targetID decides which id a write goes to. A POST takes the body's id or a new one; a PUT
// takes the path's id, or the entity whose endpoint key the path names, or a new id with the
// endpoint key set from the path (PUT /consumers/alice creates alice).
func (s *Server) targetID(tx store.Reader, cp string, k *kindSpec, e entity, idOrKey string, c *writeCtx) (string, *apiError) {
	if idOrKey == "" {
		id, _ := e["id"].(string)
		if id == "" {
			return uuid.NewString(), nil
		}
		if uuid.Validate(id) != nil {
			return "", fieldError("id", "expected a valid UUID")
		}
		if _, exists := tx.Get(cp, k.name, id); exists {
			return "", uniqueViolation("id")
		}
		return id, nil
	}
	if rec, ok := resolve(tx, cp, k, idOrKey); ok {
		c.existing = decodeStored(rec.Body)
		return rec.ID, nil
	}
	if uuid.Validate(idOrKey) == nil {
		return idOrKey, nil
	}
	if k.endpointKey == "" {
		return "", fieldError("id", "expected a valid UUID")
	}
	e[k.endpointKey] = idOrKey
	return uuid.NewString(), nil
}

// buildRecord completes an entity (defaults, kind rules, timestamps), checks its references and
// unique fields, and returns the record to store.
func (s *Server) buildRecord(c *writeCtx, k *kindSpec, id string, e entity) (*store.Record, *apiError) {
	e["id"] = id
	delete(e, "created_at")
	delete(e, "updated_at")
	dropNulls(e)
	if k.prepare != nil {
		if aerr := k.prepare(c, e); aerr != nil {
			return nil, aerr
		}
	}
	s.defaults.apply(k.schema, e)
	e["created_at"] = c.now
	if c.existing != nil {
		if v, ok := c.existing["created_at"]; ok {
			e["created_at"] = v
		}
	}
	if k.updatedAt {
		e["updated_at"] = c.now
	}

	rec := &store.Record{ID: id, Tags: stringList(e["tags"])}
	for _, ref := range k.refs {
		targets, aerr := refTargets(e, ref)
		if aerr != nil {
			return nil, aerr
		}
		for _, target := range targets {
			if _, ok := c.tx.Get(c.cp, ref.kind, target); !ok {
				return nil, foreignViolation(ref.field)
			}
			rec.Refs = append(rec.Refs, store.Ref{Field: ref.field, Kind: ref.kind, ID: target})
		}
	}
	for _, u := range k.unique {
		value, ok := uniqueValue(e, u.fields)
		if !ok {
			continue
		}
		name := strings.Join(u.fields, ",")
		if other, exists := c.tx.ByUnique(c.cp, k.name, name, value); exists && other.ID != id {
			return nil, uniqueViolation(u.report)
		}
		rec.Unique = append(rec.Unique, store.Field{Name: name, Value: value})
	}
	body, err := json.Marshal(e)
	if err != nil {
		return nil, validationError(detail(detailEntity, "", "cannot encode entity: "+err.Error()))
	}
	rec.Body = body
	return rec, nil
}

// refTargets reads the ids a reference names; each must be a UUID (an empty id is not "no
// reference": null or an absent field is).
func refTargets(e entity, ref refSpec) ([]string, *apiError) {
	v, set := e[ref.field]
	if !set {
		return nil, nil
	}
	if ref.list {
		list, _ := v.([]any)
		out := make([]string, 0, len(list))
		for i, x := range list {
			id, _ := x.(string)
			if !isUUID(id) {
				return nil, fieldError(ref.field+"["+strconv.Itoa(i)+"]", "expected a valid UUID")
			}
			out = append(out, id)
		}
		return out, nil
	}
	m, _ := v.(map[string]any)
	id, _ := m["id"].(string)
	if !isUUID(id) {
		return nil, fieldError(ref.field+".id", "expected a valid UUID")
	}
	return []string{id}, nil
}

// isUUID accepts the canonical 36-character form only, as Kong does.
func isUUID(s string) bool {
	return len(s) == 36 && uuid.Validate(s) == nil
}

// uniqueValue joins the values of a unique key; false when the key's first field is unset
// (Kong does not enforce uniqueness on null).
func uniqueValue(e entity, fields []string) (string, bool) {
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
			parts[i] = refID(tv)
		default:
			parts[i] = fmt.Sprint(tv)
		}
	}
	return strings.Join(parts, "\x00"), true
}

// deleteEntity removes an entity with what cascades from it, or refuses while an entity that
// does not cascade still points at it. A missing entity is not an error (204), as in Konnect.
func (s *Server) deleteEntity(w http.ResponseWriter, r *http.Request, cp string, k *kindSpec, parent *parentRef, idOrKey string) {
	err := s.store.Write(func(tx store.Writer) error {
		parentID, aerr := s.checkParent(tx, cp, parent)
		if aerr != nil {
			return aerr
		}
		rec, ok := resolve(tx, cp, k, idOrKey)
		if !ok {
			return nil
		}
		if !belongsTo(rec, parent, parentID) {
			return notFound()
		}
		target := store.Key{CP: cp, Kind: k.name, ID: rec.ID}
		if aerr := s.checkDeletable(tx, target); aerr != nil {
			return aerr
		}
		s.deleteCascade(tx, target)
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// checkDeletable walks what would cascade and refuses if anything on the way is referenced
// by an entity that does not cascade.
func (s *Server) checkDeletable(tx store.Reader, target store.Key) *apiError {
	for _, ref := range tx.Referrers(target) {
		spec := s.kinds[ref.Kind]
		if spec == nil {
			continue
		}
		if !spec.cascadesFrom(target.Kind) {
			return referencedViolation(spec.display)
		}
		if aerr := s.checkDeletable(tx, ref); aerr != nil {
			return aerr
		}
	}
	return nil
}

func (k *kindSpec) cascadesFrom(kind string) bool {
	for _, r := range k.refs {
		if r.kind == kind {
			return r.cascade
		}
	}
	return false
}

func (s *Server) deleteCascade(tx store.Writer, target store.Key) {
	for _, ref := range tx.Referrers(target) {
		s.deleteCascade(tx, ref)
	}
	tx.Delete(target.CP, target.Kind, target.ID)
}

// writeError sends an error a store transaction returned.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	if errors.As(err, &ae) {
		writeAPIError(w, ae)
		return
	}
	s.internalError(w, r, err)
}

// decodeEntity reads a JSON object body (numbers kept exact).
func decodeEntity(r *http.Request) (entity, *apiError) {
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	var e entity
	if err := dec.Decode(&e); err != nil {
		return nil, validationError(detail(detailEntity, "", "cannot parse JSON body: "+err.Error()))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, validationError(detail(detailEntity, "", "cannot parse JSON body: unexpected data after the object"))
	}
	if e == nil {
		e = entity{}
	}
	return e, nil
}

func decodeStored(body []byte) entity {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var e entity
	_ = dec.Decode(&e)
	return e
}

// dropNulls removes explicit nulls, which mean "unset" (Kong's own SDK sends them).
func dropNulls(e entity) {
	for k, v := range e {
		if v == nil {
			delete(e, k)
		}
	}
}

func refID(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	id, _ := m["id"].(string)
	return id
}

func stringList(v any) []string {
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
