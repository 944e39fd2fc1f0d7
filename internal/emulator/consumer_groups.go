package emulator

// Consumer groups and their members.

import (
	"bytes"
	"net/http"
	"slices"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// GetConsumerGroup answers Konnect's wrapper {"consumer_group": {...}}, with the members under
// "consumers" when list_consumers=true.
func (s *Server) GetConsumerGroup(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, id client.ConsumerGroupId, params client.GetConsumerGroupParams) {
	_ = s.store.Read(func(tx store.Reader) error {
		if !domain.ControlPlaneExists(tx, cp.String()) {
			writeAPIError(w, notFound())
			return nil
		}
		rec, ok := domain.Resolve(tx, cp.String(), domain.ConsumerGroups, id)
		if !ok {
			writeAPIError(w, notFound())
			return nil
		}
		var b bytes.Buffer
		b.WriteString(`{"consumer_group":`)
		b.Write(rec.Body)
		if params.ListConsumers != nil && *params.ListConsumers {
			b.WriteString(`,"consumers":`)
			writeBodies(&b, domain.Members(tx, cp.String(), "consumer_group", rec.ID, domain.Consumers, "consumer"))
		}
		b.WriteByte('}')
		writeRawJSON(w, http.StatusOK, b.Bytes())
		return nil
	})
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

// addMember links a consumer and a group, both given by id or by name, and answers with the
// side named in the path and a one-element list of the other side.
func (s *Server) addMember(w http.ResponseWriter, r *http.Request, cp, groupRef, consumerRef string, fromGroup bool) {
	var out []byte
	err := s.store.Write(func(tx store.Writer) error {
		group, consumer, err := domain.AddMember(tx, cp, groupRef, consumerRef, fromGroup)
		if err != nil {
			return err
		}
		var b bytes.Buffer
		if fromGroup {
			b.WriteString(`{"consumer_group":`)
			b.Write(group.Body)
			b.WriteString(`,"consumers":[`)
			b.Write(consumer.Body)
		} else {
			b.WriteString(`{"consumer":`)
			b.Write(consumer.Body)
			b.WriteString(`,"consumer_groups":[`)
			b.Write(group.Body)
		}
		b.WriteString("]}")
		out = b.Bytes()
		return nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeRawJSON(w, http.StatusCreated, out)
}

// removeMembers deletes the memberships of one side, or only the one with the other side.
func (s *Server) removeMembers(w http.ResponseWriter, r *http.Request, cp string, kind *domain.Kind, field, ref, otherField string, other *domain.Kind, otherRef string) {
	err := s.store.Write(func(tx store.Writer) error {
		return domain.RemoveMembers(tx, cp, kind, field, ref, otherField, other, otherRef)
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// listMembers pages over one side's memberships and answers the other side's entities.
func (s *Server) listMembers(w http.ResponseWriter, r *http.Request, cp string, kind *domain.Kind, field, ref string, other *domain.Kind, otherField string) {
	q, aerr := pageQuery(r)
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	_ = s.store.Read(func(tx store.Reader) error {
		if !domain.ControlPlaneExists(tx, cp) {
			writeAPIError(w, notFound())
			return nil
		}
		rec, ok := domain.Resolve(tx, cp, kind, ref)
		if !ok {
			writeAPIError(w, notFound())
			return nil
		}
		tags := q.Tags
		q.Tags, q.RefField, q.RefID = nil, field, rec.ID
		links, more := tx.List(cp, domain.ConsumerGroupMembers.Name, q)
		page := make([]*store.Record, 0, len(links))
		for _, l := range links {
			for _, lr := range l.Refs {
				if lr.Field != otherField {
					continue
				}
				if o, ok := tx.Get(cp, other.Name, lr.ID); ok && matchesAnyTags(o.Tags, tags) {
					// The page's offset is the membership's id, so carry it on the record.
					page = append(page, &store.Record{ID: l.ID, Body: o.Body})
				}
			}
		}
		writeRawJSON(w, http.StatusOK, listBody(r, page, more))
		return nil
	})
}

func matchesAnyTags(have []string, filter [][]string) bool {
	if len(filter) == 0 {
		return true
	}
	for _, all := range filter {
		ok := true
		for _, t := range all {
			if !slices.Contains(have, t) {
				ok = false
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// memberBody reads {"consumer": "..."} or {"group": "..."}.
func memberBody(r *http.Request, field string) (string, *apiError) {
	e, aerr := decodeEntity(r)
	if aerr != nil {
		return "", aerr
	}
	v, _ := e[field].(string)
	if v == "" {
		return "", fieldError(field, "required field missing")
	}
	return v, nil
}

func (s *Server) AddConsumerToGroup(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, group client.ConsumerGroupIdManageConsumers) {
	consumer, aerr := memberBody(r, "consumer")
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	s.addMember(w, r, cp.String(), group, consumer, true)
}

func (s *Server) AddConsumerToSpecificConsumerGroup(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumer client.ConsumerId) {
	group, aerr := memberBody(r, "group")
	if aerr != nil {
		writeAPIError(w, aerr)
		return
	}
	s.addMember(w, r, cp.String(), group, consumer, false)
}

func (s *Server) ListConsumersForConsumerGroup(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, group client.ConsumerGroupIdManageConsumers, _ client.ListConsumersForConsumerGroupParams) {
	s.listMembers(w, r, cp.String(), domain.ConsumerGroups, "consumer_group", group, domain.Consumers, "consumer")
}

func (s *Server) ListConsumerGroupsForConsumer(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumer client.ConsumerId, _ client.ListConsumerGroupsForConsumerParams) {
	s.listMembers(w, r, cp.String(), domain.Consumers, "consumer", consumer, domain.ConsumerGroups, "consumer_group")
}

func (s *Server) RemoveAllConsumersFromConsumerGroup(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, group client.ConsumerGroupIdManageConsumers) {
	s.removeMembers(w, r, cp.String(), domain.ConsumerGroups, "consumer_group", group, "", nil, "")
}

func (s *Server) RemoveConsumerFromGroup(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, group client.ConsumerGroupIdManageConsumers, consumer string) {
	s.removeMembers(w, r, cp.String(), domain.ConsumerGroups, "consumer_group", group, "consumer", domain.Consumers, consumer)
}

func (s *Server) RemoveConsumerFromAllConsumerGroups(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumer client.ConsumerId) {
	s.removeMembers(w, r, cp.String(), domain.Consumers, "consumer", consumer, "", nil, "")
}

func (s *Server) RemoveConsumerFromConsumerGroup(w http.ResponseWriter, r *http.Request, cp client.ControlPlaneId, consumer client.ConsumerId, group client.ConsumerGroupId) {
	s.removeMembers(w, r, cp.String(), domain.Consumers, "consumer", consumer, "consumer_group", domain.ConsumerGroups, group)
}
