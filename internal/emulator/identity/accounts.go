package identity

import (
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

func accountFields(a client.SystemAccount) map[string]string {
	return map[string]string{"id": a.Id.String(), "name": deref(a.Name), "description": deref(a.Description), "konnect_managed": boolString(a.KonnectManaged)}
}

func putAccount(tx store.Writer, a client.SystemAccount) error {
	return putJSON(tx, kindAccounts, a.Id.String(), a, []store.Field{{Name: uniqueName, Value: deref(a.Name)}}, nil)
}

func accountNameTaken(name string) string {
	return "System account with name [" + name + "] already exists"
}

func (s *API) GetSystemAccounts(w http.ResponseWriter, r *http.Request, _ client.GetSystemAccountsParams) {
	var accounts []client.SystemAccount
	err := s.store.Read(func(tx store.Reader) (err error) {
		accounts, err = listJSON[client.SystemAccount](tx, kindAccounts, "", "")
		return err
	})
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	writePage(w, r, accounts, accountFields)
}

func (s *API) PostSystemAccounts(w http.ResponseWriter, r *http.Request) {
	var req client.CreateSystemAccountRequest
	if !decode(w, r, &req) {
		return
	}
	if req.Name == "" {
		badRequest(w, r, "name", "cannot be blank", client.Required)
		return
	}
	now := s.now().Truncate(time.Millisecond)
	a := client.SystemAccount{Id: ptr(uuid.New()), Name: &req.Name, Description: &req.Description,
		KonnectManaged: ptr(deref(req.KonnectManaged)), CreatedAt: &now, UpdatedAt: &now}
	taken := false
	err := s.store.Write(func(tx store.Writer) error {
		if _, taken = tx.ByUnique("", kindAccounts, uniqueName, req.Name); taken {
			return nil
		}
		return putAccount(tx, a)
	})
	switch {
	case err != nil:
		s.internalError(w, r, err)
	case taken:
		conflict(w, r, accountNameTaken(req.Name))
	default:
		writeJSON(w, http.StatusCreated, a)
	}
}

func (s *API) GetSystemAccountsId(w http.ResponseWriter, r *http.Request, accountID client.AccountId) {
	var a client.SystemAccount
	var found bool
	err := s.store.Read(func(tx store.Reader) (err error) {
		found, err = getJSON(tx, kindAccounts, accountID, &a)
		return err
	})
	switch {
	case err != nil:
		s.internalError(w, r, err)
	case !found:
		notFound(w, r, "system account")
	default:
		writeJSON(w, http.StatusOK, a)
	}
}

func (s *API) PatchSystemAccountsId(w http.ResponseWriter, r *http.Request, accountID client.AccountId) {
	var req client.UpdateSystemAccountRequest
	if !decode(w, r, &req) {
		return
	}
	var a client.SystemAccount
	var found, taken bool
	err := s.store.Write(func(tx store.Writer) (err error) {
		if found, err = getJSON(tx, kindAccounts, accountID, &a); !found || err != nil {
			return err
		}
		if req.Name != nil && *req.Name != deref(a.Name) {
			if _, taken = tx.ByUnique("", kindAccounts, uniqueName, *req.Name); taken {
				return nil
			}
			a.Name = req.Name
		}
		if req.Description != nil {
			a.Description = req.Description
		}
		a.UpdatedAt = ptr(s.now().Truncate(time.Millisecond))
		return putAccount(tx, a)
	})
	switch {
	case err != nil:
		s.internalError(w, r, err)
	case !found:
		notFound(w, r, "system account")
	case taken:
		conflict(w, r, accountNameTaken(*req.Name))
	default:
		writeJSON(w, http.StatusOK, a)
	}
}

func (s *API) DeleteSystemAccountsId(w http.ResponseWriter, r *http.Request, accountID client.AccountId) {
	found := false
	err := s.store.Write(func(tx store.Writer) error {
		if _, found = tx.Get("", kindAccounts, accountID); !found {
			return nil
		}
		// Its tokens stop working, and its memberships, roles and ownerships go with it.
		deleteReferrers(tx, kindTokens, refAccount, accountID)
		deleteReferrers(tx, kindMembers, refMember, accountID)
		deleteReferrers(tx, kindAssignments, refPrincipal, accountID)
		deleteReferrers(tx, kindOwnerships, refPrincipal, accountID)
		tx.Delete("", kindAccounts, accountID)
		return nil
	})
	switch {
	case err != nil:
		s.internalError(w, r, err)
	case !found:
		notFound(w, r, "system account")
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}
