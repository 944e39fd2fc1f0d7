package dataplane

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // hmac-sha1 signatures for the routes that allow them
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"hash"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// hmacSignature is what a client computes: base64 of the HMAC of the signing string.
func hmacSignature(algorithm, secret, signing string) string {
	newHash := map[string]func() hash.Hash{"hmac-sha1": sha1.New, "hmac-sha224": sha256.New224, "hmac-sha256": sha256.New,
		"hmac-sha384": sha512.New384, "hmac-sha512": sha512.New}[algorithm]
	mac := hmac.New(newHash, []byte(secret))
	mac.Write([]byte(signing))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// hmacHeader is an Authorization value signing the text for the listed headers.
func hmacHeader(username, algorithm, headers, secret, signing string) string {
	return formatHMACAuthorization(hmacParams{username: username, algorithm: algorithm, headers: strings.Split(headers, " "),
		signature: hmacSignature(algorithm, secret, signing)})
}

func TestHMACAuth(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	bob := g.add("consumers", Entity{"username": "bob", "custom_id": "b-1"})
	g.add("hmac-auth", Entity{"username": "bob-hmac", "secret": "hmac-secret", "consumer": map[string]any{"id": bob}})
	anon := g.consumer("anon")

	plugin := func(path string, config map[string]any) {
		r, _ := g.route(path)
		g.add("plugins", Entity{"name": "hmac-auth", "route": map[string]any{"id": r}, "config": config})
	}
	plugin("/hmac", map[string]any{"realm": "test-realm", "hide_credentials": true})
	// hide_credentials is left at Konnect's default, false: the signature goes upstream.
	plugin("/plain", map[string]any{"algorithms": []any{"hmac-sha1", "hmac-sha256"}})
	plugin("/strict", map[string]any{"enforce_headers": []any{"date", "request-line"}, "validate_request_body": true, "hide_credentials": true})
	plugin("/anon", map[string]any{"anonymous": "anon", "hide_credentials": true})

	const secret = "hmac-secret"
	date := time.Now().UTC().Format(http.TimeFormat)
	stale := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
	sign := func(algorithm, headers, signing string) string {
		return hmacHeader("bob-hmac", algorithm, headers, secret, signing)
	}
	dateOnly := sign("hmac-sha256", "date", "date: "+date)
	bobHeaders := map[string]string{"X-Consumer-Id": bob, "X-Consumer-Username": "bob", "X-Consumer-Custom-Id": "b-1",
		"X-Credential-Identifier": "bob-hmac", "X-Anonymous-Consumer": "", "Authorization": ""}
	const challenge = `hmac realm="test-realm"`
	refused := func(name string, h http.Header, message string) authCase {
		return authCase{name: name, path: "/hmac", header: h, status: 401, message: message, challenge: challenge}
	}
	withDate := func(kv ...string) http.Header { return authHeaders(append([]string{"Date", date}, kv...)...) }
	sum := sha256.Sum256([]byte(`{"a":1}`))
	digest := "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
	strictPost := func(d string) http.Header {
		return withDate("Digest", d, "Authorization", sign("hmac-sha256", "date request-line digest",
			"date: "+date+"\nPOST /strict HTTP/1.1\ndigest: "+d))
	}

	cases := []authCase{
		refused("no credentials", withDate(), "Unauthorized"),
		refused("no date", authHeaders("Authorization", dateOnly), hmacDateRequired),
		refused("stale date", authHeaders("Date", stale, "Authorization", sign("hmac-sha256", "date", "date: "+stale)), hmacDateRequired),
		refused("unreadable date", authHeaders("Date", "yesterday", "Authorization", dateOnly), hmacDateRequired),
		refused("not hmac", withDate("Authorization", "asd"), hmacSignatureNotValid),
		refused("username only", withDate("Authorization", "hmac username"), hmacSignatureNotValid),
		refused("upper-case scheme", withDate("Authorization", "HMAC"+strings.TrimPrefix(dateOnly, "hmac")), hmacSignatureNotValid),
		refused("no username", withDate("Authorization", `hmac algorithm="hmac-sha256", headers="date", signature="`+
			hmacSignature("hmac-sha256", secret, "date: "+date)+`"`), hmacSignatureNotValid),
		refused("blank username", withDate("Authorization", hmacHeader("", "hmac-sha256", "date", secret, "date: "+date)), hmacSignatureNotValid),
		refused("missing comma", withDate("Authorization", strings.Replace(dateOnly, `", headers`, `" headers`, 1)), hmacSignatureNotValid),
		refused("unknown user", withDate("Authorization", hmacHeader("carol", "hmac-sha256", "date", secret, "date: "+date)), hmacSignatureNotValid),
		refused("algorithm not allowed", withDate("Authorization", sign("hmac-sha1", "date", "date: "+date)), hmacSignatureNotValid),
		refused("unknown algorithm", withDate("Authorization", `hmac username="bob-hmac", algorithm="hmac-md5", headers="date", signature="x"`),
			hmacSignatureNotValid),
		refused("signature not base64", withDate("Authorization", `hmac username="bob-hmac", algorithm="hmac-sha256", headers="date", signature="not base64!!!"`),
			hmacSignatureNotSame),
		refused("wrong secret", withDate("Authorization", hmacHeader("bob-hmac", "hmac-sha256", "date", "other", "date: "+date)), hmacSignatureNotSame),
		refused("signature over other headers", withDate("Authorization", sign("hmac-sha256", "date", "date: "+stale)), hmacSignatureNotSame),
		refused("huge garbage header", withDate("Authorization", "hmac "+strings.Repeat(`username="`, 800)), hmacSignatureNotValid),
		{name: "valid", path: "/hmac", header: withDate("Authorization", dateOnly), status: 200, upstream: bobHeaders},
		{name: "x-date checked first", path: "/hmac", header: authHeaders("Date", stale, "X-Date", date,
			"Authorization", sign("hmac-sha256", "x-date", "x-date: "+date)), status: 200, upstream: bobHeaders},
		{name: "date when x-date is stale", path: "/hmac", header: authHeaders("X-Date", stale, "Date", date, "Authorization", dateOnly),
			status: 200, upstream: bobHeaders},
		{name: "loose spacing between fields", path: "/hmac", header: withDate("Authorization", `  hmac username="bob-hmac",algorithm="hmac-sha256",   headers="date",signature="`+
			hmacSignature("hmac-sha256", secret, "date: "+date)+`"`), status: 200, upstream: bobHeaders},
		{name: "hmac-sha224", path: "/hmac", header: withDate("Authorization", sign("hmac-sha224", "date", "date: "+date)), status: 200},
		{name: "hmac-sha384", path: "/hmac", header: withDate("Authorization", sign("hmac-sha384", "date", "date: "+date)), status: 200},
		{name: "hmac-sha512", path: "/hmac", header: withDate("Authorization", sign("hmac-sha512", "date", "date: "+date)), status: 200},
		{name: "request-line with the query", path: "/hmac?a=1&b=%20", header: withDate("Authorization",
			sign("hmac-sha256", "date request-line", "date: "+date+"\nGET /hmac?a=1&b=%20 HTTP/1.1")), status: 200},
		{name: "request-line of the path alone (older clients)", path: "/hmac?a=1", header: withDate("Authorization",
			sign("hmac-sha256", "date request-line", "date: "+date+"\nGET /hmac HTTP/1.1")), status: 200},
		{name: "@request-target", method: http.MethodPost, path: "/hmac?x=1", header: withDate("Authorization",
			sign("hmac-sha256", "@request-target date", "@request-target: post /hmac?x=1\ndate: "+date)), status: 200},
		{name: "a listed header the request lacks", path: "/hmac", header: withDate("Authorization",
			sign("hmac-sha256", "date x-missing content-md5", "date: "+date+"\nx-missing:\ncontent-md5: abc"), "Content-MD5", "abc"), status: 200},
		{name: "host", path: "/hmac", host: "api.example.test", header: withDate("Authorization",
			sign("hmac-sha256", "host date", "host: api.example.test\ndate: "+date)), status: 200},
		{name: "proxy-authorization is tried first and hidden alone", path: "/hmac", header: withDate("Proxy-Authorization", dateOnly, "Authorization", "hello"),
			status: 200, upstream: map[string]string{"Proxy-Authorization": "", "Authorization": "hello", "X-Consumer-Username": "bob"}},
		{name: "unreadable proxy-authorization falls back", path: "/hmac", header: withDate("Proxy-Authorization", "hmac username", "Authorization", dateOnly),
			status: 200, upstream: map[string]string{"Proxy-Authorization": "hmac username", "Authorization": ""}},
		{name: "spoofed identity headers are replaced", path: "/hmac", header: withDate("Authorization", dateOnly,
			"X-Credential-Identifier", "mallory", "X-Anonymous-Consumer", "true"), status: 200, upstream: bobHeaders},

		{name: "no realm", path: "/plain", status: 401, message: "Unauthorized", challenge: "hmac"},
		{name: "hmac-sha1 when allowed, header kept", path: "/plain", header: withDate("Authorization", sign("hmac-sha1", "date", "date: "+date)),
			status: 200, upstream: map[string]string{"Authorization": sign("hmac-sha1", "date", "date: "+date), "X-Credential-Identifier": "bob-hmac"}},
		{name: "proxy-authorization kept when not hiding", path: "/plain", header: withDate("Proxy-Authorization", sign("hmac-sha256", "date", "date: "+date)),
			status: 200, upstream: map[string]string{"Proxy-Authorization": sign("hmac-sha256", "date", "date: "+date)}},

		{name: "enforced header not signed", path: "/strict", header: withDate("Authorization", dateOnly), status: 401,
			message: hmacSignatureNotValid, challenge: "hmac"},
		{name: "body and digest", method: http.MethodPost, path: "/strict", body: `{"a":1}`, header: strictPost(digest), status: 200,
			upstream: map[string]string{"Digest": digest, "X-Consumer-Username": "bob"}},
		{name: "digest of another body", method: http.MethodPost, path: "/strict", body: `{"a":2}`, header: strictPost(digest), status: 401,
			message: hmacSignatureNotSame, challenge: "hmac"},
		{name: "body without a digest", method: http.MethodPost, path: "/strict", body: `{"a":1}`, header: withDate("Authorization",
			sign("hmac-sha256", "date request-line", "date: "+date+"\nPOST /strict HTTP/1.1")), status: 401, message: hmacSignatureNotSame, challenge: "hmac"},
		{name: "no body, no digest", path: "/strict", header: withDate("Authorization",
			sign("hmac-sha256", "date request-line", "date: "+date+"\nGET /strict HTTP/1.1")), status: 200},

		{name: "anonymous without credentials", path: "/anon", status: 200,
			upstream: map[string]string{"X-Consumer-Id": anon, "X-Consumer-Username": "anon", "X-Anonymous-Consumer": "true", "X-Credential-Identifier": ""}},
		{name: "anonymous after a bad signature", path: "/anon", header: withDate("Authorization", hmacHeader("bob-hmac", "hmac-sha256", "date", "x", "date: "+date)),
			status: 200, upstream: map[string]string{"X-Consumer-Username": "anon", "Authorization": ""}},
		{name: "anonymous configured, valid signature", path: "/anon", header: withDate("Authorization", dateOnly), status: 200, upstream: bobHeaders},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, g)
		})
	}
}

func TestParseHMACAuthorization(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want hmacParams
		ok   bool
	}{
		{`hmac username="u", algorithm="hmac-sha256", headers="date request-line", signature="c2ln"`,
			hmacParams{username: "u", algorithm: "hmac-sha256", headers: []string{"date", "request-line"}, signature: "c2ln"}, true},
		{`Hmac username="u",algorithm="a",headers="  date",signature="s"`,
			hmacParams{username: "u", algorithm: "a", headers: []string{"", "", "date"}, signature: "s"}, true},
		{`xx hmacusername="u",algorithm="a",headers="h",signature="s" trailing`,
			hmacParams{username: "u", algorithm: "a", headers: []string{"h"}, signature: "s"}, true},
		{`hmac username="a",algorithm="b", username="c",algorithm="d",headers="h",signature="s"`,
			hmacParams{username: `a",algorithm="b", username="c`, algorithm: "d", headers: []string{"h"}, signature: "s"}, true},
		{`hmac username="",algorithm="a",headers="h",signature="s"`, hmacParams{}, false},
		{`hmac algorithm="a",headers="h",signature="s"`, hmacParams{}, false},
		{`hmac username="u",algorithm="a" headers="h",signature="s"`, hmacParams{}, false},
		{`hmac username="u",algorithm="a",headers="h"`, hmacParams{}, false},
		{"", hmacParams{}, false},
	}
	for _, c := range cases {
		got, ok := parseHMACAuthorization(c.in)
		if ok != c.ok || !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseHMACAuthorization(%q) = %+v, %v; want %+v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestHMACSigningString(t *testing.T) {
	t.Parallel()
	header := func(name string) (string, bool) {
		v, ok := map[string]string{"date": "D", "x-a": "1"}[name]
		return v, ok
	}
	got := hmacSigningString([]string{"date", "request-line", "@request-target", "x-a", "x-b", ""}, header, "PUT", "/p?q=1", "2.0")
	want := "date: D\nPUT /p?q=1 HTTP/2.0\n@request-target: put /p?q=1\nx-a: 1\nx-b:\n:"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestHMACBodyAndDate(t *testing.T) {
	t.Parallel()
	sum := sha256.Sum256([]byte("body"))
	d := "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
	if !hmacBodyMatches([]string{d}, []byte("body")) || hmacBodyMatches([]string{d}, []byte("other")) ||
		!hmacBodyMatches(nil, nil) || hmacBodyMatches(nil, []byte("x")) || hmacBodyMatches([]string{"sha-256=" + d[8:]}, []byte("body")) {
		t.Error("digest checks")
	}
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for value, want := range map[string]bool{
		now.Format(http.TimeFormat):                         true,
		now.Add(-300 * time.Second).Format(http.TimeFormat): true,
		now.Add(301 * time.Second).Format(http.TimeFormat):  false,
		now.Format(time.RFC850):                             true,
		now.Format(time.ANSIC):                              true,
		now.Format(time.RFC3339):                            false,
		"":                                                  false,
	} {
		if got := hmacDateWithinSkew([]string{value}, now.Unix(), 300); got != want {
			t.Errorf("date %q: %v, want %v", value, got, want)
		}
	}
	if hmacDateWithinSkew(nil, now.Unix(), 300) {
		t.Error("no date accepted")
	}
}

func FuzzHMACAuthorization(f *testing.F) {
	for _, s := range []string{
		`hmac username="bob", algorithm="hmac-sha256", headers="date request-line", signature="dGVzdA=="`,
		`Hmac username="a",algorithm="b",headers="",signature="d"`,
		`hmac username="a"",algorithm="b",headers="c",signature="d""`,
		"hmac username=\"\n\",algorithm=\"b\",headers=\"c\",signature=\"d\"",
		`hmac`, `asd`, `hmac username`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		p, ok := parseHMACAuthorization(value)
		if !ok {
			return
		}
		if p.username == "" || p.algorithm == "" || p.signature == "" || len(p.headers) == 0 {
			t.Fatalf("parse of %q gave empty fields: %+v", value, p)
		}
		_ = hmacSigningString(p.headers, func(string) (string, bool) { return "", false }, "GET", "/", "1.1")
		_, _ = ngxDecodeBase64(p.signature)
		// Fields without quotes or line breaks come back whole from the client's form.
		clean := func(s string) bool { return !strings.ContainsAny(s, "\"\n") }
		if !clean(p.username) || !clean(p.algorithm) || !clean(p.signature) || !clean(strings.Join(p.headers, " ")) {
			return
		}
		again, ok := parseHMACAuthorization(formatHMACAuthorization(p))
		if !ok || !reflect.DeepEqual(again, p) {
			t.Fatalf("round trip of %+v gave %+v, %v", p, again, ok)
		}
	})
}
