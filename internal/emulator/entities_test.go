package emulator_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

// selfSigned returns a PEM certificate and key made for the test.
func selfSigned(t *testing.T) (string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "example.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
}

// crudCase drives one entity type through create (POST), get, upsert (PUT), list and delete
// with raw JSON, checking what the server fills in.
type crudCase struct {
	name       string
	collection string         // path under core-entities for POST and list
	item       string         // path of an item, %s for its id
	create     string         // POST body
	update     string         // PUT body
	want       map[string]any // fields the created entity must have
	wantUpdate map[string]any // fields after the PUT
}

func TestCRUDRoundTripForEveryEntityType(t *testing.T) {
	t.Parallel()
	h := start(t)
	cert, key := selfSigned(t)
	certJSON := func(s string) string { b := strings.ReplaceAll(s, "\n", `\n`); return b }

	mk := func(path, body string) string {
		status, out := h.raw(http.MethodPost, h.core(path), body)
		if status != http.StatusCreated {
			t.Fatalf("setup POST %s: %d %v", path, status, out)
		}
		return out["id"].(string)
	}
	svc := mk("/services", `{"name":"svc","host":"example.test"}`)
	consumer := mk("/consumers", `{"username":"carol"}`)
	upstream := mk("/upstreams", `{"name":"up.test"}`)
	certID := mk("/certificates", fmt.Sprintf(`{"cert":"%s","key":"%s"}`, certJSON(cert), certJSON(key)))
	keySet := mk("/key-sets", `{"name":"ks"}`)

	cases := []crudCase{
		{name: "service", collection: "/services", item: "/services/%s",
			create: `{"name":"s1","host":"upstream.test"}`, update: `{"name":"s1","host":"other.test","port":8080,"protocol":"https"}`,
			want:       map[string]any{"protocol": "http", "port": float64(80), "retries": float64(5), "connect_timeout": float64(60000), "read_timeout": float64(60000), "write_timeout": float64(60000), "enabled": true},
			wantUpdate: map[string]any{"host": "other.test", "port": float64(8080), "protocol": "https"}},
		{name: "route", collection: "/routes", item: "/routes/%s",
			create: fmt.Sprintf(`{"name":"r1","paths":["/a"],"service":{"id":"%s"}}`, svc), update: `{"name":"r1","hosts":["a.test"]}`,
			want: map[string]any{"strip_path": true, "preserve_host": false, "regex_priority": float64(0), "https_redirect_status_code": float64(426),
				"path_handling": "v0", "request_buffering": true, "response_buffering": true, "protocols": []any{"http", "https"}},
			wantUpdate: map[string]any{"hosts": []any{"a.test"}}},
		{name: "nested route", collection: "/services/" + svc + "/routes", item: "/services/" + svc + "/routes/%s",
			create: `{"name":"r2","paths":["/b"]}`, update: `{"name":"r2","paths":["/c"]}`,
			want: map[string]any{"service": map[string]any{"id": svc}}, wantUpdate: map[string]any{"paths": []any{"/c"}}},
		{name: "consumer", collection: "/consumers", item: "/consumers/%s",
			create: `{"username":"u1","tags":["t"]}`, update: `{"username":"u1","custom_id":"c1"}`,
			want: map[string]any{"username": "u1", "tags": []any{"t"}}, wantUpdate: map[string]any{"custom_id": "c1"}},
		{name: "consumer group", collection: "/consumer_groups", item: "/consumer_groups/%s",
			create: `{"name":"g1"}`, update: `{"name":"g1","tags":["x"]}`,
			want: map[string]any{"name": "g1"}, wantUpdate: map[string]any{"tags": []any{"x"}}},
		{name: "key-auth", collection: "/consumers/" + consumer + "/key-auth", item: "/consumers/" + consumer + "/key-auth/%s",
			create: `{}`, update: `{"key":"my-secret-key"}`,
			want: map[string]any{"consumer": map[string]any{"id": consumer}}, wantUpdate: map[string]any{"key": "my-secret-key"}},
		{name: "basic-auth", collection: "/consumers/" + consumer + "/basic-auth", item: "/consumers/" + consumer + "/basic-auth/%s",
			create: `{"username":"carol-b","password":"pw"}`, update: `{"username":"carol-b2","password":"pw2"}`,
			want: map[string]any{"username": "carol-b"}, wantUpdate: map[string]any{"username": "carol-b2"}},
		{name: "jwt", collection: "/consumers/" + consumer + "/jwt", item: "/consumers/" + consumer + "/jwt/%s",
			create: `{}`, update: `{"key":"iss-1","secret":"s3cret"}`,
			want: map[string]any{"algorithm": "HS256"}, wantUpdate: map[string]any{"key": "iss-1", "secret": "s3cret"}},
		{name: "hmac-auth", collection: "/consumers/" + consumer + "/hmac-auth", item: "/consumers/" + consumer + "/hmac-auth/%s",
			create: `{"username":"carol-h"}`, update: `{"username":"carol-h","secret":"abc"}`,
			want: map[string]any{"username": "carol-h"}, wantUpdate: map[string]any{"secret": "abc"}},
		{name: "acl", collection: "/consumers/" + consumer + "/acls", item: "/consumers/" + consumer + "/acls/%s",
			create: `{"group":"admins"}`, update: `{"group":"ops"}`,
			want: map[string]any{"group": "admins"}, wantUpdate: map[string]any{"group": "ops"}},
		{name: "upstream", collection: "/upstreams", item: "/upstreams/%s",
			create: `{"name":"u1.test"}`, update: `{"name":"u1.test","algorithm":"least-connections"}`,
			want: map[string]any{"algorithm": "round-robin"}, wantUpdate: map[string]any{"algorithm": "least-connections"}},
		{name: "target", collection: "/upstreams/" + upstream + "/targets", item: "/upstreams/" + upstream + "/targets/%s",
			create: `{"target":"10.0.0.1"}`, update: `{"target":"10.0.0.1:9000","weight":0}`,
			want: map[string]any{"target": "10.0.0.1:8000", "weight": float64(100)}, wantUpdate: map[string]any{"weight": float64(0)}},
		{name: "certificate", collection: "/certificates", item: "/certificates/%s",
			create: fmt.Sprintf(`{"cert":"%s","key":"%s"}`, certJSON(cert), certJSON(key)), update: fmt.Sprintf(`{"cert":"%s","key":"%s","tags":["a"]}`, certJSON(cert), certJSON(key)),
			want: map[string]any{"cert": cert}, wantUpdate: map[string]any{"tags": []any{"a"}}},
		{name: "sni", collection: "/snis", item: "/snis/%s",
			create: fmt.Sprintf(`{"name":"a.example.test","certificate":{"id":"%s"}}`, certID), update: fmt.Sprintf(`{"name":"b.example.test","certificate":{"id":"%s"}}`, certID),
			want: map[string]any{"name": "a.example.test"}, wantUpdate: map[string]any{"name": "b.example.test"}},
		{name: "nested sni", collection: "/certificates/" + certID + "/snis", item: "/certificates/" + certID + "/snis/%s",
			create: `{"name":"c.example.test"}`, update: `{"name":"d.example.test"}`,
			want: map[string]any{"certificate": map[string]any{"id": certID}}, wantUpdate: map[string]any{"name": "d.example.test"}},
		{name: "ca certificate", collection: "/ca_certificates", item: "/ca_certificates/%s",
			create: fmt.Sprintf(`{"cert":"%s"}`, certJSON(cert)), update: fmt.Sprintf(`{"cert":"%s","tags":["root"]}`, certJSON(cert)),
			want: map[string]any{"cert": cert}, wantUpdate: map[string]any{"tags": []any{"root"}}},
		{name: "vault", collection: "/vaults", item: "/vaults/%s",
			create: `{"name":"env","prefix":"my-env","config":{"prefix":"APP_"}}`, update: `{"name":"env","prefix":"my-env","description":"d"}`,
			want: map[string]any{"prefix": "my-env"}, wantUpdate: map[string]any{"description": "d"}},
		{name: "key set", collection: "/key-sets", item: "/key-sets/%s",
			create: `{"name":"ks1"}`, update: `{"name":"ks2"}`,
			want: map[string]any{"name": "ks1"}, wantUpdate: map[string]any{"name": "ks2"}},
		{name: "key", collection: "/keys", item: "/keys/%s",
			create: `{"kid":"k1","name":"key1","jwk":"{\"kty\":\"oct\",\"kid\":\"k1\",\"k\":\"c2VjcmV0\"}"}`, update: `{"kid":"k1","name":"key1b","jwk":"{\"kty\":\"oct\",\"kid\":\"k1\",\"k\":\"c2VjcmV0\"}"}`,
			want: map[string]any{"kid": "k1"}, wantUpdate: map[string]any{"name": "key1b"}},
		{name: "key in set", collection: "/key-sets/" + keySet + "/keys", item: "/key-sets/" + keySet + "/keys/%s",
			create: `{"kid":"k2","name":"key2","jwk":"{}"}`, update: `{"kid":"k2","name":"key2b","jwk":"{}"}`,
			want: map[string]any{"set": map[string]any{"id": keySet}}, wantUpdate: map[string]any{"name": "key2b"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, created := h.raw(http.MethodPost, h.core(tc.collection), tc.create)
			if status != http.StatusCreated {
				t.Fatalf("POST: %d %v", status, created)
			}
			id, _ := created["id"].(string)
			if id == "" || created["created_at"] == nil {
				t.Fatalf("POST answer lacks id or created_at: %v", created)
			}
			checkFields(t, "created", created, tc.want)
			status, got := h.raw(http.MethodGet, h.core(fmt.Sprintf(tc.item, id)), "")
			if wrapped, ok := got["consumer_group"].(map[string]any); ok {
				got = wrapped // Konnect wraps a consumer group read
			}
			if status != http.StatusOK || fmt.Sprint(got) != fmt.Sprint(created) {
				t.Fatalf("GET: %d %v, want %v", status, got, created)
			}
			status, updated := h.raw(http.MethodPut, h.core(fmt.Sprintf(tc.item, id)), tc.update)
			if status != http.StatusOK || updated["id"] != id || updated["created_at"] != created["created_at"] {
				t.Fatalf("PUT: %d %v", status, updated)
			}
			checkFields(t, "updated", updated, tc.wantUpdate)
			status, list := h.raw(http.MethodGet, h.core(tc.collection), "")
			if status != http.StatusOK || !containsID(list["data"], id) {
				t.Fatalf("list: %d %v", status, list)
			}
			if status, body := h.raw(http.MethodDelete, h.core(fmt.Sprintf(tc.item, id)), ""); status != http.StatusNoContent {
				t.Fatalf("DELETE: %d %v", status, body)
			}
			if status, _ := h.raw(http.MethodGet, h.core(fmt.Sprintf(tc.item, id)), ""); status != http.StatusNotFound {
				t.Fatalf("GET after DELETE: %d", status)
			}
			if status, _ := h.raw(http.MethodDelete, h.core(fmt.Sprintf(tc.item, id)), ""); status != http.StatusNoContent {
				t.Fatalf("second DELETE: %d, want 204", status)
			}
		})
	}
}

func checkFields(t *testing.T, what string, got, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if fmt.Sprint(got[k]) != fmt.Sprint(v) {
			t.Errorf("%s %s = %v, want %v (entity %v)", what, k, got[k], v, got)
		}
	}
}

func containsID(data any, id string) bool {
	list, _ := data.([]any)
	for _, x := range list {
		if m, ok := x.(map[string]any); ok && m["id"] == id {
			return true
		}
	}
	return false
}

func TestTopLevelCredentialAndTargetLists(t *testing.T) {
	t.Parallel()
	h := start(t)
	_, c := h.raw(http.MethodPost, h.core("/consumers"), `{"username":"dan"}`)
	cid := c["id"].(string)
	for _, p := range []struct{ nested, top, body string }{
		{"key-auth", "key-auths", `{"key":"k-dan"}`}, {"basic-auth", "basic-auths", `{"username":"dan","password":"x"}`},
		{"jwt", "jwts", `{}`}, {"hmac-auth", "hmac-auths", `{"username":"dan"}`}, {"acls", "acls", `{"group":"g"}`},
	} {
		status, cred := h.raw(http.MethodPost, h.core("/consumers/"+cid+"/"+p.nested), p.body)
		if status != http.StatusCreated {
			t.Fatalf("%s: %d %v", p.nested, status, cred)
		}
		status, list := h.raw(http.MethodGet, h.core("/"+p.top), "")
		if status != http.StatusOK || !containsID(list["data"], cred["id"].(string)) {
			t.Fatalf("/%s: %d %v", p.top, status, list)
		}
		if status, got := h.raw(http.MethodGet, h.core("/"+p.top+"/"+cred["id"].(string)), ""); status != http.StatusOK || got["id"] != cred["id"] {
			t.Fatalf("/%s/{id}: %d %v", p.top, status, got)
		}
	}
	_, up := h.raw(http.MethodPost, h.core("/upstreams"), `{"name":"u.test"}`)
	_, tg := h.raw(http.MethodPost, h.core("/upstreams/"+up["id"].(string)+"/targets"), `{"target":"127.0.0.1:9"}`)
	if status, list := h.raw(http.MethodGet, h.core("/targets"), ""); status != http.StatusOK || !containsID(list["data"], tg["id"].(string)) {
		t.Fatalf("/targets: %d %v", status, list)
	}
}

func TestKeyAuthKeyIsGenerated(t *testing.T) {
	t.Parallel()
	h := start(t)
	_, c := h.raw(http.MethodPost, h.core("/consumers"), `{"username":"eve"}`)
	_, k := h.raw(http.MethodPost, h.core("/consumers/"+c["id"].(string)+"/key-auth"), `{}`)
	key, _ := k["key"].(string)
	if len(key) != 32 || strings.Trim(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") != "" {
		t.Fatalf("generated key %q: want 32 letters and digits", key)
	}
}

// uniquenessCase posts first, then second, and expects second to clash on field.
type uniquenessCase struct {
	name          string
	path          string
	first, second string
	field         string
}

func TestUniqueness(t *testing.T) {
	t.Parallel()
	h := start(t)
	_, svc := h.raw(http.MethodPost, h.core("/services"), `{"name":"uniq-svc","host":"x.test"}`)
	_, c := h.raw(http.MethodPost, h.core("/consumers"), `{"username":"uniq-c"}`)
	_, up := h.raw(http.MethodPost, h.core("/upstreams"), `{"name":"uniq-up"}`)
	cid, sid, uid := c["id"].(string), svc["id"].(string), up["id"].(string)
	cases := []uniquenessCase{
		{"consumer username", "/consumers", `{"username":"ann"}`, `{"username":"ann"}`, "username"},
		{"consumer custom_id", "/consumers", `{"custom_id":"c-9"}`, `{"username":"zed","custom_id":"c-9"}`, "custom_id"},
		{"service name", "/services", `{"name":"dup","host":"a.test"}`, `{"name":"dup","host":"b.test"}`, "name"},
		{"route name", "/routes", `{"name":"dup","paths":["/"]}`, `{"name":"dup","paths":["/x"]}`, "name"},
		{"upstream name", "/upstreams", `{"name":"dup.up"}`, `{"name":"dup.up"}`, "name"},
		{"consumer group name", "/consumer_groups", `{"name":"dup"}`, `{"name":"dup"}`, "name"},
		{"key-auth key", "/consumers/" + cid + "/key-auth", `{"key":"same"}`, `{"key":"same"}`, "key"},
		{"basic-auth username", "/consumers/" + cid + "/basic-auth", `{"username":"same","password":"a"}`, `{"username":"same","password":"b"}`, "username"},
		{"acl group per consumer", "/consumers/" + cid + "/acls", `{"group":"same"}`, `{"group":"same"}`, "group"},
		{"target per upstream", "/upstreams/" + uid + "/targets", `{"target":"10.0.0.9:80"}`, `{"target":"10.0.0.9:80"}`, "target"},
		{"plugin per scope", "/services/" + sid + "/plugins", `{"name":"key-auth"}`, `{"name":"key-auth"}`, "name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if status, body := h.raw(http.MethodPost, h.core(tc.path), tc.first); status != http.StatusCreated {
				t.Fatalf("first: %d %v", status, body)
			}
			status, body := h.raw(http.MethodPost, h.core(tc.path), tc.second)
			if status != http.StatusBadRequest || body["message"] != "data constraint error" || body["code"] != float64(3) {
				t.Fatalf("second: %d %v", status, body)
			}
			d := body["details"].([]any)[0].(map[string]any)
			if d["field"] != tc.field || d["type"] != "ERROR_TYPE_REFERENCE" || d["messages"].([]any)[0] != tc.field+" (type: unique) constraint failed" {
				t.Fatalf("detail: %v", d)
			}
		})
	}
	// The same plugin on another scope is fine.
	if status, body := h.raw(http.MethodPost, h.core("/plugins"), `{"name":"key-auth"}`); status != http.StatusCreated {
		t.Fatalf("global key-auth next to a service one: %d %v", status, body)
	}
	// The client reports the clash as a conflict, in words.
	_, err := h.c.CreateConsumerWithResponse(h.ctx, h.cp, client.Consumer{Username: ptr("ann")})
	if !client.IsConflict(err) || !strings.Contains(err.Error(), "username (type: unique) constraint failed") {
		t.Fatalf("client error: %v", err)
	}
}

func TestReferences(t *testing.T) {
	t.Parallel()
	h := start(t)
	missing := "7b7a4c0e-3e56-4b0f-9d6b-6f1c4d1f2a3b"
	for _, tc := range []struct{ path, body, field string }{
		{"/routes", `{"paths":["/"],"service":{"id":"` + missing + `"}}`, "service"},
		{"/plugins", `{"name":"key-auth","route":{"id":"` + missing + `"}}`, "route"},
		{"/snis", `{"name":"x.test","certificate":{"id":"` + missing + `"}}`, "certificate"},
	} {
		status, body := h.raw(http.MethodPost, h.core(tc.path), tc.body)
		if status != http.StatusBadRequest || body["message"] != "data constraint error" || body["details"].([]any)[0].(map[string]any)["field"] != tc.field {
			t.Errorf("%s: %d %v", tc.path, status, body)
		}
	}
	for path, body := range map[string]string{"/consumers/" + missing + "/key-auth": `{"key":"k"}`, "/upstreams/" + missing + "/targets": `{"target":"a:1"}`, "/services/" + missing + "/routes": `{"paths":["/"]}`} {
		if status, answer := h.raw(http.MethodPost, h.core(path), body); status != http.StatusNotFound || answer["message"] != "not found" {
			t.Errorf("%s under a missing parent: %d %v", path, status, answer)
		}
	}
	// A service that routes still use cannot be deleted.
	_, svc := h.raw(http.MethodPost, h.core("/services"), `{"name":"busy","host":"x.test"}`)
	sid := svc["id"].(string)
	_, route := h.raw(http.MethodPost, h.core("/services/"+sid+"/routes"), `{"paths":["/busy"]}`)
	status, body := h.raw(http.MethodDelete, h.core("/services/"+sid), "")
	if status != http.StatusBadRequest || !strings.Contains(fmt.Sprint(body["details"]), "as route references this value") {
		t.Fatalf("delete referenced service: %d %v", status, body)
	}
	h.raw(http.MethodDelete, h.core("/routes/"+route["id"].(string)), "")
	if status, body := h.raw(http.MethodDelete, h.core("/services/"+sid), ""); status != http.StatusNoContent {
		t.Fatalf("delete service after its route: %d %v", status, body)
	}
	// A nested path does not reach another parent's entity.
	_, c1 := h.raw(http.MethodPost, h.core("/consumers"), `{"username":"one"}`)
	_, c2 := h.raw(http.MethodPost, h.core("/consumers"), `{"username":"two"}`)
	_, k := h.raw(http.MethodPost, h.core("/consumers/"+c1["id"].(string)+"/key-auth"), `{}`)
	if status, _ := h.raw(http.MethodGet, h.core("/consumers/"+c2["id"].(string)+"/key-auth/"+k["id"].(string)), ""); status != http.StatusNotFound {
		t.Fatalf("credential read through another consumer: %d", status)
	}
}

func TestCascades(t *testing.T) {
	t.Parallel()
	h := start(t)
	_, c := h.raw(http.MethodPost, h.core("/consumers"), `{"username":"gone"}`)
	cid := c["id"].(string)
	_, g := h.raw(http.MethodPost, h.core("/consumer_groups"), `{"name":"grp"}`)
	gid := g["id"].(string)
	var owned []string
	for _, p := range []struct{ path, body string }{
		{"/consumers/" + cid + "/key-auth", `{}`}, {"/consumers/" + cid + "/basic-auth", `{"username":"gone","password":"p"}`},
		{"/consumers/" + cid + "/jwt", `{}`}, {"/consumers/" + cid + "/hmac-auth", `{"username":"gone"}`},
		{"/consumers/" + cid + "/acls", `{"group":"a"}`}, {"/consumers/" + cid + "/plugins", `{"name":"rate-limiting","config":{"minute":5}}`},
	} {
		status, body := h.raw(http.MethodPost, h.core(p.path), p.body)
		if status != http.StatusCreated {
			t.Fatalf("%s: %d %v", p.path, status, body)
		}
		owned = append(owned, p.path+"/"+body["id"].(string))
	}
	if status, body := h.raw(http.MethodPost, h.core("/consumer_groups/"+gid+"/consumers"), `{"consumer":"gone"}`); status != http.StatusCreated {
		t.Fatalf("add to group: %d %v", status, body)
	}
	if status, _ := h.raw(http.MethodDelete, h.core("/consumers/"+cid), ""); status != http.StatusNoContent {
		t.Fatal("delete consumer")
	}
	for _, p := range owned {
		if status, _ := h.raw(http.MethodGet, h.core(strings.Replace(p, "/consumers/"+cid, "", 1)), ""); status != http.StatusNotFound && !strings.Contains(p, "/plugins/") {
			t.Errorf("%s survived its consumer: %d", p, status)
		}
	}
	for _, top := range []string{"/key-auths", "/basic-auths", "/jwts", "/hmac-auths", "/acls", "/plugins"} {
		if _, list := h.raw(http.MethodGet, h.core(top), ""); len(list["data"].([]any)) != 0 {
			t.Errorf("%s not empty after the consumer went: %v", top, list["data"])
		}
	}
	if _, members := h.raw(http.MethodGet, h.core("/consumer_groups/"+gid+"/consumers"), ""); len(members["data"].([]any)) != 0 {
		t.Errorf("group membership survived: %v", members)
	}

	// Routes take their plugins along; upstreams their targets; certificates their SNIs; key sets their keys.
	_, r := h.raw(http.MethodPost, h.core("/routes"), `{"paths":["/p"]}`)
	h.raw(http.MethodPost, h.core("/routes/"+r["id"].(string)+"/plugins"), `{"name":"key-auth"}`)
	_, up := h.raw(http.MethodPost, h.core("/upstreams"), `{"name":"casc.up"}`)
	h.raw(http.MethodPost, h.core("/upstreams/"+up["id"].(string)+"/targets"), `{"target":"127.0.0.1:1"}`)
	_, ks := h.raw(http.MethodPost, h.core("/key-sets"), `{"name":"casc"}`)
	h.raw(http.MethodPost, h.core("/key-sets/"+ks["id"].(string)+"/keys"), `{"kid":"x","jwk":"{}"}`)
	for _, p := range []string{"/routes/" + r["id"].(string), "/upstreams/" + up["id"].(string), "/key-sets/" + ks["id"].(string)} {
		if status, body := h.raw(http.MethodDelete, h.core(p), ""); status != http.StatusNoContent {
			t.Fatalf("delete %s: %d %v", p, status, body)
		}
	}
	for _, top := range []string{"/plugins", "/targets", "/keys"} {
		if _, list := h.raw(http.MethodGet, h.core(top), ""); len(list["data"].([]any)) != 0 {
			t.Errorf("%s not empty after cascades: %v", top, list["data"])
		}
	}
}

func TestConsumerGroupMembership(t *testing.T) {
	t.Parallel()
	h := start(t)
	_, g := h.raw(http.MethodPost, h.core("/consumer_groups"), `{"name":"gold"}`)
	gid := g["id"].(string)
	for _, u := range []string{"m1", "m2"} {
		h.raw(http.MethodPost, h.core("/consumers"), `{"username":"`+u+`"}`)
	}
	status, body := h.raw(http.MethodPost, h.core("/consumer_groups/gold/consumers"), `{"consumer":"m1"}`)
	if status != http.StatusCreated || body["consumer_group"].(map[string]any)["id"] != gid || len(body["consumers"].([]any)) != 1 {
		t.Fatalf("add: %d %v", status, body)
	}
	status, body = h.raw(http.MethodPost, h.core("/consumers/m2/consumer_groups"), `{"group":"`+gid+`"}`)
	if status != http.StatusCreated || body["consumer"].(map[string]any)["username"] != "m2" {
		t.Fatalf("add from the consumer side: %d %v", status, body)
	}
	if status, _ := h.raw(http.MethodPost, h.core("/consumer_groups/gold/consumers"), `{"consumer":"m1"}`); status != http.StatusBadRequest {
		t.Fatalf("adding twice: %d", status)
	}
	status, body = h.raw(http.MethodGet, h.core("/consumer_groups/"+gid+"?list_consumers=true"), "")
	if status != http.StatusOK || body["consumer_group"].(map[string]any)["name"] != "gold" || len(body["consumers"].([]any)) != 2 {
		t.Fatalf("get with list_consumers: %d %v", status, body)
	}
	_, groups := h.raw(http.MethodGet, h.core("/consumers/m1/consumer_groups"), "")
	if len(groups["data"].([]any)) != 1 {
		t.Fatalf("groups of m1: %v", groups)
	}
	if status, _ := h.raw(http.MethodDelete, h.core("/consumer_groups/gold/consumers/m1"), ""); status != http.StatusNoContent {
		t.Fatal("remove one")
	}
	_, members := h.raw(http.MethodGet, h.core("/consumer_groups/gold/consumers"), "")
	if len(members["data"].([]any)) != 1 {
		t.Fatalf("members after removing m1: %v", members)
	}
	h.raw(http.MethodDelete, h.core("/consumer_groups/gold/consumers"), "")
	if _, members = h.raw(http.MethodGet, h.core("/consumer_groups/gold/consumers"), ""); len(members["data"].([]any)) != 0 {
		t.Fatalf("members after removing all: %v", members)
	}
}

func TestListingTwoThousandFiveHundredConsumersPageByPage(t *testing.T) {
	t.Parallel()
	h := start(t)
	const n = 2500
	want := map[string]bool{}
	for i := range n {
		id, _, err := client.Create(h.ctx, h.c.UpsertConsumerWithResponse, h.cp, client.Consumer{Username: ptr(fmt.Sprintf("user-%04d", i))})
		if err != nil {
			t.Fatal(err)
		}
		want[id] = true
	}
	for _, size := range []int{1000, 333, 100} {
		seen := map[string]bool{}
		last := ""
		for c, err := range h.c.Consumers(h.ctx, h.cp, client.ListConsumerParams{Size: ptr(size)}) {
			if err != nil {
				t.Fatal(err)
			}
			if seen[*c.Id] {
				t.Fatalf("size %d: %s listed twice", size, *c.Id)
			}
			if *c.Id <= last {
				t.Fatalf("size %d: order not stable at %s", size, *c.Id)
			}
			seen[*c.Id], last = true, *c.Id
		}
		if len(seen) != n {
			t.Fatalf("size %d: listed %d of %d", size, len(seen), n)
		}
		for id := range want {
			if !seen[id] {
				t.Fatalf("size %d: %s missing", size, id)
			}
		}
	}
}

func TestTagFilters(t *testing.T) {
	t.Parallel()
	h := start(t)
	for name, tags := range map[string]string{"a": `["red"]`, "b": `["blue"]`, "c": `["red","blue"]`, "d": `[]`} {
		h.raw(http.MethodPost, h.core("/consumers"), `{"username":"`+name+`","tags":`+tags+`}`)
	}
	names := func(query string) string {
		_, list := h.raw(http.MethodGet, h.core("/consumers?tags="+query), "")
		var out []string
		for _, x := range list["data"].([]any) {
			out = append(out, x.(map[string]any)["username"].(string))
		}
		return strings.Join(sortStrings(out), ",")
	}
	if got := names("red,blue"); got != "c" {
		t.Errorf("red AND blue = %s", got)
	}
	if got := names("red/blue"); got != "a,b,c" {
		t.Errorf("red OR blue = %s", got)
	}
	if got := names("red"); got != "a,c" {
		t.Errorf("red = %s", got)
	}
	if status, _ := h.raw(http.MethodGet, h.core("/consumers?tags=a,b/c"), ""); status != http.StatusBadRequest {
		t.Errorf("mixed filter: %d", status)
	}
}

func sortStrings(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	h := start(t)
	var wg sync.WaitGroup
	errs := make(chan error, 50*20)
	for g := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				name := fmt.Sprintf("w%02d-%02d", g, i)
				id, _, err := client.Create(h.ctx, h.c.UpsertConsumerWithResponse, h.cp, client.Consumer{Username: &name})
				if err != nil {
					errs <- err
					continue
				}
				if _, _, err := client.CreateUnder(h.ctx, h.c.UpsertKeyAuthWithConsumerWithResponse, h.cp, id, client.KeyAuthWithoutParents{}); err != nil {
					errs <- err
				}
				// Everyone also fights over one name: exactly one wins.
				_, _ = h.c.CreateConsumerGroupWithResponse(h.ctx, h.cp, client.ConsumerGroup{Name: "contested"})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	count := 0
	for _, err := range h.c.Consumers(h.ctx, h.cp, client.ListConsumerParams{Size: ptr(1000)}) {
		if err != nil {
			t.Fatal(err)
		}
		count++
	}
	_, groups := h.raw(http.MethodGet, h.core("/consumer_groups"), "")
	if count != 1000 || len(groups["data"].([]any)) != 1 {
		t.Fatalf("consumers %d (want 1000), groups %d (want 1)", count, len(groups["data"].([]any)))
	}
}

func TestExplicitNullsMeanUnset(t *testing.T) {
	t.Parallel()
	h := start(t)
	for path, body := range map[string]string{
		"/consumers": `{"id":null,"username":"nully","custom_id":null,"tags":null}`,
		"/services":  `{"name":"nully","host":"x.test","path":null,"port":null,"retries":null,"tls_verify":null,"client_certificate":null}`,
		"/routes":    `{"name":"nully","paths":["/n"],"hosts":null,"methods":null,"service":null,"strip_path":null}`,
		"/plugins":   `{"name":"key-auth","config":null,"route":null,"service":null,"consumer":null,"instance_name":null}`,
	} {
		status, got := h.raw(http.MethodPost, h.core(path), body)
		if status != http.StatusCreated {
			t.Errorf("%s: %d %v", path, status, got)
			continue
		}
		for _, defaulted := range []string{"port", "retries", "strip_path"} {
			if _, asked := got[defaulted]; asked && got[defaulted] == nil {
				t.Errorf("%s: %s null was not given its default: %v", path, defaulted, got)
			}
		}
	}
}
