package domain

import (
	"strings"

	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// Consumer group membership: a record of ConsumerGroupMembers links a consumer and a group,
// and goes with either of them.

// membershipNamespace derives a membership's id from its two ends.
var membershipNamespace = uuid.MustParse("6f1c3a52-2b7e-4f8e-9a55-3c1d9e0b7a41")

// memberKey is the unique key of a membership.
var memberKey = strings.Join(ConsumerGroupMembers.Unique[0].Fields, ",")

// AddMember links a consumer and a group, each given by id or by name. The one named in the
// path (the group when groupInPath) is NotFound when missing; the other one, named in the
// body, is a ForeignKeyViolation of its body field (group or consumer).
func AddMember(tx store.Writer, cp, groupRef, consumerRef string, groupInPath bool) (group, consumer *store.Record, err error) {
	if !ControlPlaneExists(tx, cp) {
		return nil, nil, &NotFound{Kind: ControlPlanes, ID: cp}
	}
	missing := func(k *Kind, field, ref string, inPath bool) error {
		if inPath {
			return &NotFound{Kind: k.Name, ID: ref}
		}
		return &ForeignKeyViolation{Kind: ConsumerGroupMembers.Name, Field: field, Value: ref, Target: k.Name}
	}
	group, ok := Resolve(tx, cp, ConsumerGroups, groupRef)
	if !ok {
		return nil, nil, missing(ConsumerGroups, "group", groupRef, groupInPath)
	}
	consumer, ok = Resolve(tx, cp, Consumers, consumerRef)
	if !ok {
		return nil, nil, missing(Consumers, "consumer", consumerRef, !groupInPath)
	}
	value := group.ID + "\x00" + consumer.ID
	if _, exists := tx.ByUnique(cp, ConsumerGroupMembers.Name, memberKey, value); exists {
		return nil, nil, &UniqueViolation{Kind: ConsumerGroupMembers.Name, Field: "consumer", Value: consumer.ID}
	}
	tx.Put(cp, ConsumerGroupMembers.Name, &store.Record{
		ID:     uuid.NewSHA1(membershipNamespace, []byte(value)).String(),
		Unique: []store.Field{{Name: memberKey, Value: value}},
		Refs: []store.Ref{
			{Field: "consumer_group", Kind: ConsumerGroups.Name, ID: group.ID},
			{Field: "consumer", Kind: Consumers.Name, ID: consumer.ID},
		},
	})
	return group, consumer, nil
}

// RemoveMembers deletes the memberships of one side (kind's entity named by ref, pointed at
// by field), or only the one with the other side when otherRef is set.
func RemoveMembers(tx store.Writer, cp string, kind *Kind, field, ref, otherField string, other *Kind, otherRef string) error {
	if !ControlPlaneExists(tx, cp) {
		return &NotFound{Kind: ControlPlanes, ID: cp}
	}
	rec, ok := Resolve(tx, cp, kind, ref)
	if !ok {
		return &NotFound{Kind: kind.Name, ID: ref}
	}
	otherID := ""
	if otherRef != "" {
		o, ok := Resolve(tx, cp, other, otherRef)
		if !ok {
			return &NotFound{Kind: other.Name, ID: otherRef}
		}
		otherID = o.ID
	}
	links, _ := tx.List(cp, ConsumerGroupMembers.Name, store.Query{RefField: field, RefID: rec.ID})
	for _, l := range links {
		if otherID == "" || HasRef(l, otherField, otherID) {
			tx.Delete(cp, ConsumerGroupMembers.Name, l.ID)
		}
	}
	return nil
}

// HasRef tells whether a record's reference field points at id.
func HasRef(rec *store.Record, field, id string) bool {
	for _, ref := range rec.Refs {
		if ref.Field == field && ref.ID == id {
			return true
		}
	}
	return false
}

// Members follows consumer-group memberships from one side (field = id) to the entities of the
// other side (otherField, of kind other), in membership order. Both APIs list members with it.
func Members(tx store.Reader, cp, field, id string, other *Kind, otherField string) []*store.Record {
	links, _ := tx.List(cp, ConsumerGroupMembers.Name, store.Query{RefField: field, RefID: id})
	out := make([]*store.Record, 0, len(links))
	for _, l := range links {
		for _, ref := range l.Refs {
			if ref.Field != otherField {
				continue
			}
			if rec, ok := tx.Get(cp, other.Name, ref.ID); ok {
				out = append(out, rec)
			}
		}
	}
	return out
}
