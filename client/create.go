package client

import (
	"context"

	"github.com/google/uuid"
)

// NewID returns a fresh entity id for a client-chosen create.
func NewID() string { return uuid.NewString() }

// Create makes a core entity under an id chosen here, through the entity's PUT (upsert) call,
// and returns that id with the answer. A PUT to the same id is idempotent, so the retries the
// client makes after a lost answer can never leave two entities: this is the way to create.
//
//	id, r, err := client.Create(ctx, c.UpsertConsumerWithResponse, cpID, client.Consumer{Username: &name})
func Create[B, R any](ctx context.Context,
	upsert func(ctx context.Context, cpID ControlPlaneId, id string, body B, reqEditors ...RequestEditorFn) (R, error),
	cpID ControlPlaneId, body B,
) (string, R, error) {
	id := NewID()
	r, err := upsert(ctx, cpID, id, body)
	return id, r, err
}

// CreateUnder is Create for entities nested under a parent (a consumer's credentials, an
// upstream's targets, a key set's keys...).
//
//	id, r, err := client.CreateUnder(ctx, c.UpsertKeyAuthWithConsumerWithResponse, cpID, consumerID, client.KeyAuthWithoutParents{})
func CreateUnder[B, R any](ctx context.Context,
	upsert func(ctx context.Context, cpID ControlPlaneId, parentID string, id string, body B, reqEditors ...RequestEditorFn) (R, error),
	cpID ControlPlaneId, parentID string, body B,
) (string, R, error) {
	id := NewID()
	r, err := upsert(ctx, cpID, parentID, id, body)
	return id, r, err
}
