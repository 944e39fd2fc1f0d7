package identity

import (
	"crypto/rand"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// tokenAlphabet and tokenLength shape a token's random part, as in spat_ + 50 letters and digits.
const (
	tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	tokenLength   = 50
)

// storedToken is an access token as kept: never its value, only the hash index of the record.
type storedToken struct {
	client.SystemAccountAccessToken
	AccountID string `json:"account_id"`
}

func tokenFields(t client.SystemAccountAccessToken) map[string]string {
	return map[string]string{"id": t.Id.String(), "name": deref(t.Name)}
}

// newTokenValue draws a token: spat_ and 50 characters from crypto/rand.
func newTokenValue() string {
	out := make([]byte, 0, tokenLength)
	buf := make([]byte, tokenLength)
	// Bytes beyond the last whole multiple of the alphabet are drawn again, so that every
	// character is equally likely.
	limit := 256 - 256%len(tokenAlphabet)
	for len(out) < tokenLength {
		_, _ = rand.Read(buf) // never fails (crypto/rand panics rather than return an error)
		for _, b := range buf {
			if int(b) < limit && len(out) < tokenLength {
				out = append(out, tokenAlphabet[int(b)%len(tokenAlphabet)])
			}
		}
	}
	return SystemAccountTokenPrefix + string(out)
}

func putToken(tx store.Writer, t storedToken, hash string) error {
	return putJSON(tx, kindTokens, t.Id.String(), t,
		[]store.Field{{Name: uniqueHash, Value: hash}, {Name: uniqueName, Value: t.AccountID + "/" + deref(t.Name)}},
		[]store.Ref{{Field: refAccount, Kind: kindAccounts, ID: t.AccountID}})
}

func tokenNameTaken(name string) string {
	return "Access token with name [" + name + "] already exists for this system account"
}

// readToken reads a token of an account; missing says what is not there.
func readToken(tx store.Reader, accountID, tokenID string) (t storedToken, rec *store.Record, missing string, err error) {
	if _, ok := tx.Get("", kindAccounts, accountID); !ok {
		return t, nil, "system account", nil
	}
	rec, ok := tx.Get("", kindTokens, tokenID)
	if !ok {
		return t, nil, "access token", nil
	}
	if _, err := getJSON(tx, kindTokens, tokenID, &t); err != nil {
		return t, nil, "", err
	}
	if t.AccountID != accountID {
		return t, nil, "access token", nil
	}
	return t, rec, "", nil
}

func (s *API) GetSystemAccountIdAccessTokens(w http.ResponseWriter, r *http.Request, accountID client.AccountId, _ client.GetSystemAccountIdAccessTokensParams) {
	var tokens []client.SystemAccountAccessToken
	found := false
	err := s.store.Read(func(tx store.Reader) error {
		if _, found = tx.Get("", kindAccounts, accountID); !found {
			return nil
		}
		stored, err := listJSON[storedToken](tx, kindTokens, refAccount, accountID)
		for _, t := range stored {
			tokens = append(tokens, t.SystemAccountAccessToken)
		}
		return err
	})
	switch {
	case err != nil:
		s.internalError(w, r, err)
	case !found:
		notFound(w, r, "system account")
	default:
		writePage(w, r, tokens, tokenFields)
	}
}

func (s *API) PostSystemAccountsIdAccessTokens(w http.ResponseWriter, r *http.Request, accountID client.AccountId) {
	var req client.CreateSystemAccountAccessTokenRequest
	if !decode(w, r, &req) {
		return
	}
	now := s.now().Truncate(time.Millisecond)
	switch {
	case req.Name == "":
		badRequest(w, r, "name", "cannot be blank", client.Required)
		return
	case !req.ExpiresAt.After(now):
		badRequest(w, r, "expires_at", "must be in the future", client.Invalid)
		return
	}
	value := newTokenValue()
	expires := req.ExpiresAt.UTC()
	t := storedToken{AccountID: accountID, SystemAccountAccessToken: client.SystemAccountAccessToken{
		Id: ptr(uuid.New()), Name: &req.Name, ExpiresAt: &expires, CreatedAt: &now, UpdatedAt: &now}}
	found, taken := false, false
	err := s.store.Write(func(tx store.Writer) error {
		if _, found = tx.Get("", kindAccounts, accountID); !found {
			return nil
		}
		if _, taken = tx.ByUnique("", kindTokens, uniqueName, accountID+"/"+req.Name); taken {
			return nil
		}
		return putToken(tx, t, tokenHash(value))
	})
	switch {
	case err != nil:
		s.internalError(w, r, err)
	case !found:
		notFound(w, r, "system account")
	case taken:
		conflict(w, r, tokenNameTaken(req.Name))
	default:
		// The one time the value is shown.
		writeJSON(w, http.StatusCreated, client.SystemAccountAccessTokenCreated{Id: t.Id, Name: t.Name, CreatedAt: t.CreatedAt,
			UpdatedAt: t.UpdatedAt, ExpiresAt: t.ExpiresAt, Token: &value})
	}
}

func (s *API) GetSystemAccountsIdAccessTokensId(w http.ResponseWriter, r *http.Request, accountID client.AccountId, tokenID client.TokenId) {
	var t storedToken
	var missing string
	err := s.store.Read(func(tx store.Reader) (err error) {
		t, _, missing, err = readToken(tx, accountID, tokenID)
		return err
	})
	switch {
	case err != nil:
		s.internalError(w, r, err)
	case missing != "":
		notFound(w, r, missing)
	default:
		writeJSON(w, http.StatusOK, t.SystemAccountAccessToken)
	}
}

func (s *API) PatchSystemAccountsIdAccessTokensId(w http.ResponseWriter, r *http.Request, accountID client.AccountId, tokenID client.TokenId) {
	var req client.UpdateSystemAccountAccessTokenRequest
	if !decode(w, r, &req) {
		return
	}
	if req.Name == "" {
		badRequest(w, r, "name", "cannot be blank", client.Required)
		return
	}
	var t storedToken
	var missing string
	taken := false
	err := s.store.Write(func(tx store.Writer) error {
		var rec *store.Record
		var err error
		if t, rec, missing, err = readToken(tx, accountID, tokenID); missing != "" || err != nil {
			return err
		}
		if req.Name != deref(t.Name) {
			if _, taken = tx.ByUnique("", kindTokens, uniqueName, accountID+"/"+req.Name); taken {
				return nil
			}
		}
		t.Name = &req.Name
		t.UpdatedAt = ptr(s.now().Truncate(time.Millisecond))
		hash := ""
		for _, f := range rec.Unique {
			if f.Name == uniqueHash {
				hash = f.Value
			}
		}
		return putToken(tx, t, hash)
	})
	switch {
	case err != nil:
		s.internalError(w, r, err)
	case missing != "":
		notFound(w, r, missing)
	case taken:
		conflict(w, r, tokenNameTaken(req.Name))
	default:
		writeJSON(w, http.StatusOK, t.SystemAccountAccessToken)
	}
}

func (s *API) DeleteSystemAccountsIdAccessTokensId(w http.ResponseWriter, r *http.Request, accountID client.AccountId, tokenID client.TokenId) {
	var missing string
	err := s.store.Write(func(tx store.Writer) (err error) {
		if _, _, missing, err = readToken(tx, accountID, tokenID); missing != "" || err != nil {
			return err
		}
		tx.Delete("", kindTokens, tokenID)
		return nil
	})
	switch {
	case err != nil:
		s.internalError(w, r, err)
	case missing != "":
		notFound(w, r, missing)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}
