package opa

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// Module is one policy file.
type Module struct {
	File           string
	Text           string
	IgnoreDecision bool
}

// implicitPackage is the package Kong Mesh generates to combine several deciding policies.
const implicitPackage = "implicitkmesh"

// ErrUndefined is returned when the decision rule has no value (no rule matched and no default).
var ErrUndefined = errors.New("undefined decision")

// errNoDecider: every policy has ignoreDecision, so nothing gives the decision (an undefined
// decision, which the agent reports as a failure).
var errNoDecider = errors.New("no policy decides: give an appendPolicies entry without ignoreDecision")

// Policy is a compiled policy set, ready to decide many requests.
type Policy struct {
	query rego.PreparedEvalQuery
	// Path is the decision the query reads, e.g. data.envoy.authz.allow.
	Path string
}

// Key identifies a policy set by its content, so a set that has not changed is not compiled again.
func Key(mods []Module) string {
	h := sha256.New()
	for _, m := range mods {
		_, _ = fmt.Fprintf(h, "%d:%s|%t|%d:%s\n", len(m.File), m.File, m.IgnoreDecision, len(m.Text), m.Text)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Compile parses and compiles the modules. With one deciding module (ignoreDecision false) the
// decision is that module's `allow` rule, a boolean or an object. With several, Kong Mesh's
// combination applies: the request is allowed when every deciding package allows and none has a
// true `deny`. Modules with ignoreDecision only supply rules and data to the others.
func Compile(ctx context.Context, mods []Module) (*Policy, error) {
	// The same text appended twice (two MeshOPAs sharing a secret) is one file, as it would be one
	// module in the agent; loading it twice would only clash on its own default rules.
	unique := make([]Module, 0, len(mods))
	index := map[string]int{}
	for _, m := range mods {
		if i, ok := index[m.Text]; ok {
			unique[i].IgnoreDecision = unique[i].IgnoreDecision && m.IgnoreDecision
			continue
		}
		index[m.Text] = len(unique)
		unique = append(unique, m)
	}
	opts := make([]func(*rego.Rego), 0, len(unique)+2)
	var deciders []ast.Ref
	seenPkg := map[string]bool{}
	for _, m := range unique {
		parsed, err := ParseModule(m.File, m.Text)
		if err != nil {
			return nil, err
		}
		opts = append(opts, rego.ParsedModule(parsed))
		if pkg := parsed.Package.Path.String(); !m.IgnoreDecision && !seenPkg[pkg] {
			seenPkg[pkg] = true
			deciders = append(deciders, parsed.Package.Path)
		}
	}
	if len(deciders) == 0 {
		return nil, errNoDecider
	}
	path := deciders[0].Append(ast.StringTerm("allow"))
	if len(deciders) > 1 {
		combined, err := ast.ParseModuleWithOpts(implicitPackage+".rego", combinedSource(deciders), ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			return nil, fmt.Errorf("combining policies: %w", err)
		}
		opts = append(opts, rego.ParsedModule(combined))
		path = ast.MustParseRef("data." + implicitPackage + ".allow")
	}
	opts = append(opts, rego.ParsedQuery(ast.NewBody(ast.NewExpr(ast.NewTerm(path)))))
	q, err := rego.New(opts...).PrepareForEval(ctx)
	if err != nil {
		return nil, err
	}
	return &Policy{query: q, Path: path.String()}, nil
}

// combinedSource is the generated module: allowed when each deciding package allows and none denies.
func combinedSource(deciders []ast.Ref) string {
	var b strings.Builder
	b.WriteString("package " + implicitPackage + "\n\ndefault allow := false\n\nallow if {\n")
	for _, d := range deciders {
		fmt.Fprintf(&b, "\tallowed(%s.allow)\n\tnot %s.deny\n", d, d)
	}
	b.WriteString("}\n\n")
	// A decider may answer with the object form; only its `allowed` counts here.
	b.WriteString("allowed(d) if d == true\n\nallowed(d) if d.allowed == true\n")
	return b.String()
}

// Eval evaluates the decision for one input document and returns OPA's value for it.
func (p *Policy) Eval(ctx context.Context, input ast.Value) (any, error) {
	rs, err := p.query.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil, fmt.Errorf("%s: %w", p.Path, ErrUndefined)
	}
	return rs[0].Expressions[0].Value, nil
}

// Decide evaluates the policy and reads the decision.
func (p *Policy) Decide(ctx context.Context, input ast.Value) (Decision, error) {
	v, err := p.Eval(ctx, input)
	if err != nil {
		return Decision{}, err
	}
	return ReadDecision(v)
}
