package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
	"github.com/dave/dst/dstutil"
	"github.com/smartmigrate/smartmigrate/internal/analysis"
)

// bodyEdit replaces a dst node (an expression, or a statement in a list
// by several statements).
type bodyEdit struct {
	expr  dst.Expr
	stmts []dst.Stmt
}

// bodyRewrite is the state of rewriting one function body.
type bodyRewrite struct {
	rw      *rewriter
	fs      *fileState
	d       *decorator.Decorator
	fn      *analysis.Func // nil in a file the build constraints exclude
	ctxName string
	sinks   map[analysis.Position]analysis.SinkCall
	calls   map[analysis.Position]analysis.Call
	// values are functions passed as values (callbacks) that either have
	// a ctx form (a sink) or are migrated in this phase, by position.
	values map[analysis.Position]valueRef
	edits  map[dst.Node]bodyEdit
	used   map[string]bool
}

// rewriteBody makes the body of decl context-aware: sinks become their
// context-aware forms, calls to the phase's units pass ctx, and
// context.Background()/TODO() become ctx.
func (rw *rewriter) rewriteBody(fs *fileState, d *decorator.Decorator, decl *ast.FuncDecl, t *target, ctxName string) error {
	if decl.Body == nil {
		return nil
	}
	br := &bodyRewrite{
		rw: rw, fs: fs, d: d, ctxName: ctxName,
		sinks:  map[analysis.Position]analysis.SinkCall{},
		calls:  map[analysis.Position]analysis.Call{},
		values: map[analysis.Position]valueRef{},
		edits:  map[dst.Node]bodyEdit{},
		used:   identNames(decl),
	}
	if fs.typed {
		br.fn = t.fn
		for _, s := range t.fn.Sinks {
			if s.Rule.Value {
				br.values[s.Pos] = valueRef{what: shortName(s.Rule.Call), form: s.Rule.Sibling}
				continue
			}
			br.sinks[s.Pos] = s
		}
		for _, c := range t.fn.Calls {
			if c.Value {
				if ct := rw.targets[c.Callee]; ct != nil && ct.kind == analysis.Sibling {
					br.values[c.Pos] = valueRef{what: ct.fn.Name, form: ct.fn.Name + "Context"}
				}
				continue
			}
			br.calls[c.Pos] = c
		}
	}
	var stack []ast.Node
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		stack = append(stack, n)
		switch n := n.(type) {
		case *ast.CallExpr:
			br.call(n, stack, decl)
		case *ast.SelectorExpr, *ast.Ident:
			if v, ok := br.values[rw.position(n.Pos())]; ok {
				delete(br.values, rw.position(n.Pos()))
				br.value(n.(ast.Expr), v)
			}
		}
		return true
	})
	body := d.Dst.Nodes[decl.Body].(*dst.BlockStmt)
	dstutil.Apply(body, nil, func(c *dstutil.Cursor) bool {
		e, ok := br.edits[c.Node()]
		if !ok {
			return true
		}
		if e.expr != nil {
			c.Replace(e.expr)
			return true
		}
		c.Replace(e.stmts[0])
		for i := len(e.stmts) - 1; i > 0; i-- {
			c.InsertAfter(e.stmts[i])
		}
		return true
	})
	return nil
}

// call rewrites one call inside the body.
func (br *bodyRewrite) call(call *ast.CallExpr, stack []ast.Node, decl *ast.FuncDecl) {
	rw := br.rw
	pos := rw.position(call.Lparen)
	if s, ok := br.sinks[pos]; ok {
		br.sink(call, s.Rule, stack, decl)
		return
	}
	if c, ok := br.calls[rw.position(call.Pos())]; ok {
		br.moduleCall(call, c)
		return
	}
	if br.fn == nil {
		br.untypedCall(call, stack, decl)
	}
}

// moduleCall passes ctx to a call of a unit migrated in this phase.
func (br *bodyRewrite) moduleCall(call *ast.CallExpr, c analysis.Call) {
	t := br.rw.targets[c.Callee]
	if t == nil {
		if c.Interface != "" {
			if callee := br.rw.in.Analysis.Func(c.Callee); callee != nil && callee.Blocking && !callee.TakesContext {
				if br.rw.in.UpgradeInterfaces && callee.InterfaceMethod && callee.Skip != "" {
					why := br.upgradeCall(call, c)
					if why == "" {
						return
					}
					br.rw.res.Left = append(br.rw.res.Left, Item{Pos: c.Pos, Text: fmt.Sprintf("call through exported interface %s stays sync: %s", shortName(c.Interface), why)})
					return
				}
				br.rw.res.Left = append(br.rw.res.Left, Item{Pos: c.Pos, Text: fmt.Sprintf("call through exported interface %s stays sync", shortName(c.Interface))})
			}
		}
		return
	}
	dc := br.d.Dst.Nodes[call].(*dst.CallExpr)
	if t.kind == analysis.Sibling {
		renameFun(dc, t.fn.Name+"Context")
	}
	br.prependCtx(dc)
}

// sink rewrites a sink call by its rule.
func (br *bodyRewrite) sink(call *ast.CallExpr, r analysis.Rule, stack []ast.Node, decl *ast.FuncDecl) {
	rw := br.rw
	pos := rw.position(call.Lparen)
	dc := br.d.Dst.Nodes[call].(*dst.CallExpr)
	short := shortName(r.Call)
	done := func(form string) {
		rw.res.Rewritten = append(rw.res.Rewritten, Item{Pos: pos, Text: short + " -> " + form})
	}
	left := func(why string) {
		rw.res.Left = append(rw.res.Left, Item{Pos: pos, Text: short + " left as is: " + why})
	}
	switch {
	case r.Background:
		br.edits[dc] = bodyEdit{expr: dst.NewIdent(br.ctxName)}
		done(br.ctxName)
		return
	case r.Sibling != "":
		renameFun(dc, r.Sibling)
		br.prependCtx(dc)
		done(shortName(r.Form))
		return
	case r.Statement:
		if why := br.httpStatement(call, r, stack, decl); why != "" {
			left(why)
			return
		}
		done("http.NewRequestWithContext + Do")
		return
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	pkgIdent, isPkg := ast.Expr(nil), false
	if ok {
		if id, ok := sel.X.(*ast.Ident); ok {
			pkgIdent, isPkg = id, br.isPackageName(id)
		}
	}
	args := dc.Args
	ctx := dst.NewIdent(br.ctxName)
	switch r.Call {
	case "net.Dial", "net.DialTimeout", "net.Listen", "net.ListenPacket":
		if !isPkg {
			left("not called through its package name")
			return
		}
		pkg := pkgIdent.(*ast.Ident).Name
		typ, method := "Dialer", "DialContext"
		var elts []dst.Expr
		switch r.Call {
		case "net.DialTimeout":
			if len(args) != 3 {
				left("unexpected arguments")
				return
			}
			elts = []dst.Expr{&dst.KeyValueExpr{Key: dst.NewIdent("Timeout"), Value: args[2]}}
			args = args[:2]
		case "net.Listen":
			typ, method = "ListenConfig", "Listen"
		case "net.ListenPacket":
			typ, method = "ListenConfig", "ListenPacket"
		}
		recv := &dst.ParenExpr{X: &dst.UnaryExpr{Op: token.AND, X: &dst.CompositeLit{
			Type: &dst.SelectorExpr{X: dst.NewIdent(pkg), Sel: dst.NewIdent(typ)}, Elts: elts}}}
		br.edits[dc] = bodyEdit{expr: &dst.CallExpr{
			Fun:  &dst.SelectorExpr{X: recv, Sel: dst.NewIdent(method)},
			Args: append([]dst.Expr{ctx}, args...),
		}}
		lit := "{}"
		if len(elts) > 0 {
			lit = "{Timeout: ...}"
		}
		done(fmt.Sprintf("(&%s.%s%s).%s", pkg, typ, lit, method))
	case "net.LookupHost", "net.LookupPort", "net.LookupCNAME", "net.LookupSRV", "net.LookupMX",
		"net.LookupNS", "net.LookupTXT", "net.LookupAddr", "net.LookupIP":
		if !isPkg {
			left("not called through its package name")
			return
		}
		pkg := pkgIdent.(*ast.Ident).Name
		name := strings.TrimPrefix(r.Call, "net.")
		newArgs := []dst.Expr{ctx}
		if name == "LookupIP" {
			newArgs = append(newArgs, &dst.BasicLit{Kind: token.STRING, Value: `"ip"`})
		}
		br.edits[dc] = bodyEdit{expr: &dst.CallExpr{
			Fun: &dst.SelectorExpr{
				X:   &dst.SelectorExpr{X: dst.NewIdent(pkg), Sel: dst.NewIdent("DefaultResolver")},
				Sel: dst.NewIdent(name)},
			Args: append(newArgs, args...),
		}}
		done(pkg + ".DefaultResolver." + name)
	case "(*database/sql.DB).Begin", "(*database/sql.Conn).Begin":
		renameFun(dc, "BeginTx")
		dc.Args = []dst.Expr{ctx, dst.NewIdent("nil")}
		done("BeginTx(ctx, nil)")
	default:
		left("its context-aware form " + r.Form + " returns another type; rewrite it by hand")
	}
}

// isPackageName reports whether id names an imported package.
func (br *bodyRewrite) isPackageName(id *ast.Ident) bool {
	if br.fs.typed {
		_, ok := br.fs.pkg.TypesInfo.Uses[id].(*types.PkgName)
		return ok
	}
	_, ok := fileImports(br.fs.syntax)[id.Name]
	return ok
}

// prependCtx makes ctx a call's first argument.
func (br *bodyRewrite) prependCtx(dc *dst.CallExpr) {
	dc.Args = append([]dst.Expr{dst.NewIdent(br.ctxName)}, dc.Args...)
}

// renameFun renames the function a call calls (x.Foo or Foo).
func renameFun(dc *dst.CallExpr, name string) {
	fun := dc.Fun
	for {
		switch f := fun.(type) {
		case *dst.ParenExpr:
			fun = f.X
			continue
		case *dst.IndexExpr:
			fun = f.X
			continue
		case *dst.IndexListExpr:
			fun = f.X
			continue
		case *dst.SelectorExpr:
			f.Sel.Name = name
		case *dst.Ident:
			f.Name = name
		}
		return
	}
}

// shortName shortens "(*database/sql.DB).Query" to "(*sql.DB).Query".
func shortName(full string) string {
	i := strings.LastIndex(full, "/")
	if i < 0 {
		return full
	}
	j := strings.LastIndexAny(full[:i], "(*")
	return full[:j+1] + full[i+1:]
}
