package store_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

func put(t *testing.T, s store.Store, cp, kind string, r *store.Record) {
	t.Helper()
	if err := s.Write(func(w store.Writer) error { w.Put(cp, kind, r); return nil }); err != nil {
		t.Fatal(err)
	}
}

func TestListIsOrderedFilteredAndPaged(t *testing.T) {
	t.Parallel()
	s := store.NewMemory()
	for i := range 10 {
		tags := []string{"all"}
		if i%2 == 0 {
			tags = append(tags, "even")
		}
		put(t, s, "cp", "consumers", &store.Record{ID: fmt.Sprintf("id-%02d", 9-i), Tags: tags})
	}
	_ = s.Read(func(r store.Reader) error {
		page, more := r.List("cp", "consumers", store.Query{Limit: 4})
		if len(page) != 4 || !more || page[0].ID != "id-00" || page[3].ID != "id-03" {
			t.Fatalf("first page: %v %v", ids(page), more)
		}
		page, more = r.List("cp", "consumers", store.Query{After: "id-07", Limit: 4})
		if len(page) != 2 || more || page[0].ID != "id-08" {
			t.Fatalf("last page: %v %v", ids(page), more)
		}
		even, _ := r.List("cp", "consumers", store.Query{Tags: [][]string{{"all", "even"}}})
		if len(even) != 5 {
			t.Fatalf("AND filter: %v", ids(even))
		}
		if n := r.Count("cp", "consumers"); n != 10 {
			t.Fatalf("count %d", n)
		}
		if _, ok := r.Get("other-cp", "consumers", "id-01"); ok {
			t.Fatal("records leaked across control planes")
		}
		return nil
	})
}

func ids(rs []*store.Record) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func TestIndexesFollowReplacementAndDeletion(t *testing.T) {
	t.Parallel()
	s := store.NewMemory()
	put(t, s, "cp", "services", &store.Record{ID: "s1"})
	put(t, s, "cp", "routes", &store.Record{ID: "r1", Unique: []store.Field{{Name: "name", Value: "a"}},
		Refs: []store.Ref{{Field: "service", Kind: "services", ID: "s1"}}})
	put(t, s, "cp", "routes", &store.Record{ID: "r1", Unique: []store.Field{{Name: "name", Value: "b"}}})
	_ = s.Read(func(r store.Reader) error {
		if _, ok := r.ByUnique("cp", "routes", "name", "a"); ok {
			t.Error("old unique value still indexed")
		}
		if rec, ok := r.ByUnique("cp", "routes", "name", "b"); !ok || rec.ID != "r1" {
			t.Error("new unique value not indexed")
		}
		if refs := r.Referrers(store.Key{CP: "cp", Kind: "services", ID: "s1"}); len(refs) != 0 {
			t.Errorf("dropped ref still listed: %v", refs)
		}
		return nil
	})
	v := uint64(0)
	_ = s.Read(func(r store.Reader) error { v = r.Version("cp"); return nil })
	_ = s.Write(func(w store.Writer) error { w.Delete("cp", "routes", "r1"); return nil })
	_ = s.Read(func(r store.Reader) error {
		if _, ok := r.ByUnique("cp", "routes", "name", "b"); ok {
			t.Error("deleted record still indexed")
		}
		if r.Version("cp") <= v {
			t.Error("version did not move")
		}
		return nil
	})
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	s := store.NewMemory()
	var wg sync.WaitGroup
	for g := range 20 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := range 100 {
				put(t, s, "cp", "consumers", &store.Record{ID: fmt.Sprintf("%02d-%03d", g, i), Unique: []store.Field{{Name: "username", Value: fmt.Sprintf("u%02d-%03d", g, i)}}})
			}
		}()
		go func() {
			defer wg.Done()
			for range 100 {
				_ = s.Read(func(r store.Reader) error { r.List("cp", "consumers", store.Query{Limit: 10}); return nil })
			}
		}()
	}
	wg.Wait()
	_ = s.Read(func(r store.Reader) error {
		if n := r.Count("cp", "consumers"); n != 2000 {
			t.Fatalf("count %d, want 2000", n)
		}
		return nil
	})
}
