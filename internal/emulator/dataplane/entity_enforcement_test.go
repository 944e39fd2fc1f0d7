package dataplane

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator/domain"
)

// TestEntityTableMatchesTheDataPlane: the kinds the snapshot does not load are exactly the
// ones listed as stored only, and a field listed as not enforced is not mentioned by the data
// plane's code.
func TestEntityTableMatchesTheDataPlane(t *testing.T) {
	t.Parallel()
	for _, k := range domain.All {
		loaded := slices.Contains(snapshotKinds, k.Name)
		storedOnly := entityEnforcement[k.Name].storedOnly != ""
		if loaded == storedOnly {
			t.Errorf("%s: loaded by the snapshot = %v, listed as stored only = %v", k.Name, loaded, storedOnly)
		}
	}
	mentioned := stringLiterals(t)
	for kind, e := range entityEnforcement {
		if _, ok := domain.ByName(kind); !ok {
			t.Errorf("%s is not a kind of entity", kind)
		}
		for _, f := range e.fields {
			if mentioned[f.Field] {
				t.Errorf("%s.%s is listed as not enforced, but the data plane mentions it", kind, f.Field)
			}
		}
	}
}

// stringLiterals are the string constants of the package's code, the tables' own file aside.
func stringLiterals(t *testing.T) map[string]bool {
	t.Helper()
	fset := token.NewFileSet()
	out := map[string]bool{}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, entry := range entries {
		name := entry.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || name == "entity_enforcement.go" {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					out[s] = true
				}
			}
			return true
		})
	}
	return out
}

func TestEntitiesTable(t *testing.T) {
	t.Parallel()
	byKind := map[string]EntitySupport{}
	for _, e := range Entities() {
		byKind[e.Kind] = e
	}
	if r := byKind["routes"]; !r.Applied || !slices.Contains(r.NotEnforced, "request_buffering") || r.Reasons["request_buffering"] == "" {
		t.Errorf("routes: %+v", r)
	}
	if c := byKind["vaults"]; c.Applied || c.Why == "" {
		t.Errorf("vaults: %+v", c)
	}
	// Certificates serve the HTTPS listener by SNI and upstream TLS; CA certificates upstream
	// TLS and mtls-auth: applied in full.
	for _, kind := range []string{"certificates", "snis", "ca_certificates"} {
		if _, listed := byKind[kind]; listed {
			t.Errorf("%s are applied in full", kind)
		}
	}
	if _, listed := byKind["consumers"]; listed {
		t.Error("consumers are applied in full")
	}
}
