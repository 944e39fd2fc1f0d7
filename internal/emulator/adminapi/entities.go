package adminapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// Kong's page sizes: 100 unless size says otherwise, at most 1000.
const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

func (s *Server) cp() string { return s.opts.ControlPlane() }

// resolve finds an entity by id or endpoint key, and a target by its "host:port" too.
func resolve(tx store.Reader, cp string, k *domain.Kind, parent *domain.Parent, idOrKey string) (*store.Record, error) {
	rec, err := domain.Get(tx, cp, k, parent, idOrKey)
	if err == nil || k != domain.Targets || parent == nil {
		return rec, err
	}
	// Kong addresses a target by its target under its upstream.
	parentID, perr := domain.ParentID(tx, cp, parent)
	if perr != nil {
		return nil, perr
	}
	if rec, ok := tx.ByUnique(cp, k.Name, "upstream,target", parentID+"\x00"+idOrKey); ok {
		return rec, nil
	}
	return nil, err
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, c collection) {
	cp := s.cp()
	var body []byte
	err := s.opts.Store.Read(func(tx store.Reader) error {
		rec, err := resolve(tx, cp, c.kind, c.parentOf(r), r.PathValue("id"))
		if err != nil {
			return err
		}
		if err := s.rbac.checkEntity(r, rec.ID); err != nil {
			return err
		}
		body = rec.Body
		return nil
	})
	if err != nil {
		s.fail(w, r, err, nil)
		return
	}
	writeRaw(w, http.StatusOK, body)
}

// page reads size and offset as Kong does.
func page(r *http.Request) (store.Query, *kongError) {
	q := store.Query{Limit: defaultPageSize}
	v := r.URL.Query()
	if size := v.Get("size"); size != "" {
		n, err := strconv.Atoi(size)
		if err != nil {
			return q, &kongError{status: http.StatusBadRequest, code: codeInvalidSize, message: "size must be a number"}
		}
		if n < 1 || n > maxPageSize {
			return q, &kongError{status: http.StatusBadRequest, code: codeInvalidSize, message: fmt.Sprintf("size must be an integer between 1 and %d", maxPageSize)}
		}
		q.Limit = n
	}
	if off := v.Get("offset"); off != "" {
		raw, err := base64.RawURLEncoding.DecodeString(off)
		if err != nil || len(raw) == 0 {
			return q, &kongError{status: http.StatusBadRequest, code: codeInvalidOffset, message: fmt.Sprintf("'%s' is not a valid offset: bad base64 encoding", off)}
		}
		q.After = string(raw)
	}
	if tags := v.Get("tags"); tags != "" {
		if strings.Contains(tags, "/") {
			for _, t := range strings.Split(tags, "/") {
				q.Tags = append(q.Tags, []string{t})
			}
		} else {
			q.Tags = [][]string{strings.Split(tags, ",")}
		}
	}
	return q, nil
}

// list answers {"data": [...], "next": "/path?offset=...", "offset": "..."}: next is the path
// of the following page, null on the last.
func (s *Server) list(w http.ResponseWriter, r *http.Request, c collection) {
	cp := s.cp()
	q, ke := page(r)
	if ke != nil {
		writeError(w, ke)
		return
	}
	var body []byte
	err := s.opts.Store.Read(func(tx store.Reader) error {
		parent := c.parentOf(r)
		parentID, err := domain.ParentID(tx, cp, parent)
		if err != nil {
			return err
		}
		if parent != nil {
			q.RefField, q.RefID = parent.Field, parentID
		}
		records, more := tx.List(cp, c.kind.Name, q)
		body = listBody(r, s.rbac.readable(r, records), more, records)
		return nil
	})
	if err != nil {
		s.fail(w, r, err, nil)
		return
	}
	writeRaw(w, http.StatusOK, body)
}

// listBody writes a page; the offset follows the last record of the page read (all), so a
// page filtered by entity permissions still continues where it stopped.
func listBody(r *http.Request, shown []*store.Record, more bool, all []*store.Record) []byte {
	var b bytes.Buffer
	b.WriteString(`{"data":[`)
	for i, rec := range shown {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(rec.Body)
	}
	b.WriteString(`],"next":`)
	if more && len(all) > 0 {
		offset := base64.RawURLEncoding.EncodeToString([]byte(all[len(all)-1].ID))
		q := url.Values{}
		for k, v := range r.URL.Query() {
			q[k] = v
		}
		q.Set("offset", offset)
		next, _ := json.Marshal(r.URL.Path + "?" + q.Encode())
		b.Write(next)
		o, _ := json.Marshal(offset)
		b.WriteString(`,"offset":`)
		b.Write(o)
	} else {
		b.WriteString("null")
	}
	b.WriteByte('}')
	return b.Bytes()
}

// write creates (POST, idOrKey empty), upserts (PUT) or updates (PATCH, merged into what is
// stored) an entity.
func (s *Server) write(w http.ResponseWriter, r *http.Request, c collection, idOrKey string, patch bool) {
	cp := s.cp()
	in, err := decodeBody(r)
	if err != nil {
		writeError(w, bodyError(err))
		return
	}
	e := in.fields
	var out []byte
	status := http.StatusOK
	if idOrKey == "" {
		status = http.StatusCreated
	}
	err = s.opts.Store.Write(func(tx store.Writer) error {
		parent := c.parentOf(r)
		target := idOrKey
		var existing domain.Entity
		if idOrKey != "" {
			rec, err := resolve(tx, cp, c.kind, parent, idOrKey)
			switch {
			case err == nil:
				if err := s.rbac.checkEntity(r, rec.ID); err != nil {
					return err
				}
				existing, target = domain.Decode(rec.Body), rec.ID
			case patch:
				return err
			case !errors.As(err, new(*domain.NotFound)):
				return err
			}
		}
		if in.form {
			plugin, _ := e["name"].(string)
			if plugin == "" && existing != nil {
				plugin, _ = existing["name"].(string)
			}
			inferEntity(s.schema(c.kind), e, plugin)
		}
		if expand := s.opts.Shorthands[c.kind.Schema]; expand != nil {
			expand(e)
		}
		if patch {
			e = merge(existing, e)
		}
		if err := s.validate(c.kind, e); err != nil {
			return err
		}
		rec, err := s.opts.Entities.Put(tx, cp, c.kind, parent, target, e, time.Now().Unix())
		if err != nil {
			return err
		}
		if existing == nil {
			s.rbac.own(r, rec.ID, tableName(c.kind.Name))
		}
		out = rec.Body
		return nil
	})
	if err != nil {
		s.fail(w, r, err, e)
		return
	}
	writeRaw(w, status, out)
}

// merge applies a PATCH: given fields replace stored ones, records (objects) merge field by
// field as Kong's DAO merges them, null removes.
func merge(stored, patch domain.Entity) domain.Entity {
	out := make(domain.Entity, len(stored)+len(patch))
	for k, v := range stored {
		out[k] = v
	}
	for k, v := range patch {
		old, wasMap := out[k].(map[string]any)
		nv, isMap := v.(map[string]any)
		if wasMap && isMap && k != "service" && k != "route" && k != "consumer" && k != "consumer_group" {
			out[k] = merge(old, nv)
			continue
		}
		out[k] = v
	}
	return out
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request, c collection) {
	cp := s.cp()
	err := s.opts.Store.Write(func(tx store.Writer) error {
		parent := c.parentOf(r)
		rec, err := resolve(tx, cp, c.kind, parent, r.PathValue("id"))
		if err != nil {
			var nf *domain.NotFound
			if errors.As(err, &nf) && nf.Kind == c.kind.Name {
				return nil // deleting what is not there succeeds, as in Kong
			}
			return err
		}
		if err := s.rbac.checkEntity(r, rec.ID); err != nil {
			return err
		}
		return domain.Delete(tx, cp, c.kind, parent, rec.ID)
	})
	if err != nil {
		s.fail(w, r, err, nil)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// bodyError is Kong's answer to a body it cannot read.
func bodyError(err error) *kongError {
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return messageError(http.StatusRequestEntityTooLarge, "request body too large")
	case errors.Is(err, errUnsupportedMedia):
		return messageError(http.StatusUnsupportedMediaType, "Unsupported Content-Type")
	case errors.Is(err, errBadJSON):
		return messageError(http.StatusBadRequest, "Cannot parse JSON body")
	}
	return messageError(http.StatusBadRequest, "Cannot parse request body")
}
