package opa

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/open-policy-agent/opa/v1/ast"
)

func readPolicy(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// token signs an HS256 JWT with key "secret", valid from a minute ago for validFor.
func token(t testing.TB, role string, validFor time.Duration) string {
	t.Helper()
	now := time.Now()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"role": role, "nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(validFor).Unix(),
	}).SignedString([]byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func compile(t testing.TB, mods ...Module) *Policy {
	t.Helper()
	p, err := Compile(context.Background(), mods)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// decide builds the ext_authz input of a request and asks the policy.
func decide(t testing.TB, p *Policy, c CheckRequest) (Decision, error) {
	t.Helper()
	in, err := Input(c)
	if err != nil {
		t.Fatal(err)
	}
	v, err := ast.InterfaceToValue(in)
	if err != nil {
		t.Fatal(err)
	}
	return p.Decide(context.Background(), v)
}

func request(method, target, authorization string, body string) *http.Request {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if authorization != "" {
		r.Header.Set("Authorization", authorization)
	}
	return r
}
