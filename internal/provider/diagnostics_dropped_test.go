package provider_test

import (
	"go/ast"
	"go/types"
	"testing"

	"golang.org/x/tools/go/packages"
)

// No diagnostic is dropped: in the provider's code, no call that returns diag.Diagnostics
// has its result thrown away (assigned to _ or left unused). Such a call's problems must be
// appended to the response's diagnostics.
func TestNoDiagnosticIsDropped(t *testing.T) {
	t.Parallel()
	pkgs, err := packages.Load(&packages.Config{
		Mode: packages.NeedName | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo,
		Dir:  ".",
	}, ".")
	if err != nil {
		t.Fatal(err)
	}
	if packages.PrintErrors(pkgs) > 0 {
		t.Fatal("the package does not load")
	}
	returnsDiagnostics := func(info *types.Info, call ast.Expr) bool {
		tv, ok := info.Types[call]
		if !ok {
			return false
		}
		isDiags := func(t types.Type) bool {
			n, ok := t.(*types.Named)
			return ok && n.Obj().Name() == "Diagnostics" && n.Obj().Pkg() != nil &&
				n.Obj().Pkg().Path() == "github.com/hashicorp/terraform-plugin-framework/diag"
		}
		if tuple, ok := tv.Type.(*types.Tuple); ok {
			for v := range tuple.Variables() {
				if isDiags(v.Type()) {
					return true
				}
			}
			return false
		}
		return isDiags(tv.Type)
	}
	for _, pkg := range pkgs {
		for _, file := range pkg.Syntax {
			ast.Inspect(file, func(n ast.Node) bool {
				switch s := n.(type) {
				case *ast.ExprStmt:
					if call, ok := s.X.(*ast.CallExpr); ok && returnsDiagnostics(pkg.TypesInfo, call) {
						t.Errorf("%s: the diagnostics of this call are dropped", pkg.Fset.Position(s.Pos()))
					}
				case *ast.AssignStmt:
					for _, rhs := range s.Rhs {
						if !returnsDiagnostics(pkg.TypesInfo, rhs) {
							continue
						}
						for _, lhs := range s.Lhs {
							if id, ok := lhs.(*ast.Ident); ok && id.Name == "_" {
								t.Errorf("%s: the diagnostics of this call are assigned to _", pkg.Fset.Position(s.Pos()))
							}
						}
					}
				}
				return true
			})
		}
	}
}
