package identity

import (
	"context"
	"slices"
)

// PrincipalKind says whose token a request carries.
type PrincipalKind string

// The principals Konnect knows.
const (
	PrincipalUser          PrincipalKind = "user"
	PrincipalSystemAccount PrincipalKind = "system_account"
)

// Grant is one role on one entity (or on every entity of its type, EntityID "*").
type Grant struct {
	Role       string
	EntityType string
	EntityID   string
	Region     string
}

// Principal is who a request acts as, with every role it holds: its own, its teams', and
// admin of what it created with a Creator role.
type Principal struct {
	Kind PrincipalKind
	ID   string
	// owner is the organization owner (the start-up tokens); orgAdmin a member of the
	// Organization Admin team. Both may do everything.
	owner    bool
	orgAdmin bool
	grants   []Grant
}

// AllowsEverything tells the organization owner and the Organization Admin team's members.
func (p *Principal) AllowsEverything() bool { return p.owner || p.orgAdmin }

// Grants are the principal's roles (a copy).
func (p *Principal) Grants() []Grant { return slices.Clone(p.grants) }

// Has tells whether one of the roles is granted on the entity, in the emulator's region.
func (p *Principal) Has(entityType, entityID string, roles ...string) bool {
	if p.AllowsEverything() {
		return true
	}
	for _, g := range p.grants {
		if g.EntityType == entityType && (g.EntityID == "*" || g.EntityID == entityID) &&
			(g.Region == "*" || g.Region == Region) && slices.Contains(roles, g.Role) {
			return true
		}
	}
	return false
}

// Sees tells whether any role other than Creator is granted on the entity: every such role
// lets its holder read the entity and everything in it.
func (p *Principal) Sees(entityType, entityID string) bool {
	return p.Has(entityType, entityID, readingRoles(entityType)...)
}

// MayCreate tells whether the principal may create entities of the type (the Creator role).
func (p *Principal) MayCreate(entityType string) bool {
	if p.AllowsEverything() {
		return true
	}
	return slices.ContainsFunc(p.grants, func(g Grant) bool {
		return g.EntityType == entityType && g.Role == RoleCreator && (g.Region == "*" || g.Region == Region)
	})
}

type principalKey struct{}

// WithPrincipal puts the request's principal in its context.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom is the principal the emulator authenticated; nil outside an API request.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
