package dataplane

import (
	"reflect"
	"testing"

	"github.com/openkonnect/terraform-provider-konnect/internal/pluginschema"
)

// closerFunc is an io.Closer made of a function.
type closerFunc func() error

func (f closerFunc) Close() error { return f() }

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

func lookupSchema(t *testing.T, name string) ([]*pluginschema.Field, bool) {
	t.Helper()
	p, ok := pluginschema.Lookup(name)
	if !ok {
		t.Fatalf("no schema for %s", name)
	}
	return p.Config, ok
}
