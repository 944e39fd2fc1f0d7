package dataplane

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// formData is a multipart/form-data body with the given text fields and one file.
func formData(t *testing.T, fields [][2]string) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, f := range fields {
		if err := w.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := w.CreateFormFile("upload", "notes.txt")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write([]byte("file content\r\n--not-a-boundary\r\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), b.Bytes()
}

// formParts reads a multipart body back as name -> contents, in order.
func formParts(t *testing.T, contentType, body string) map[string][]string {
	t.Helper()
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		t.Fatalf("content type %q: %v", contentType, err)
	}
	out := map[string][]string{}
	r := multipart.NewReader(strings.NewReader(body), params["boundary"])
	for {
		p, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("multipart body %q: %v", body, err)
		}
		content, _ := io.ReadAll(p)
		out[p.FormName()] = append(out[p.FormName()], string(content))
	}
}

// key_in_body reads the key from a multipart/form-data body too, and hide_credentials removes
// that part only.
func TestKeyAuthKeyInMultipartBody(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	g.route("/mp")
	g.add("plugins", Entity{"name": "key-auth", "config": map[string]any{"key_in_body": true, "hide_credentials": true}})
	g.add("key-auth", Entity{"key": "ann-key", "consumer": map[string]any{"id": g.consumer("ann")}})
	post := func(fields [][2]string) (reply, []byte) {
		t.Helper()
		ctype, body := formData(t, fields)
		req, _ := http.NewRequest(http.MethodPost, "/mp", bytes.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		return g.do(req)
	}

	resp, body := post([][2]string{{"title", "hello"}, {"apikey", "ann-key"}, {"tail", "x"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("key in a multipart body: %d %s", resp.StatusCode, body)
	}
	e := g.echo(body)
	if got := http.Header(e.Headers).Get("X-Consumer-Username"); got != "ann" {
		t.Fatalf("consumer %q, want ann", got)
	}
	want := map[string][]string{"title": {"hello"}, "tail": {"x"}, "upload": {"file content\r\n--not-a-boundary\r\n"}}
	if got := formParts(t, http.Header(e.Headers).Get("Content-Type"), e.Body); !reflect.DeepEqual(got, want) {
		t.Fatalf("upstream body parts %v, want %v (the key part removed, the rest kept)", got, want)
	}

	for _, tc := range []struct {
		name    string
		fields  [][2]string
		message string
	}{
		{"unknown key", [][2]string{{"apikey", "nobody"}}, "Unauthorized"},
		{"key twice", [][2]string{{"apikey", "ann-key"}, {"apikey", "ann-key"}}, "Duplicate API key found"},
		{"no key", [][2]string{{"title", "hello"}}, "No API key found in request"},
	} {
		resp, body := post(tc.fields)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), tc.message) {
			t.Errorf("%s: %d %s, want 401 %q", tc.name, resp.StatusCode, body, tc.message)
		}
	}
}

// key_in_body reads form-encoded and JSON bodies as well; a field given twice, or a JSON array
// or object, is a duplicate key (a table in Kong's body), and hide_credentials removes the field.
func TestKeyAuthKeyInFormAndJSONBody(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t)
	g.route("/b")
	g.add("plugins", Entity{"name": "key-auth", "config": map[string]any{"key_in_body": true, "hide_credentials": true}})
	g.add("key-auth", Entity{"key": "ann-key", "consumer": map[string]any{"id": g.consumer("ann")}})
	for _, tc := range []struct {
		name, contentType, body string
		status                  int
		upstreamBody, message   string
	}{
		{"form", "application/x-www-form-urlencoded", "a=1&apikey=ann-key", http.StatusOK, "a=1", ""},
		{"form, key twice", "application/x-www-form-urlencoded", "apikey=ann-key&apikey=ann-key", http.StatusUnauthorized, "", "Duplicate API key found"},
		{"json", "application/json", `{"apikey":"ann-key","a":1}`, http.StatusOK, `{"a":1}`, ""},
		{"json, a list", "application/json", `{"apikey":["ann-key"]}`, http.StatusUnauthorized, "", "Duplicate API key found"},
		{"json, a number", "application/json", `{"apikey":12}`, http.StatusUnauthorized, "", "No API key found in request"},
	} {
		req, _ := http.NewRequest(http.MethodPost, "/b", strings.NewReader(tc.body))
		req.Header.Set("Content-Type", tc.contentType)
		resp, body := g.do(req)
		if resp.StatusCode != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, resp.StatusCode, body, tc.status)
			continue
		}
		if tc.status == http.StatusOK {
			if got := g.echo(body).Body; got != tc.upstreamBody {
				t.Errorf("%s: upstream body %q, want %q", tc.name, got, tc.upstreamBody)
			}
		} else if !strings.Contains(string(body), tc.message) {
			t.Errorf("%s: %s, want %q", tc.name, body, tc.message)
		}
	}
}
