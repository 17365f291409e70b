package inject

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"testing"
)

// TestReasonsListsEveryReason reads the package's source for every constant
// of type Reason, so that a reason added later without joining Reasons (and
// so without a metric series of its own) fails here.
func TestReasonsListsEveryReason(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "outcome.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var declared []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); ok && id.Name == "Reason" {
				for _, n := range vs.Names {
					declared = append(declared, n.Name)
				}
			}
		}
	}
	if len(declared) == 0 {
		t.Fatal("found no Reason constants in outcome.go")
	}
	listed := Reasons()
	if len(listed) != len(declared) {
		t.Fatalf("Reasons() has %d reasons, outcome.go declares %d: %v", len(listed), len(declared), declared)
	}
	seen := map[Reason]bool{}
	for _, r := range listed {
		if seen[r] {
			t.Errorf("Reasons() lists %q twice", r)
		}
		seen[r] = true
	}
	if !slices.Contains(listed, Hijacked) || !slices.Contains(listed, Injected) {
		t.Errorf("Reasons() = %v", listed)
	}
}
