package checker

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/analysis"
	"github.com/smartmigrate/smartmigrate/internal/patch"
	"github.com/smartmigrate/smartmigrate/rewrite"
	goanalysis "golang.org/x/tools/go/analysis"
)

// suggestedFixes are the fix for a finding: the rewrite smartmigrate apply
// makes of f's unit, over the one package the pass sees. For a sibling,
// FooContext after Foo and Foo its shim; in place, ctx first and every call
// in the package given a context (the caller's ctx, r.Context(),
// t.Context(), else context.TODO()), with the context import where one is
// needed. Calls in other packages are not in the pass. There is no fix
// (rather than a wrong one) when the package has type errors (an editor's
// half-typed buffer), when the rewrite fails, would create a file,
// or edits a file whose bytes are not those the pass's positions are in,
// and when other packages may call a function that would change in place
// (see callableOutside) or a file of the package that the build
// constraints exclude names it (shell_windows.go beside shell_unix.go):
// their calls and declarations would no longer compile.
func suggestedFixes(pass *goanalysis.Pass, md *analysis.Model, f *analysis.Func) []goanalysis.SuggestedFix {
	u := md.UnitOf(f)
	if u == nil || len(pass.TypeErrors) > 0 || !fixable(pass, u) {
		return nil
	}
	res, err := rewrite.Phase(rewrite.Input{Model: md, Units: []*analysis.Unit{u}, ReadFile: pass.ReadFile})
	if err != nil || len(res.Files) == 0 {
		return nil
	}
	edits, ok := textEdits(pass, md, res.Files)
	if !ok {
		return nil
	}
	return []goanalysis.SuggestedFix{{Message: fixMessage(f), TextEdits: edits}}
}

// fixable reports whether a fix of u made from this package alone
// compiles: a sibling always does (Foo stays as it is); an in-place
// change only when no other package and no excluded file names it.
func fixable(pass *goanalysis.Pass, u *analysis.Unit) bool {
	return u.Kind != analysis.InPlace || !slices.ContainsFunc(u.Funcs, callableOutside) && !namedInIgnored(pass, u)
}

// callableOutside reports whether code outside f's package may call it:
// its name is exported (a method's through a value of its type), and the
// package is not a main package.
func callableOutside(f *analysis.Func) bool {
	return f.Obj.Exported() && f.Obj.Pkg().Name() != "main"
}

// namedInIgnored reports whether a Go file of the package that the build
// constraints exclude names a function of u: the pass has no types for
// it, so the fix could not update it.
func namedInIgnored(pass *goanalysis.Pass, u *analysis.Unit) bool {
	names := map[string]bool{}
	for _, f := range u.Funcs {
		names[f.Name] = true
	}
	for _, name := range pass.IgnoredFiles {
		if !strings.HasSuffix(name, ".go") {
			continue
		}
		src, err := pass.ReadFile(name)
		if err != nil {
			return true
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.SkipObjectResolution)
		if err != nil {
			return true
		}
		found := false
		ast.Inspect(f, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && names[id.Name] {
				found = true
			}
			return !found
		})
		if found {
			return true
		}
	}
	return false
}

// fixMessage says what the fix does.
func fixMessage(f *analysis.Func) string {
	if f.Kind == analysis.Sibling {
		return fmt.Sprintf("Add %s(ctx context.Context, ...) after %s and make %s its shim", f.CtxFormName(), f.Name, f.Name)
	}
	return fmt.Sprintf("Add ctx context.Context as the first parameter of %s and pass a context at its calls in this package", f.Name)
}

// textEdits are the line edits of the changed files, at positions of the
// pass's files; false when a change is to a file the pass does not hold
// (a new file) or whose size is not the pass's.
func textEdits(pass *goanalysis.Pass, md *analysis.Model, changes []patch.FileChange) ([]goanalysis.TextEdit, bool) {
	files := map[string]*token.File{}
	for _, f := range pass.Files {
		name := pass.Fset.Position(f.Package).Filename
		files[md.Load.Rel(name)] = pass.Fset.File(f.Package)
	}
	var out []goanalysis.TextEdit
	for _, c := range changes {
		tf := files[c.Path]
		if tf == nil || c.Old == nil || c.New == nil || len(c.Old) != tf.Size() {
			return nil, false
		}
		for _, e := range patch.Edits(c.Old, c.New) {
			out = append(out, goanalysis.TextEdit{Pos: tf.Pos(e.Start), End: tf.Pos(e.End), NewText: []byte(e.Text)})
		}
	}
	return out, true
}
