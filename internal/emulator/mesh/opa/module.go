package opa

import (
	"errors"

	"github.com/open-policy-agent/opa/v1/ast"
)

// ParseModule parses one policy file. Rego v1 is tried first; the v0 syntax that the Kong Mesh
// 2.x documentation uses (`allow { ... }`, `default allow = false`) is accepted when v1 fails.
// When neither parses, the error is the one of the dialect that read further into the text, so
// the line it names is where the author's intended syntax really breaks.
func ParseModule(filename, text string) (*ast.Module, error) {
	m, errV1 := ast.ParseModuleWithOpts(filename, text, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if errV1 == nil {
		return m, nil
	}
	m, errV0 := ast.ParseModuleWithOpts(filename, text, ast.ParserOptions{RegoVersion: ast.RegoV0})
	if errV0 == nil {
		return m, nil
	}
	if furthestRow(errV0) > furthestRow(errV1) {
		return nil, errV0
	}
	return nil, errV1
}

// furthestRow is the last line an OPA error list points at (0 when none does).
func furthestRow(err error) int {
	var list ast.Errors
	if !errors.As(err, &list) {
		return 0
	}
	row := 0
	for _, e := range list {
		if e.Location != nil && e.Location.Row > row {
			row = e.Location.Row
		}
	}
	return row
}
