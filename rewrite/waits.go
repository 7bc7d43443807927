package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/dave/dst"
	"github.com/smartmigrate/smartmigrate/internal/analysis"
)

// Waits inside a ctx form become cancellable where the analysis found how:
// a sleep or a timer receive becomes a select on the timer and
// ctx.Done(); a channel receive or send, and a select, get a ctx.Done()
// case. Each returns ctx's error through the function's error result, with
// zero values for the other results. Connection I/O binds ctx to the
// connection instead (see conn.go).

// wait rewrites one wait, by its rule; it reports what it did.
func (br *bodyRewrite) wait(n ast.Node, o *analysis.Op, stack []ast.Node) {
	if !o.Cancellable() {
		br.rw.report(o.Pos, CodeLeft, "%s left as is: %s", o.Name(), o.Stuck)
		return
	}
	why := br.waitEdit(n, o, stack)
	if why != "" {
		br.rw.report(o.Pos, CodeLeft, "%s left as is: %s", o.Name(), why)
		return
	}
	br.rw.report(o.Pos, CodeRewritten, "%s -> select with %s.Done()", o.Name(), br.ctxName)
}

func (br *bodyRewrite) waitEdit(n ast.Node, o *analysis.Op, stack []ast.Node) string {
	ret, why := br.ctxReturn(o.Scope)
	if why != "" {
		return why
	}
	switch o.Rule.Rewrite {
	case analysis.RewriteSleep:
		if call, ok := n.(*ast.CallExpr); ok {
			return br.sleep(call, stack, ret)
		}
		return br.recv(n.(*ast.UnaryExpr), stack, ret)
	case analysis.RewriteRecv:
		return br.recv(n.(*ast.UnaryExpr), stack, ret)
	case analysis.RewriteSend:
		s := n.(*ast.SendStmt)
		return br.replaceStmt(s, fmt.Sprintf("select {\ncase __CH__ <- __V__:\ncase <-%s.Done():\n%s\n}\n", br.ctxName, ret),
			map[string]ast.Expr{"__CH__": s.Chan, "__V__": s.Value})
	case analysis.RewriteSelect:
		return br.selectDone(n.(*ast.SelectStmt), ret)
	}
	return "no rewrite for it"
}

// ctxReturn is the return statement that ends a wait when ctx ends:
// zero values and ctx.Err(), for the results of scope.
func (br *bodyRewrite) ctxReturn(scope ast.Node) (string, string) {
	var sig *types.Signature
	info := br.fs.pkg.TypesInfo
	switch s := scope.(type) {
	case *ast.FuncDecl:
		if obj, ok := info.Defs[s.Name].(*types.Func); ok {
			sig = obj.Signature()
		}
	case *ast.FuncLit:
		sig, _ = info.TypeOf(s).(*types.Signature)
	}
	if sig == nil || sig.Results().Len() == 0 {
		return "", "its function has no error result"
	}
	q := br.rw.qualifier(br.fs, br.fs.pkg.Types)
	var vals []string
	for i := 0; i < sig.Results().Len()-1; i++ {
		z, ok := zeroValue(sig.Results().At(i).Type(), q)
		if !ok {
			return "", "a zero value of " + sig.Results().At(i).Type().String() + " cannot be written here"
		}
		vals = append(vals, z)
	}
	return "return " + strings.Join(append(vals, br.ctxName+".Err()"), ", "), ""
}

// sleep rewrites time.Sleep(d), a statement of its own.
func (br *bodyRewrite) sleep(call *ast.CallExpr, stack []ast.Node, ret string) string {
	stmt, ok := stack[len(stack)-2].(*ast.ExprStmt)
	if !ok || len(call.Args) != 1 {
		return "not a statement of its own"
	}
	timePkg := br.importName("time")
	return br.replaceStmt(stmt, fmt.Sprintf("select {\ncase <-%s.After(__D__):\ncase <-%s.Done():\n%s\n}\n", timePkg, br.ctxName, ret),
		map[string]ast.Expr{"__D__": call.Args[0]})
}

// recv rewrites a receive that is a statement of its own (<-ch), or the
// right-hand side of an assignment (v := <-ch, v, ok = <-ch).
func (br *bodyRewrite) recv(u *ast.UnaryExpr, stack []ast.Node, ret string) string {
	holes := map[string]ast.Expr{"__CH__": u.X}
	done := fmt.Sprintf("case <-%s.Done():\n%s\n}\n", br.ctxName, ret)
	switch p := stack[len(stack)-2].(type) {
	case *ast.ExprStmt:
		return br.replaceStmt(p, "select {\ncase <-__CH__:\n"+done, holes)
	case *ast.AssignStmt:
		if len(p.Rhs) != 1 || p.Rhs[0] != u {
			return "not the only right-hand side of an assignment"
		}
		decls, lhs, why := br.recvTargets(p)
		if why != "" {
			return why
		}
		return br.replaceStmt(p, decls+"select {\ncase "+lhs+" = <-__CH__:\n"+done, holes)
	}
	return "neither a statement of its own nor the right-hand side of an assignment"
}

// recvTargets declares, for v, ok := <-ch, the variables the select's
// case assigns, and spells its left-hand side.
func (br *bodyRewrite) recvTargets(as *ast.AssignStmt) (string, string, string) {
	var decls strings.Builder
	var names []string
	info := br.fs.pkg.TypesInfo
	q := br.rw.qualifier(br.fs, br.fs.pkg.Types)
	for _, l := range as.Lhs {
		id, ok := l.(*ast.Ident)
		if !ok {
			names = append(names, nodeText(br.fs, l))
			continue
		}
		names = append(names, id.Name)
		if as.Tok == token.DEFINE && id.Name != "_" && info.Defs[id] != nil {
			fmt.Fprintf(&decls, "var %s %s\n", id.Name, types.TypeString(info.Defs[id].Type(), q))
		}
	}
	return decls.String(), strings.Join(names, ", "), ""
}

// selectDone gives a select a case that returns when ctx ends.
func (br *bodyRewrite) selectDone(s *ast.SelectStmt, ret string) string {
	stmts, err := parseStmts(fmt.Sprintf("select {\ncase <-%s.Done():\n%s\n}\n", br.ctxName, ret))
	if err != nil {
		return "internal error: " + err.Error()
	}
	ds := br.d.Dst.Nodes[s].(*dst.SelectStmt)
	clause := stmts[0].(*dst.SelectStmt).Body.List[0]
	clause.Decorations().Before = dst.NewLine
	ds.Body.List = append(ds.Body.List, clause)
	return ""
}

// replaceStmt replaces stmt by the statements of text, whose holes are
// the given expressions of stmt.
func (br *bodyRewrite) replaceStmt(stmt ast.Stmt, text string, holes map[string]ast.Expr) string {
	stmts, err := parseStmts(text)
	if err != nil {
		return "internal error: " + err.Error()
	}
	dholes := map[string]dst.Expr{}
	for k, e := range holes {
		dholes[k] = br.d.Dst.Nodes[e].(dst.Expr)
	}
	for i, s := range stmts {
		stmts[i] = fillHoles(s, dholes).(dst.Stmt)
	}
	ds := br.d.Dst.Nodes[stmt].(dst.Stmt)
	stmts[0].Decorations().Start = ds.Decorations().Start
	stmts[0].Decorations().Before = ds.Decorations().Before
	last := stmts[len(stmts)-1]
	last.Decorations().End = ds.Decorations().End
	last.Decorations().After = ds.Decorations().After
	br.edits[ds] = bodyEdit{stmts: stmts}
	return ""
}

// zeroValue writes the zero value of t, or reports that it cannot.
func zeroValue(t types.Type, qual types.Qualifier) (string, bool) {
	if _, ok := t.(*types.TypeParam); ok {
		return "*new(" + types.TypeString(t, qual) + ")", true
	}
	var s string
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch {
		case u.Info()&types.IsBoolean != 0:
			s = "false"
		case u.Info()&types.IsString != 0:
			s = `""`
		case u.Kind() == types.UnsafePointer:
			s = "nil"
		default:
			s = "0"
		}
	case *types.Pointer, *types.Slice, *types.Map, *types.Chan, *types.Signature, *types.Interface:
		s = "nil"
	default:
		s = types.TypeString(t, qual) + "{}"
	}
	return s, !strings.Contains(s, "?")
}
