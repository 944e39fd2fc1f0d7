package adminapi

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// Consumer group membership, from either side, as Kong Enterprise's Admin API has it.
func (s *Server) memberRoutes() {
	s.handle("GET /consumer_groups/{group}/consumers", func(w http.ResponseWriter, r *http.Request) {
		s.listMembers(w, r, domain.ConsumerGroups, "consumer_group", r.PathValue("group"), domain.Consumers, "consumer")
	})
	s.handle("GET /consumers/{consumer}/consumer_groups", func(w http.ResponseWriter, r *http.Request) {
		s.listMembers(w, r, domain.Consumers, "consumer", r.PathValue("consumer"), domain.ConsumerGroups, "consumer_group")
	})
	s.handle("POST /consumer_groups/{group}/consumers", func(w http.ResponseWriter, r *http.Request) {
		s.addMembers(w, r, "consumer", true)
	})
	s.handle("POST /consumers/{consumer}/consumer_groups", func(w http.ResponseWriter, r *http.Request) {
		s.addMembers(w, r, "group", false)
	})
	s.handle("DELETE /consumer_groups/{group}/consumers", func(w http.ResponseWriter, r *http.Request) {
		s.removeMembers(w, r, domain.ConsumerGroups, "consumer_group", r.PathValue("group"), "consumer", domain.Consumers, "")
	})
	s.handle("DELETE /consumer_groups/{group}/consumers/{consumer}", func(w http.ResponseWriter, r *http.Request) {
		s.removeMembers(w, r, domain.ConsumerGroups, "consumer_group", r.PathValue("group"), "consumer", domain.Consumers, r.PathValue("consumer"))
	})
	s.handle("DELETE /consumers/{consumer}/consumer_groups/{group}", func(w http.ResponseWriter, r *http.Request) {
		s.removeMembers(w, r, domain.Consumers, "consumer", r.PathValue("consumer"), "consumer_group", domain.ConsumerGroups, r.PathValue("group"))
	})
}

// getConsumerGroup answers Kong Enterprise's {"consumer_group": {...}, "consumers": [...],
// "plugins": [...]}, the lists only when not empty.
func (s *Server) getConsumerGroup(w http.ResponseWriter, r *http.Request) {
	cp := s.cp()
	var out []byte
	err := s.opts.Store.Read(func(tx store.Reader) error {
		rec, err := domain.Get(tx, cp, domain.ConsumerGroups, nil, r.PathValue("id"))
		if err != nil {
			return err
		}
		if err := s.rbac.checkEntity(r, rec.ID); err != nil {
			return err
		}
		var b bytes.Buffer
		b.WriteString(`{"consumer_group":`)
		b.Write(rec.Body)
		if consumers := domain.Members(tx, cp, "consumer_group", rec.ID, domain.Consumers, "consumer"); len(consumers) > 0 {
			b.WriteString(`,"consumers":`)
			writeBodies(&b, consumers)
		}
		if plugins, _ := tx.List(cp, domain.Plugins.Name, store.Query{RefField: "consumer_group", RefID: rec.ID}); len(plugins) > 0 {
			b.WriteString(`,"plugins":`)
			writeBodies(&b, plugins)
		}
		b.WriteByte('}')
		out = b.Bytes()
		return nil
	})
	if err != nil {
		s.fail(w, r, err, nil)
		return
	}
	writeRaw(w, http.StatusOK, out)
}

func writeBodies(b *bytes.Buffer, records []*store.Record) {
	b.WriteByte('[')
	for i, rec := range records {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(rec.Body)
	}
	b.WriteByte(']')
}

func (s *Server) listMembers(w http.ResponseWriter, r *http.Request, kind *domain.Kind, field, ref string, other *domain.Kind, otherField string) {
	cp := s.cp()
	var out []byte
	err := s.opts.Store.Read(func(tx store.Reader) error {
		rec, err := domain.Get(tx, cp, kind, nil, ref)
		if err != nil {
			return err
		}
		records := domain.Members(tx, cp, field, rec.ID, other, otherField)
		out = listBody(r, s.rbac.readable(r, records), false, records)
		return nil
	})
	if err != nil {
		s.fail(w, r, err, nil)
		return
	}
	writeRaw(w, http.StatusOK, out)
}

// addMembers adds one or several (a list, or comma-separated) consumers to a group, or groups
// to a consumer, and answers the path's side with the list of the other.
func (s *Server) addMembers(w http.ResponseWriter, r *http.Request, bodyField string, fromGroup bool) {
	cp := s.cp()
	in, err := decodeBody(r)
	if err != nil {
		writeError(w, bodyError(err))
		return
	}
	var refs []string
	switch v := in.fields[bodyField].(type) {
	case string:
		for _, x := range strings.Split(v, ",") {
			if x = strings.TrimSpace(x); x != "" {
				refs = append(refs, x)
			}
		}
	case []any:
		refs = domain.StringList(v)
	}
	if len(refs) == 0 {
		writeError(w, schemaError([]domain.FieldError{{Field: bodyField, Message: "required field missing"}}))
		return
	}
	var out []byte
	var clash domain.Entity // the membership that exists already, to name in the error
	err = s.opts.Store.Write(func(tx store.Writer) error {
		var head *store.Record
		others := make([]*store.Record, 0, len(refs))
		for _, ref := range refs {
			group, consumer := r.PathValue("group"), ref
			if !fromGroup {
				group, consumer = ref, r.PathValue("consumer")
			}
			g, c, err := domain.AddMember(tx, cp, group, consumer, fromGroup)
			if err != nil {
				gr, _ := domain.Resolve(tx, cp, domain.ConsumerGroups, group)
				cr, _ := domain.Resolve(tx, cp, domain.Consumers, consumer)
				if gr != nil && cr != nil {
					clash = domain.Entity{"consumer_group": map[string]any{"id": gr.ID}, "consumer": map[string]any{"id": cr.ID}}
				}
				return err
			}
			if fromGroup {
				head = g
				others = append(others, c)
			} else {
				head = c
				others = append(others, g)
			}
		}
		var b bytes.Buffer
		if fromGroup {
			b.WriteString(`{"consumer_group":`)
			b.Write(head.Body)
			b.WriteString(`,"consumers":`)
		} else {
			b.WriteString(`{"consumer":`)
			b.Write(head.Body)
			b.WriteString(`,"consumer_groups":`)
		}
		writeBodies(&b, others)
		b.WriteByte('}')
		out = b.Bytes()
		return nil
	})
	if err != nil {
		s.fail(w, r, err, clash)
		return
	}
	writeRaw(w, http.StatusCreated, out)
}

func (s *Server) removeMembers(w http.ResponseWriter, r *http.Request, kind *domain.Kind, field, ref, otherField string, other *domain.Kind, otherRef string) {
	cp := s.cp()
	err := s.opts.Store.Write(func(tx store.Writer) error {
		return domain.RemoveMembers(tx, cp, kind, field, ref, otherField, other, otherRef)
	})
	if err != nil {
		s.fail(w, r, err, nil)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
