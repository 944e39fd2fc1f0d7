package emulator_test

import (
	"crypto/sha1" //nolint:gosec // Kong's basic-auth hash, recomputed to check it.
	"encoding/hex"
	"net/http"
	"testing"
)

// A password is always hashed, even one that looks like the stored hash (Konnect does not
// tell them apart).
func TestBasicAuthPasswordIsAlwaysHashed(t *testing.T) {
	t.Parallel()
	h := start(t)
	_, c := h.raw(http.MethodPost, h.core("/consumers"), `{"username":"hash"}`)
	cid := c["id"].(string)
	sha := func(s string) string { sum := sha1.Sum([]byte(s + cid)); return hex.EncodeToString(sum[:]) } //nolint:gosec // Kong's hash
	_, cred := h.raw(http.MethodPost, h.core("/consumers/"+cid+"/basic-auth"), `{"username":"hash","password":"pw"}`)
	stored := cred["password"].(string)
	if stored != sha("pw") {
		t.Fatalf("stored %q, want sha1(pw .. consumer id)", stored)
	}
	status, again := h.raw(http.MethodPut, h.core("/consumers/"+cid+"/basic-auth/"+cred["id"].(string)), `{"username":"hash","password":"`+stored+`"}`)
	if status != http.StatusOK || again["password"] != sha(stored) {
		t.Fatalf("PUT with the stored hash: %d %v, want the hash of the hash", status, again)
	}
}
