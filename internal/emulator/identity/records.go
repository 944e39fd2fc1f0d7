package identity

import (
	"encoding/json"
	"fmt"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// Store kinds of the identity API. They live outside control planes (cp "").
const (
	kindUsers       = "identity-users"
	kindTeams       = "identity-teams"
	kindMembers     = "identity-team-members"
	kindAccounts    = "identity-system-accounts"
	kindTokens      = "identity-access-tokens"
	kindAssignments = "identity-role-assignments"
	// kindOwnerships records who created a control plane (the Creator role makes its creator
	// the control plane's admin); the record id is the control plane's id.
	kindOwnerships = "identity-ownerships"
)

// Unique indexes and reference fields.
const (
	uniqueName       = "name"       // system accounts: name; tokens: account id + "/" + name
	uniqueHash       = "hash"       // tokens: hex SHA-256 of the token
	uniqueAssignment = "assignment" // role assignments: principal and the four fields
	refTeam          = "team"
	refMember        = "member"
	refAccount       = "account"
	refPrincipal     = "principal"
)

// putJSON stores v as the record's body.
func putJSON(tx store.Writer, kind, id string, v any, unique []store.Field, refs []store.Ref) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding %s %s: %w", kind, id, err)
	}
	tx.Put("", kind, &store.Record{ID: id, Body: body, Unique: unique, Refs: refs})
	return nil
}

// getJSON reads a record's body into v; false when there is no such record.
func getJSON(tx store.Reader, kind, id string, v any) (bool, error) {
	rec, ok := tx.Get("", kind, id)
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal(rec.Body, v); err != nil {
		return false, fmt.Errorf("decoding %s %s: %w", kind, id, err)
	}
	return true, nil
}

// listJSON decodes every record of a kind (optionally only those whose ref field points at
// refID) in id order.
func listJSON[T any](tx store.Reader, kind, refField, refID string) ([]T, error) {
	records, _ := tx.List("", kind, store.Query{RefField: refField, RefID: refID})
	out := make([]T, 0, len(records))
	for _, rec := range records {
		var v T
		if err := json.Unmarshal(rec.Body, &v); err != nil {
			return nil, fmt.Errorf("decoding %s %s: %w", kind, rec.ID, err)
		}
		out = append(out, v)
	}
	return out, nil
}
