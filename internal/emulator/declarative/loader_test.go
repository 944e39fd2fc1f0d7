package declarative

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// newTestLoader is a loader over a fresh store with one control plane, with the domain's
// rules and no spec check.
func newTestLoader(t *testing.T) (*Loader, string) {
	t.Helper()
	st := store.NewMemory()
	const cp = "6a0b1e4e-1c5b-4d0e-9d4c-2f0a8f3b7c11"
	if err := st.Write(func(tx store.Writer) error {
		tx.Put("", domain.ControlPlanes, &store.Record{ID: cp, Body: []byte(`{}`)})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return &Loader{Store: st, Entities: &domain.Entities{}}, cp
}

// Ids are derived as Kong derives them: Kong's own DB-less test finds the target 10.20.30.40
// of upstream "foo" at c830b59e-59cc-5392-adfd-b414d13adfc4.
func TestIDsAreKongs(t *testing.T) {
	t.Parallel()
	l, cp := newTestLoader(t)
	res, err := l.Load(cp, []byte("_format_version: \"1.1\"\nupstreams:\n- name: foo\n  targets:\n  - target: 10.20.30.40\n"))
	if err != nil {
		t.Fatal(err)
	}
	target, ok := res.Entities["targets"]["c830b59e-59cc-5392-adfd-b414d13adfc4"]
	if !ok {
		t.Fatalf("targets %v", res.Entities["targets"])
	}
	var e map[string]any
	if err := json.Unmarshal(target, &e); err != nil {
		t.Fatal(err)
	}
	if e["target"] != "10.20.30.40:8000" {
		t.Errorf("target %v, want Kong's default port added", e["target"])
	}
	if _, ok := res.Entities["upstreams"][kongID("upstreams", "foo")]; !ok {
		t.Errorf("upstreams %v", res.Entities["upstreams"])
	}
}

// Kong's answer to POST /config with `services: [{port: -12}]`, from its Admin API tests.
func TestErrorBodyIsKongs(t *testing.T) {
	t.Parallel()
	e := &Error{Entities: []*EntityError{{Type: "service", path: []any{"services", 0}, Errors: []Problem{
		{Type: "field", Field: "host", Message: "required field missing"},
		{Type: "field", Field: "port", Message: "value should be between 0 and 65535"},
	}}}}
	body := e.Body(false)
	want := `declarative config is invalid: {services={{host="required field missing",port="value should be between 0 and 65535"}}}`
	if body["message"] != want {
		t.Errorf("message\n%s\nwant\n%s", body["message"], want)
	}
	fields, _ := json.Marshal(body["fields"])
	if string(fields) != `{"services":[{"host":"required field missing","port":"value should be between 0 and 65535"}]}` {
		t.Errorf("fields %s", fields)
	}

	flat := e.Body(true)
	if flat["message"] != "declarative config is invalid: {}" || flat["code"] != ErrorCode {
		t.Errorf("flattened %v", flat)
	}
	entries, _ := json.Marshal(flat["flattened_errors"])
	if string(entries) != `[{"entity":null,"entity_type":"service","errors":[{"type":"field","field":"host","message":"required field missing"},`+
		`{"type":"field","field":"port","message":"value should be between 0 and 65535"}]}]` {
		t.Errorf("flattened_errors %s", entries)
	}
}

// A file that cannot be read is Kong's parse error, never flattened.
func TestUnreadableFile(t *testing.T) {
	t.Parallel()
	l, cp := newTestLoader(t)
	for _, data := range []string{"", "[1, 2]", "{\"_format_version\": ", "a: [b"} {
		_, err := l.Load(cp, []byte(data))
		var e *Error
		if !errors.As(err, &e) || !e.unreadable() {
			t.Fatalf("%q: %v", data, err)
		}
		fields, _ := e.Body(true)["fields"].(map[string]any)
		if msg, _ := fields["error"].(string); len(msg) < 40 || msg[:40] != "failed parsing declarative configuration" {
			t.Errorf("%q: %v", data, e.Body(true))
		}
	}
}

func TestKongField(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"paths[0]": "paths.1", "config.nodes[2].input": "config.nodes.3.input", "name": "name", "a[x]": "a[x]",
	} {
		if got := kongField(in); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}

// A Kong 2.x file's regex paths are marked "~" as Kong 3 reads them; plain paths stay plain.
func TestLegacyFormatPathsAreMigrated(t *testing.T) {
	t.Parallel()
	for version, want := range map[string]string{
		"2.1": `["/plain","~/users/\\d+","/a~b"]`,
		"3.0": `["/plain","/users/\\d+","/a%7Eb"]`,
	} {
		l, cp := newTestLoader(t)
		res, err := l.Load(cp, []byte("_format_version: \""+version+"\"\nservices:\n- name: s\n  host: s.test\n  routes:\n"+
			"  - name: r\n    paths: [/plain, '/users/\\d+', '/a%7Eb']\n"))
		if err != nil {
			t.Fatalf("%s: %v", version, err)
		}
		var route struct{ Paths json.RawMessage }
		_ = json.Unmarshal(res.Entities["routes"][kongID("routes", "r")], &route)
		if string(route.Paths) != want {
			t.Errorf("%s: paths %s, want %s", version, route.Paths, want)
		}
	}
}
