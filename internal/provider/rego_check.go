package provider

import (
	"errors"
	"fmt"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// checkRego compiles a Rego policy as the mesh's OPA would, so that a policy that cannot
// compile is refused at plan rather than found failing requests. Kong Mesh accepts both Rego
// v0 (its 2.x documentation: `allow { ... }`) and v1 (`allow if { ... }`); a policy is good if
// either compiles. When neither does, the error reported is the one from the version that read
// further into the policy: the other one's is most likely about the syntax of a version the
// policy was not written in.
func checkRego(src string) error {
	errV1 := compileRego(src, ast.RegoV1)
	if errV1 == nil {
		return nil
	}
	errV0 := compileRego(src, ast.RegoV0)
	if errV0 == nil {
		return nil
	}
	if regoErrorLine(errV0) > regoErrorLine(errV1) {
		return describeRegoError(errV0)
	}
	return describeRegoError(errV1)
}

func compileRego(src string, version ast.RegoVersion) error {
	_, err := ast.CompileModulesWithOpt(map[string]string{"policy.rego": src},
		ast.CompileOpts{ParserOptions: ast.ParserOptions{RegoVersion: version}})
	return err
}

// regoErrorLine is the line of a compile error's first problem, 0 when it has none.
func regoErrorLine(err error) int {
	if first := firstRegoError(err); first != nil && first.Location != nil {
		return first.Location.Row
	}
	return 0
}

func firstRegoError(err error) *ast.Error {
	var errs ast.Errors
	if errors.As(err, &errs) && len(errs) > 0 {
		return errs[0]
	}
	var one *ast.Error
	if errors.As(err, &one) {
		return one
	}
	return nil
}

// describeRegoError words OPA's errors as "line 3: rego_parse_error: unexpected ...", one per
// line.
func describeRegoError(err error) error {
	var errs ast.Errors
	if !errors.As(err, &errs) {
		if one := firstRegoError(err); one != nil {
			errs = ast.Errors{one}
		} else {
			return err
		}
	}
	lines := make([]string, 0, len(errs))
	for _, e := range errs {
		at := ""
		if e.Location != nil {
			at = fmt.Sprintf("line %d, column %d: ", e.Location.Row, e.Location.Col)
		}
		lines = append(lines, at+e.Code+": "+e.Message)
	}
	return errors.New(strings.Join(lines, "\n"))
}
