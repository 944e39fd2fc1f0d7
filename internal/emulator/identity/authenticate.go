package identity

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// SystemAccountTokenPrefix starts every system account access token.
const SystemAccountTokenPrefix = "spat_"

// tokenHash is how a system account token is found: the hex SHA-256 of its value. Tokens are
// long random strings, so a fast hash is enough, and the value itself is never stored.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Authenticate finds the principal of a bearer token: the organization owner for the start-up
// tokens, a system account for one of its access tokens that has not expired. False for any
// other token (unknown, expired, deleted, or one whose account is gone).
func (s *API) Authenticate(token string) (*Principal, bool) {
	if token == "" {
		return nil, false
	}
	if s.isStartupToken(token) {
		return &Principal{Kind: PrincipalUser, ID: s.OwnerID(), owner: true}, true
	}
	if !strings.HasPrefix(token, SystemAccountTokenPrefix) {
		return nil, false
	}
	hash := tokenHash(token)
	var p *Principal
	var tokenID string
	err := s.store.Read(func(tx store.Reader) error {
		rec, ok := tx.ByUnique("", kindTokens, uniqueHash, hash)
		if !ok {
			return nil
		}
		var stored storedToken
		if ok, err := getJSON(tx, kindTokens, rec.ID, &stored); !ok || err != nil {
			return err
		}
		if stored.ExpiresAt != nil && !s.now().Before(*stored.ExpiresAt) {
			return nil
		}
		if _, ok := tx.Get("", kindAccounts, stored.AccountID); !ok {
			return nil
		}
		var err error
		p, err = principalOf(tx, PrincipalSystemAccount, stored.AccountID)
		tokenID = rec.ID
		return err
	})
	if err != nil {
		s.logger.Error("identity: reading a token's principal", "error", err)
		return nil, false
	}
	if p == nil {
		return nil, false
	}
	s.noteUse(tokenID)
	return p, true
}

// principalOf gathers a principal's roles: its own assignments, those of its teams, and
// admin of what it created with a Creator role. Membership of the Organization Admin team
// allows everything.
func principalOf(tx store.Reader, kind PrincipalKind, id string) (*Principal, error) {
	p := &Principal{Kind: kind, ID: id}
	holders := []string{id}
	memberships, err := listJSON[membership](tx, kindMembers, refMember, id)
	if err != nil {
		return nil, err
	}
	for _, m := range memberships {
		var team client.Team
		if ok, err := getJSON(tx, kindTeams, m.TeamID, &team); err != nil {
			return nil, err
		} else if !ok {
			continue
		}
		if deref(team.SystemTeam) && team.Name == OrganizationAdminTeam {
			p.orgAdmin = true
		}
		holders = append(holders, m.TeamID)
	}
	for _, holder := range holders {
		assigned, err := listJSON[client.AssignedRole](tx, kindAssignments, refPrincipal, holder)
		if err != nil {
			return nil, err
		}
		for _, a := range assigned {
			p.grants = append(p.grants, Grant{Role: deref(a.RoleName), EntityType: deref(a.EntityTypeName), EntityID: deref(a.EntityId), Region: string(deref(a.EntityRegion))})
		}
	}
	owned, err := listJSON[ownership](tx, kindOwnerships, refPrincipal, id)
	if err != nil {
		return nil, err
	}
	for _, o := range owned {
		p.grants = append(p.grants, Grant{Role: RoleAdmin, EntityType: o.EntityType, EntityID: o.EntityID, Region: "*"})
	}
	return p, nil
}

// ownership records that a principal created an entity with its Creator role.
type ownership struct {
	EntityType  string `json:"entity_type"`
	EntityID    string `json:"entity_id"`
	PrincipalID string `json:"principal_id"`
}

// RecordCreation makes the principal admin of an entity it created, as Konnect makes a
// Creator the owner of what it creates. The owner and organization admins need no record.
func (s *API) RecordCreation(p *Principal, entityType, entityID string) error {
	if p == nil || p.AllowsEverything() {
		return nil
	}
	err := s.store.Write(func(tx store.Writer) error {
		return putJSON(tx, kindOwnerships, entityID, ownership{EntityType: entityType, EntityID: entityID, PrincipalID: p.ID}, nil,
			[]store.Ref{{Field: refPrincipal, Kind: kindAccounts, ID: p.ID}})
	})
	return wrap(fmt.Sprintf("recording the creator of %s %s", entityType, entityID), err)
}

// noteUse sets a token's last_used_at, at most once a minute per token.
func (s *API) noteUse(tokenID string) {
	now := s.now()
	s.lastUsedMu.Lock()
	last, seen := s.lastUsed[tokenID]
	if seen && now.Sub(last) < time.Minute {
		s.lastUsedMu.Unlock()
		return
	}
	s.lastUsed[tokenID] = now
	s.lastUsedMu.Unlock()
	err := s.store.Write(func(tx store.Writer) error {
		rec, ok := tx.Get("", kindTokens, tokenID)
		if !ok {
			return nil
		}
		var stored storedToken
		if _, err := getJSON(tx, kindTokens, tokenID, &stored); err != nil {
			return err
		}
		at := now.Truncate(time.Second)
		stored.LastUsedAt = &at
		return putJSON(tx, kindTokens, tokenID, stored, rec.Unique, rec.Refs)
	})
	if err != nil {
		s.logger.Error("identity: noting a token's use", "error", err)
	}
}
