package analysis

import (
	"cmp"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"sort"

	"golang.org/x/mod/semver"
)

// ctxSource returns the expression that gives a context at call: a
// context.Context variable in scope, the request's context in an HTTP
// handler, the test's context (go 1.24 and later), a cobra command's
// context, else context.TODO().
func ctxSource(p *Package, testOK bool, call *ast.CallExpr, stack []ast.Node, vars ctxVars) Source {
	if name := ctxVarInScope(p.Types, call, vars); name != "" {
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
		if src, ok := paramSource(p.Info, ft, testOK, visibleAt(p.Types, call.Pos())); ok {
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
// declared. vars holds what earlier calls found of each scope.
func ctxVarInScope(pkg *types.Package, call *ast.CallExpr, vars ctxVars) string {
	scope := pkg.Scope().Innermost(call.Pos())
	for ; scope != nil && scope != pkg.Scope() && scope != types.Universe; scope = scope.Parent() {
		vs := vars.of(scope)
		for i := len(vs) - 1; i >= 0; i-- {
			if vs[i].Pos() < call.Pos() {
				return vs[i].Name()
			}
		}
	}
	return ""
}

// ctxVars are the context.Context variables of each scope looked at, in
// the order of their declaration: a body walk asks for the same scopes at
// every call in them.
type ctxVars map[*types.Scope][]*types.Var

func (c ctxVars) of(scope *types.Scope) []*types.Var {
	if vs, ok := c[scope]; ok {
		return vs
	}
	var vs []*types.Var
	for _, name := range scope.Names() {
		if v, ok := scope.Lookup(name).(*types.Var); ok && name != "_" && IsContext(v.Type()) {
			vs = append(vs, v)
		}
	}
	slices.SortFunc(vs, func(a, b *types.Var) int { return cmp.Compare(a.Pos(), b.Pos()) })
	c[scope] = vs
	return vs
}

// visibleAt returns a function that reports whether an object is what
// its name refers to at pos: a local variable of the same name declared
// in between shadows it (mt, r, err := conn.NextReader() in a handler of
// r *http.Request).
func visibleAt(pkg *types.Package, pos token.Pos) func(types.Object) bool {
	return func(obj types.Object) bool {
		scope := pkg.Scope().Innermost(pos)
		if obj == nil || scope == nil {
			return false
		}
		_, found := scope.LookupParent(obj.Name(), pos)
		return found == obj
	}
}

// paramSource returns r.Context() for an *http.Request parameter,
// t.Context() for a *testing.T/B/F (when allowed) and cmd.Context() for a
// *cobra.Command, when the parameter is visible where the context is
// wanted.
func paramSource(info *types.Info, ft *ast.FuncType, testOK bool, visible func(types.Object) bool) (Source, bool) {
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
			if n.Name != "_" && visible(info.Defs[n]) {
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

// ownContexts are the context.Context variables that the statement as,
// in the function body body, declares from something other than the context
// package (ctx := opts.ctx, ctx := c.baseCtx()) and that the body then
// uses: once the function has a ctx form, what is given them does not get
// the caller's ctx. A context.With... or Background value is not one (the
// ctx form derives it from its ctx), nor are parameters.
func ownContexts(info *types.Info, body *ast.BlockStmt, as *ast.AssignStmt) []*ast.Ident {
	if as.Tok != token.DEFINE || len(as.Rhs) != len(as.Lhs) {
		return nil
	}
	var out []*ast.Ident
	for i, l := range as.Lhs {
		id, ok := l.(*ast.Ident)
		if !ok {
			continue
		}
		if v, ok := info.Defs[id].(*types.Var); ok && IsContext(v.Type()) && !fromContextPkg(info, as.Rhs[i]) && used(info, body, v) {
			out = append(out, id)
		}
	}
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
