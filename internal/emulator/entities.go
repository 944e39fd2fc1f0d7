package emulator

// The Konnect API's entity operations: HTTP in and out around the domain's rules.

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

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// entity is a core entity as decoded from JSON (numbers kept as json.Number).
type entity = domain.Entity

// maxPageSize is the largest page a list returns.
const maxPageSize = 1000

func (s *Server) getEntity(w http.ResponseWriter, r *http.Request, cp string, k *domain.Kind, parent *domain.Parent, idOrKey string) {
	var body []byte
	err := s.store.Read(func(tx store.Reader) error {
		rec, err := domain.Get(tx, cp, k, parent, idOrKey)
		if err != nil {
			return err
		}
		body, err = expandPartials(r, tx, cp, k, rec.Body)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeRawJSON(w, http.StatusOK, body)
}

// listEntities answers a Kong-style list: size, offset and tags from the query string. Every
// entity list goes through here.
func (s *Server) listEntities(w http.ResponseWriter, r *http.Request, cp string, k *domain.Kind, parent *domain.Parent) {
	q, aerr := pageQuery(r)
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	var body []byte
	err := s.store.Read(func(tx store.Reader) error {
		parentID, err := domain.ParentID(tx, cp, parent)
		if err != nil {
			return err
		}
		if parent != nil {
			q.RefField, q.RefID = parent.Field, parentID
		}
		records, more := listFiltered(tx, r, cp, k.Name, q)
		body = listBody(r, records, more)
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeRawJSON(w, http.StatusOK, body)
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
func (s *Server) writeEntity(w http.ResponseWriter, r *http.Request, cp string, k *domain.Kind, parent *domain.Parent, idOrKey string) {
	e, aerr := decodeEntity(r)
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	var out []byte
	err := s.store.Write(func(tx store.Writer) error {
		rec, err := s.entities.Put(tx, cp, k, parent, idOrKey, e, time.Now().Unix())
		if err != nil {
			return err
		}
		out = rec.Body
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusOK
	if idOrKey == "" {
		status = http.StatusCreated
	}
	writeRawJSON(w, status, out)
}

// deleteEntity answers 204 for a deleted or missing entity, as Konnect does.
func (s *Server) deleteEntity(w http.ResponseWriter, r *http.Request, cp string, k *domain.Kind, parent *domain.Parent, idOrKey string) {
	err := s.store.Write(func(tx store.Writer) error {
		return domain.Delete(tx, cp, k, parent, idOrKey)
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// writeError sends an error a store transaction returned, in Konnect's core-entity shape.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	if errors.As(err, &ae) {
		writeAPIError(w, ae)
		return
	}
	if ae, ok := konnectError(err); ok {
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
