package analysis

import (
	"go/ast"
	"go/types"
	"sort"

	"golang.org/x/mod/semver"
)

// Context sources, best first, for a call site whose caller is not
// migrated.
const (
	// SourceTODO is Go's marker for a caller that has not been migrated yet.
	SourceTODO = "context.TODO()"
)

// ctxSource returns the expression that gives a context at call: a
// context.Context variable in scope, the request's context in an HTTP
// handler, the test's context (go 1.24 and later), a cobra command's
// context, else context.TODO().
func (b *builder) ctxSource(fi fileInfo, call *ast.CallExpr, stack []ast.Node) string {
	info := fi.pkg.TypesInfo
	if name := ctxVarInScope(fi.pkg.Types, call); name != "" {
		return name
	}
	// Parameters of the enclosing functions, innermost first.
	for i := len(stack) - 1; i >= 0; i-- {
		var ft *ast.FuncType
		switch n := stack[i].(type) {
		case *ast.FuncDecl:
			ft = n.Type
		case *ast.FuncLit:
			ft = n.Type
		default:
			continue
		}
		if src := paramSource(info, ft, b.testContextOK()); src != "" {
			return src
		}
	}
	return SourceTODO
}

// testContextOK reports whether the module's go line allows t.Context
// (added in Go 1.24; vet flags it in modules declaring an older go).
func (b *builder) testContextOK() bool {
	v := b.mod.GoVersion
	return v != "" && semver.Compare("v"+v, "v1.24") >= 0
}

// ctxVarInScope finds a context.Context variable visible at call, declared
// before it: the innermost, and among several in one scope the last
// declared.
func ctxVarInScope(pkg *types.Package, call *ast.CallExpr) string {
	scope := pkg.Scope().Innermost(call.Pos())
	for ; scope != nil && scope != pkg.Scope() && scope != types.Universe; scope = scope.Parent() {
		var best *types.Var
		for _, name := range scope.Names() {
			v, ok := scope.Lookup(name).(*types.Var)
			if !ok || name == "_" || v.Pos() >= call.Pos() || !IsContext(v.Type()) {
				continue
			}
			if best == nil || v.Pos() > best.Pos() {
				best = v
			}
		}
		if best != nil {
			return best.Name()
		}
	}
	return ""
}

// paramSource returns "r.Context()" for an *http.Request parameter,
// "t.Context()" for a *testing.T/B/F (when allowed) and "cmd.Context()" for a
// *cobra.Command.
func paramSource(info *types.Info, ft *ast.FuncType, testOK bool) string {
	if ft.Params == nil {
		return ""
	}
	type cand struct {
		rank int
		expr string
	}
	var found []cand
	for _, field := range ft.Params.List {
		t := info.TypeOf(field.Type)
		rank := 0
		switch qualifiedTypeName(t) {
		case "net/http.Request":
			rank = 1
		case "testing.T", "testing.B", "testing.F":
			if testOK {
				rank = 2
			}
		case "github.com/spf13/cobra.Command":
			rank = 3
		}
		if _, ptr := t.(*types.Pointer); !ptr || rank == 0 {
			continue
		}
		for _, n := range field.Names {
			if n.Name != "_" {
				found = append(found, cand{rank, n.Name + ".Context()"})
				break
			}
		}
	}
	if len(found) == 0 {
		return ""
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].rank < found[j].rank })
	return found[0].expr
}
