package identity

import (
	"net/http"
	"time"

	"github.com/google/uuid"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

func userBody(id uuid.UUID, email, fullName, preferredName string, now time.Time) client.User {
	return client.User{Id: &id, Email: ptr(openapi_types.Email(email)), FullName: &fullName, PreferredName: &preferredName,
		Active: ptr(true), InferredRegion: ptr(Region), CreatedAt: &now, UpdatedAt: &now}
}

func userFields(u client.User) map[string]string {
	return map[string]string{"id": u.Id.String(), "email": string(deref(u.Email)), "full_name": deref(u.FullName), "active": boolString(u.Active)}
}

func (s *API) ListUsers(w http.ResponseWriter, r *http.Request, _ client.ListUsersParams) {
	var users []client.User
	err := s.store.Read(func(tx store.Reader) (err error) {
		users, err = listJSON[client.User](tx, kindUsers, "", "")
		return err
	})
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	writePage(w, r, users, userFields)
}

func (s *API) getUser(w http.ResponseWriter, r *http.Request, id string) {
	var u client.User
	var found bool
	err := s.store.Read(func(tx store.Reader) (err error) {
		found, err = getJSON(tx, kindUsers, id, &u)
		return err
	})
	switch {
	case err != nil:
		s.internalError(w, r, err)
	case !found:
		notFound(w, r, "user")
	default:
		writeJSON(w, http.StatusOK, u)
	}
}

func (s *API) GetUser(w http.ResponseWriter, r *http.Request, userID client.UserId) {
	s.getUser(w, r, userID.String())
}

// GetUsersMe answers the user of the request's token. The operation takes personal access
// tokens only, so a system account's token is refused as not valid here.
func (s *API) GetUsersMe(w http.ResponseWriter, r *http.Request) {
	p := PrincipalFrom(r.Context())
	if p == nil || p.Kind != PrincipalUser {
		WriteUnauthenticated(w, r)
		return
	}
	s.getUser(w, r, p.ID)
}
