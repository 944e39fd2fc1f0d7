// Package identity is the emulator's Konnect Identity API (/v3): users, teams, system
// accounts, their access tokens and role assignments, kept in the emulator's store. It also
// says who a request's token belongs to (Authenticate) and what that principal may do
// (Principal), which the emulator enforces on every API it serves.
package identity

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// Region is the Konnect region the emulator plays: role assignments apply when their
// entity_region is this one or "*".
const Region = "us"

// API serves the identity API over a store.
type API struct {
	store  store.Store
	logger *slog.Logger
	// startup are the hashes of the tokens the emulator was started with; they belong to the
	// organization owner.
	startup [][sha256.Size]byte
	ownerID uuid.UUID
	// lastUsed throttles last_used_at writes: one per token per minute is enough to show use.
	lastUsedMu sync.Mutex
	lastUsed   map[string]time.Time
	now        func() time.Time
}

var _ ServerInterface = (*API)(nil)

// NewAPI builds the identity API over st. startupTokens are the tokens of the organization owner
// (they are kept hashed only).
func NewAPI(st store.Store, startupTokens []string, logger *slog.Logger) *API {
	s := &API{store: st, logger: logger, ownerID: uuid.New(), lastUsed: map[string]time.Time{}, now: func() time.Time { return time.Now().UTC() }}
	for _, t := range startupTokens {
		s.startup = append(s.startup, sha256.Sum256([]byte(t)))
	}
	return s
}

// OwnerID is the id of the organization owner, the user of the start-up tokens.
func (s *API) OwnerID() string { return s.ownerID.String() }

// Register routes the identity operations on mux; errorHandler answers parameters the router
// cannot bind.
func (s *API) Register(mux *http.ServeMux, errorHandler func(http.ResponseWriter, *http.Request, error)) {
	HandlerWithOptions(s, StdHTTPServerOptions{BaseRouter: mux, ErrorHandlerFunc: errorHandler})
}

// Seed creates what an organization has from the start: its owner and the Organization Admin
// team the owner belongs to. It is a no-op when they exist (after a reset it recreates them).
func (s *API) Seed() error {
	return s.store.Write(func(tx store.Writer) error {
		if _, ok := tx.Get("", kindUsers, s.OwnerID()); ok {
			return nil
		}
		now := s.now().Truncate(time.Millisecond)
		owner := userBody(s.ownerID, "owner@konnect.localhost", "Organization Owner", "owner", now)
		if err := putJSON(tx, kindUsers, s.OwnerID(), owner, nil, nil); err != nil {
			return err
		}
		team := newTeam(OrganizationAdminTeam, "Every permission in the organization.", nil, true, now)
		if err := putTeam(tx, team); err != nil {
			return err
		}
		return addMember(tx, team.Id.String(), s.OwnerID(), memberUser)
	})
}

// OrganizationAdminTeam is the system team whose members may do everything.
const OrganizationAdminTeam = "Organization Admin"

// isStartupToken compares a presented token with the start-up tokens in constant time.
func (s *API) isStartupToken(token string) bool {
	presented := sha256.Sum256([]byte(token))
	match := 0
	for _, accepted := range s.startup {
		match |= subtle.ConstantTimeCompare(accepted[:], presented[:])
	}
	return match == 1
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}
