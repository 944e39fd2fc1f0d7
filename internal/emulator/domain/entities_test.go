package domain_test

import (
	"errors"
	"testing"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/store"
)

// The domain's errors say which kind, field and value are at fault, with no HTTP in them.
func TestTypedErrors(t *testing.T) {
	t.Parallel()
	st := store.NewMemory()
	d := &domain.Entities{}
	write := func(fn func(tx store.Writer) error) error { return st.Write(fn) }
	if err := write(func(tx store.Writer) error {
		tx.Put("", domain.ControlPlanes, &store.Record{ID: "cp", Body: []byte(`{}`)})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	put := func(k *domain.Kind, parent *domain.Parent, e domain.Entity) (*store.Record, error) {
		var rec *store.Record
		err := write(func(tx store.Writer) error {
			var err error
			rec, err = d.Put(tx, "cp", k, parent, "", e, 1)
			return err
		})
		return rec, err
	}
	if _, err := put(domain.Consumers, nil, domain.Entity{"username": "alice"}); err != nil {
		t.Fatal(err)
	}
	var uv *domain.UniqueViolation
	if _, err := put(domain.Consumers, nil, domain.Entity{"username": "alice"}); !errors.As(err, &uv) ||
		*uv != (domain.UniqueViolation{Kind: "consumers", Field: "username", Value: "alice"}) {
		t.Fatalf("duplicate username: %#v", err)
	}
	svc, err := put(domain.Services, nil, domain.Entity{"host": "x.test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := put(domain.Routes, &domain.Parent{Kind: domain.Services, Field: "service", ID: svc.ID}, domain.Entity{"paths": []any{"/"}}); err != nil {
		t.Fatal(err)
	}
	var fk *domain.ForeignKeyViolation
	err = write(func(tx store.Writer) error { return domain.Delete(tx, "cp", domain.Services, nil, svc.ID) })
	if !errors.As(err, &fk) || fk.Kind != "services" || fk.Value != svc.ID || fk.ReferencedBy != "routes" {
		t.Fatalf("delete a service with routes: %#v", err)
	}
	missing := "7b7a4c0e-3e56-4b0f-9d6b-6f1c4d1f2a3b"
	if _, err := put(domain.Routes, nil, domain.Entity{"paths": []any{"/"}, "service": map[string]any{"id": missing}}); !errors.As(err, &fk) ||
		*fk != (domain.ForeignKeyViolation{Kind: "routes", Field: "service", Value: missing, Target: "services"}) {
		t.Fatalf("unknown service: %#v", err)
	}
	var sv *domain.SchemaViolation
	if _, err := put(domain.Routes, nil, domain.Entity{"paths": []any{"~/("}}); !errors.As(err, &sv) || sv.Kind != "routes" || sv.Fields[0].Field != "paths[0]" {
		t.Fatalf("bad regex: %#v", err)
	}
	var nf *domain.NotFound
	if _, err := put(domain.KeyAuth, &domain.Parent{Kind: domain.Consumers, Field: "consumer", ID: "nobody"}, domain.Entity{}); !errors.As(err, &nf) ||
		*nf != (domain.NotFound{Kind: "consumers", ID: "nobody"}) {
		t.Fatalf("missing parent: %#v", err)
	}
}
