package store_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// snapshot is everything a reader can see of the records the test uses.
type snapshot struct {
	Records   map[string]string
	Unique    map[string]string
	Referrers map[string][]store.Key
	Counts    map[string]int
	Version   uint64
}

func look(t *testing.T, s store.Store) snapshot {
	t.Helper()
	snap := snapshot{Records: map[string]string{}, Unique: map[string]string{}, Referrers: map[string][]store.Key{}, Counts: map[string]int{}}
	_ = s.Read(func(r store.Reader) error {
		for _, kind := range []string{"consumers", "key-auth"} {
			all, _ := r.List("cp", kind, store.Query{})
			snap.Counts[kind] = r.Count("cp", kind)
			for _, rec := range all {
				snap.Records[kind+"/"+rec.ID] = string(rec.Body)
				snap.Referrers[kind+"/"+rec.ID] = r.Referrers(store.Key{CP: "cp", Kind: kind, ID: rec.ID})
			}
		}
		for _, name := range []string{"alice", "bob", "carol"} {
			if rec, ok := r.ByUnique("cp", "consumers", "username", name); ok {
				snap.Unique[name] = rec.ID
			}
		}
		if rec, ok := r.Get("", "control-planes", "cp"); ok {
			snap.Records["cp"] = string(rec.Body)
		}
		snap.Version = r.Version("cp")
		return nil
	})
	return snap
}

// A write that fails half-way leaves the store as it was: a cascade is all or nothing.
func TestFailedWriteChangesNothing(t *testing.T) {
	t.Parallel()
	s := store.NewMemory()
	consumer := func(id, name string) *store.Record {
		return &store.Record{ID: id, Body: []byte(`{"username":"` + name + `"}`), Unique: []store.Field{{Name: "username", Value: name}}}
	}
	put(t, s, "", "control-planes", &store.Record{ID: "cp", Body: []byte(`{}`)})
	put(t, s, "cp", "consumers", consumer("c1", "alice"))
	put(t, s, "cp", "consumers", consumer("c2", "bob"))
	put(t, s, "cp", "key-auth", &store.Record{ID: "k1", Body: []byte(`{"key":"a"}`), Refs: []store.Ref{{Field: "consumer", Kind: "consumers", ID: "c1"}}})
	put(t, s, "cp", "key-auth", &store.Record{ID: "k2", Body: []byte(`{"key":"b"}`), Refs: []store.Ref{{Field: "consumer", Kind: "consumers", ID: "c1"}}})
	before := look(t, s)

	boom := errors.New("boom")
	for name, change := range map[string]func(w store.Writer){
		"cascade": func(w store.Writer) {
			w.Delete("cp", "key-auth", "k1")
			w.Delete("cp", "key-auth", "k2")
			w.Delete("cp", "consumers", "c1")
		},
		"replace": func(w store.Writer) { w.Put("cp", "consumers", consumer("c1", "carol")) },
		"insert":  func(w store.Writer) { w.Put("cp", "consumers", consumer("c3", "carol")) },
		"move a ref": func(w store.Writer) {
			w.Put("cp", "key-auth", &store.Record{ID: "k1", Refs: []store.Ref{{Field: "consumer", Kind: "consumers", ID: "c2"}}})
		},
		"drop the cp": func(w store.Writer) { w.Delete("", "control-planes", "cp"); w.DropControlPlane("cp") },
		"reset":       func(w store.Writer) { w.Reset() },
		"several things": func(w store.Writer) {
			w.Delete("cp", "consumers", "c2")
			w.Put("cp", "consumers", consumer("c2", "bob"))
			w.Reset()
		},
	} {
		err := s.Write(func(w store.Writer) error {
			change(w)
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("%s: the write's error is returned: %v", name, err)
		}
		if after := look(t, s); !reflect.DeepEqual(before, after) {
			t.Fatalf("%s: a failed write changed the store:\nbefore %+v\nafter  %+v", name, before, after)
		}
	}
	// A write that succeeds still applies.
	if err := s.Write(func(w store.Writer) error { w.Delete("cp", "key-auth", "k1"); return nil }); err != nil {
		t.Fatal(err)
	}
	if look(t, s).Counts["key-auth"] != 1 {
		t.Fatal("a successful write was not applied")
	}
}
