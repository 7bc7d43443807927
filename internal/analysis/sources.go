package analysis

import (
	"go/ast"
	"go/token"
	"go/types"
	"sort"

	"golang.org/x/mod/semver"
)

// ctxSource returns the expression that gives a context at call: a
// context.Context variable in scope, the request's context in an HTTP
// handler, the test's context (go 1.24 and later), a cobra command's
// context, else context.TODO().
func ctxSource(p *Package, testOK bool, call *ast.CallExpr, stack []ast.Node) Source {
	if name := ctxVarInScope(p.Types, call); name != "" {
		return Source{Kind: SourceVar, Name: name}
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
		if src, ok := paramSource(p.Info, ft, testOK); ok {
			return src
		}
	}
	return Source{Kind: SourceTODO}
}

// testContextOK reports whether a module whose go line is goVersion
// allows t.Context (added in Go 1.24; vet flags it in modules declaring an
// older go).
func testContextOK(goVersion string) bool {
	return goVersion != "" && semver.Compare("v"+goVersion, "v1.24") >= 0
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

// paramSource returns r.Context() for an *http.Request parameter,
// t.Context() for a *testing.T/B/F (when allowed) and cmd.Context() for a
// *cobra.Command.
func paramSource(info *types.Info, ft *ast.FuncType, testOK bool) (Source, bool) {
	if ft.Params == nil {
		return Source{}, false
	}
	type cand struct {
		rank int
		src  Source
	}
	var found []cand
	for _, field := range ft.Params.List {
		t := info.TypeOf(field.Type)
		rank, kind := 0, SourceTODO
		switch qualifiedTypeName(t) {
		case "net/http.Request":
			rank, kind = 1, SourceRequest
		case "testing.T", "testing.B", "testing.F":
			if testOK {
				rank, kind = 2, SourceTest
			}
		case "github.com/spf13/cobra.Command":
			rank, kind = 3, SourceCobra
		}
		if _, ptr := t.(*types.Pointer); !ptr || rank == 0 {
			continue
		}
		for _, n := range field.Names {
			if n.Name != "_" {
				found = append(found, cand{rank, Source{Kind: kind, Name: n.Name}})
				break
			}
		}
	}
	if len(found) == 0 {
		return Source{}, false
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].rank < found[j].rank })
	return found[0].src, true
}

// ownContexts are the context.Context variables fn's body declares from
// something other than the context package (ctx := opts.ctx, ctx :=
// c.baseCtx()) and then uses: once fn has a ctx form, what is given them
// does not get the caller's ctx. A context.With... or Background value is
// not one (the ctx form derives it from its ctx), nor are parameters.
func ownContexts(info *types.Info, body *ast.BlockStmt) []*ast.Ident {
	if body == nil {
		return nil
	}
	var out []*ast.Ident
	ast.Inspect(body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || as.Tok != token.DEFINE || len(as.Rhs) != len(as.Lhs) {
			return true
		}
		for i, l := range as.Lhs {
			id, ok := l.(*ast.Ident)
			if !ok {
				continue
			}
			if v, ok := info.Defs[id].(*types.Var); ok && IsContext(v.Type()) && !fromContextPkg(info, as.Rhs[i]) && used(info, body, v) {
				out = append(out, id)
			}
		}
		return true
	})
	return out
}

// fromContextPkg reports whether e is a call of a function of package
// context.
func fromContextPkg(info *types.Info, e ast.Expr) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	fn, ok := info.Uses[sel.Sel].(*types.Func)
	return ok && fn.Pkg() != nil && fn.Pkg().Path() == "context"
}

// used reports whether body uses v.
func used(info *types.Info, body *ast.BlockStmt, v *types.Var) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && info.Uses[id] == v {
			found = true
		}
		return !found
	})
	return found
}
