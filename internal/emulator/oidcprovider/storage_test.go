package oidcprovider

import (
	"context"
	"testing"

	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// op reads the authorization requests it gets without the realm's lock, so what it gets must
// not change when the user's login completes the stored request.
func TestAuthRequestsAreHandedOutAsCopies(t *testing.T) {
	r, err := newRealm("copies", "http://127.0.0.1:1/realms/copies", RealmSettings{})
	if err != nil {
		t.Fatal(err)
	}
	r.clients["web"] = &Client{ID: "web", Secret: "s", RedirectURIs: []string{"http://app/cb"}, GrantTypes: []string{GrantAuthorizationCode}}
	ctx := context.Background()
	created, err := r.CreateAuthRequest(ctx, &oidc.AuthRequest{ClientID: "web", RedirectURI: "http://app/cb", ResponseType: oidc.ResponseTypeCode,
		Scopes: oidc.SpaceDelimitedArray{oidc.ScopeOpenID}, CodeChallenge: "challenge", CodeChallengeMethod: oidc.CodeChallengeMethodS256}, "")
	if err != nil {
		t.Fatal(err)
	}
	id := created.GetID()
	if err := r.SaveAuthCode(ctx, id, "the-code"); err != nil {
		t.Fatal(err)
	}
	byID, err := r.AuthRequestByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	byCode, err := r.AuthRequestByCode(ctx, "the-code")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.completeLogin(id, "alice"); err != nil {
		t.Fatal(err)
	}
	for name, held := range map[string]interface {
		Done() bool
		GetSubject() string
	}{"by id": byID, "by code": byCode} {
		if held.Done() || held.GetSubject() != "" {
			t.Fatalf("the request handed out %s changed under its reader: done %v, subject %q", name, held.Done(), held.GetSubject())
		}
	}
	now, err := r.AuthRequestByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !now.Done() || now.GetSubject() != "alice" || now.GetCodeChallenge().Challenge != "challenge" {
		t.Fatalf("after the login: done %v, subject %q, challenge %+v", now.Done(), now.GetSubject(), now.GetCodeChallenge())
	}
}
