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
	"golang.org/x/mod/semver"
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
	ops     map[ast.Node]*analysis.Op
	calls   map[*ast.CallExpr]*analysis.Call
	// values are functions passed as values (callbacks) that either have
	// a ctx form (an operation) or are migrated in this phase, by node.
	values map[ast.Node]valueRef
	edits  map[dst.Node]bodyEdit
	used   map[string]bool
	// conns are the connections to bind ctx to, once the edits are in;
	// replaced maps a statement replaced by several to the first.
	conns    []*connBinding
	replaced map[dst.Stmt]dst.Stmt
	// outlives are the operations and calls of stored closures, which
	// run after the call.
	outlives map[ast.Node]bool
}

// mark notes that the operations and calls of closure c outlive the call.
func (br *bodyRewrite) mark(c *analysis.Func) {
	if br.outlives == nil {
		br.outlives = map[ast.Node]bool{}
	}
	for _, o := range c.Ops {
		br.outlives[o.Node] = true
	}
	for _, call := range c.Calls {
		br.outlives[call.Node] = true
	}
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
		ops:      map[ast.Node]*analysis.Op{},
		calls:    map[*ast.CallExpr]*analysis.Call{},
		values:   map[ast.Node]valueRef{},
		edits:    map[dst.Node]bodyEdit{},
		used:     identNames(decl),
		replaced: map[dst.Stmt]dst.Stmt{},
	}
	if fs.typed {
		br.index(t.fn)
		// A closure the function stores runs after it: what it calls gets
		// the values of ctx, not its cancellation.
		for _, c := range rw.in.Model.ClosuresIn(decl) {
			br.index(c)
			if !rw.ownCtx(c, ctxName) {
				br.mark(c)
			}
		}
		br.fieldDstEdits(decl)
	}
	analysis.WalkStack(decl.Body, func(n ast.Node, stack []ast.Node) {
		switch n := n.(type) {
		case *ast.CallExpr:
			br.call(n, stack, decl)
		case *ast.UnaryExpr, *ast.SendStmt, *ast.SelectStmt:
			if o, ok := br.ops[n]; ok {
				br.wait(n, o, stack)
			}
		case *ast.SelectorExpr, *ast.Ident:
			if v, ok := br.values[n]; ok {
				delete(br.values, n)
				br.value(n.(ast.Expr), v)
			}
		}
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
		if s, ok := c.Node().(dst.Stmt); ok {
			br.replaced[s] = e.stmts[0]
		}
		c.Replace(e.stmts[0])
		for i := len(e.stmts) - 1; i > 0; i-- {
			c.InsertAfter(e.stmts[i])
		}
		return true
	})
	br.bindConns()
	return nil
}

// index keys fn's operations and calls by their nodes.
func (br *bodyRewrite) index(fn *analysis.Func) {
	if br.fn == nil {
		br.fn = fn
	}
	for _, o := range fn.Ops {
		if o.Rule.Rewrite == analysis.RewriteCallback {
			br.values[o.Node] = valueRef{what: shortName(o.Rule.Call), form: o.Rule.Sibling}
			continue
		}
		br.ops[o.Node] = o
	}
	for _, c := range fn.Calls {
		if c.Value {
			if ct := br.rw.targets[c.Callee]; ct != nil && ct.kind == analysis.Sibling {
				br.values[c.Node] = valueRef{what: ct.fn.Name, form: ct.fn.CtxFormName()}
			}
			continue
		}
		br.calls[c.Expr()] = c
	}
}

// call rewrites one call inside the body.
func (br *bodyRewrite) call(call *ast.CallExpr, stack []ast.Node, decl *ast.FuncDecl) {
	if o, ok := br.ops[call]; ok {
		switch o.Rule.Rewrite {
		case analysis.RewriteConnIO:
			br.connOp(o)
		case analysis.RewriteSleep:
			br.wait(call, o, stack)
		default:
			if o.Rule.Wait != analysis.WaitNone {
				br.rw.report(o.Pos, CodeLeft, "%s left as is: no context-aware form", o.Name())
				return
			}
			if o.Stuck != "" {
				br.rw.report(o.Pos, CodeLeft, "%s left as is: %s", o.Name(), o.Stuck)
				return
			}
			br.sink(call, o.Rule, stack, decl)
		}
		return
	}
	if br.fieldCall(call) {
		return
	}
	if c, ok := br.calls[call]; ok {
		if c.Field == nil {
			br.moduleCall(call, c)
		}
		return
	}
	if br.fn == nil {
		br.untypedCall(call, stack, decl)
	}
}

// moduleCall passes ctx to a call of a unit migrated in this phase.
func (br *bodyRewrite) moduleCall(call *ast.CallExpr, c *analysis.Call) {
	t := br.rw.targets[c.Callee]
	if t == nil {
		if c.Callee.TakesContext {
			br.rw.use(c.Callee.Obj.FullName()) // migrated in place earlier
		}
		if c.Iface != nil && c.Callee.Blocking {
			br.interfaceCall(call, c)
		}
		return
	}
	dc := br.d.Dst.Nodes[call].(*dst.CallExpr)
	if c.Detached || br.outlives[call] {
		// The call outlives the ctx form's: a sibling keeps its shim, a
		// function changed in place gets the values of ctx, not its
		// cancellation.
		if t.kind == analysis.InPlace {
			dc.Args = append([]dst.Expr{br.detachedCtx()}, dc.Args...)
			br.rw.report(c.Pos, CodeRewritten, "%s outlives the call: it gets %s", calleeText(br.fs, call), exprString(br.detachedCtx()))
		}
		return
	}
	if t.kind == analysis.Sibling {
		renameFun(dc, t.fn.CtxFormName())
	}
	br.prependCtx(dc)
}

// detachedCtx is the context for code that outlives the ctx form's call:
// context.WithoutCancel(ctx), its values without its cancellation (Go
// 1.21 and later), else context.Background().
func (br *bodyRewrite) detachedCtx() dst.Expr {
	pkg := br.rw.contextName(br.fs)
	if v := br.rw.in.Model.GoVersion; v != "" && semver.Compare("v"+v, "v1.21") >= 0 {
		return &dst.CallExpr{Fun: &dst.SelectorExpr{X: dst.NewIdent(pkg), Sel: dst.NewIdent("WithoutCancel")}, Args: []dst.Expr{dst.NewIdent(br.ctxName)}}
	}
	return &dst.CallExpr{Fun: &dst.SelectorExpr{X: dst.NewIdent(pkg), Sel: dst.NewIdent("Background")}}
}

// exprString prints a small dst expression for a report.
func exprString(e dst.Expr) string {
	switch e := e.(type) {
	case *dst.Ident:
		return e.Name
	case *dst.SelectorExpr:
		return exprString(e.X) + "." + e.Sel.Name
	case *dst.CallExpr:
		var args []string
		for _, a := range e.Args {
			args = append(args, exprString(a))
		}
		return exprString(e.Fun) + "(" + strings.Join(args, ", ") + ")"
	}
	return "?"
}

// interfaceCall handles a call through an exported interface that blocks:
// it uses the ctx form when the value has it (see upgradeCall).
func (br *bodyRewrite) interfaceCall(call *ast.CallExpr, c *analysis.Call) {
	if c.Callee.InterfaceMethod && !c.Callee.Skip.IsZero() {
		why := br.upgradeCall(call, c)
		if why == "" {
			return
		}
		br.rw.report(c.Pos, CodeLeft, "call through exported interface %s stays sync: %s", c.Iface.Short(), why)
		return
	}
	br.rw.report(c.Pos, CodeLeft, "call through exported interface %s stays sync", c.Iface.Short())
}

// sink rewrites a sink call by its rule.
func (br *bodyRewrite) sink(call *ast.CallExpr, r *analysis.Rule, stack []ast.Node, decl *ast.FuncDecl) {
	rw := br.rw
	dc := br.d.Dst.Nodes[call].(*dst.CallExpr)
	short := shortName(r.Call)
	done := func(form string) {
		rw.report(call.Lparen, CodeRewritten, "%s -> %s", short, form)
	}
	left := func(why string) {
		rw.report(call.Lparen, CodeLeft, "%s left as is: %s", short, why)
	}
	switch r.Rewrite {
	case analysis.RewriteBackground:
		if o := br.ops[call]; o != nil && (o.Detached || br.outlives[call]) {
			br.edits[dc] = bodyEdit{expr: br.detachedCtx()}
			done(exprString(br.detachedCtx()) + ": it outlives the call")
			return
		}
		br.edits[dc] = bodyEdit{expr: dst.NewIdent(br.ctxName)}
		done(br.ctxName)
		return
	case analysis.RewriteSibling:
		renameFun(dc, r.Sibling)
		br.prependCtx(dc)
		br.useForm(r)
		done(shortName(r.Form))
		return
	case analysis.RewriteHTTP:
		if why := br.httpStatement(call, r, stack); why != "" {
			left(why)
			return
		}
		done("http.NewRequestWithContext + Do")
		return
	case analysis.RewriteNone:
		left("its context-aware form " + r.Form + " returns another type; rewrite it by hand")
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
	switch r.Rewrite {
	case analysis.RewriteDialer, analysis.RewriteListenConfig:
		if !isPkg {
			left("not called through its package name")
			return
		}
		pkg := pkgIdent.(*ast.Ident).Name
		typ, method := r.Type, r.Method
		var elts []dst.Expr
		if r.Timeout {
			if len(args) < 1 {
				left("unexpected arguments")
				return
			}
			elts = []dst.Expr{&dst.KeyValueExpr{Key: dst.NewIdent("Timeout"), Value: args[len(args)-1]}}
			args = args[:len(args)-1]
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
	case analysis.RewriteResolver:
		if !isPkg {
			left("not called through its package name")
			return
		}
		pkg := pkgIdent.(*ast.Ident).Name
		name := r.Method
		newArgs := []dst.Expr{ctx}
		if r.Lead != "" {
			newArgs = append(newArgs, &dst.BasicLit{Kind: token.STRING, Value: r.Lead})
		}
		br.edits[dc] = bodyEdit{expr: &dst.CallExpr{
			Fun: &dst.SelectorExpr{
				X:   &dst.SelectorExpr{X: dst.NewIdent(pkg), Sel: dst.NewIdent("DefaultResolver")},
				Sel: dst.NewIdent(name)},
			Args: append(newArgs, args...),
		}}
		done(pkg + ".DefaultResolver." + name)
	case analysis.RewriteBeginTx:
		renameFun(dc, "BeginTx")
		dc.Args = []dst.Expr{ctx, dst.NewIdent("nil")}
		done("BeginTx(ctx, nil)")
	default:
		left(fmt.Sprintf("internal error: no rewrite for %s", r.Form))
	}
}

// useForm records that the phase calls a module function's ctx form made
// by an earlier phase.
func (br *bodyRewrite) useForm(r *analysis.Rule) {
	if br.fs.typed && strings.HasPrefix(strings.TrimLeft(r.Form, "(*"), br.rw.in.Model.Module) {
		br.rw.use(r.Form)
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
