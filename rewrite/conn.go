package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/dave/dst"
	"github.com/smartmigrate/smartmigrate/internal/analysis"
	"golang.org/x/mod/semver"
)

// Connection I/O in a ctx form is bound to ctx the standard library's way
// (the context package's AfterFunc example): from the statement before
// the first read or write on a connection to the end of the function,
//
//	bound := bindConn(ctx, cn.nc)
//	defer bound.release()
//	...
//	return bound.done(err)
//
// when ctx ends first, the connection's deadline moves to the past, so the
// blocked read or write returns; bound.done then clears the deadline
// again and returns an error that wraps ctx's error (and the I/O's), which
// takes the library's own error path: a pooled connection interrupted
// mid-response is closed or discarded there, as after the library's own
// timeouts. With context.Background() (the shims) nothing is watched, so
// the sync API behaves as before. bindConn lives in a file of its own in
// the package, written by the first phase that needs it.

// connBinding is the binding of one connection in one function.
type connBinding struct {
	scope ast.Node // the function
	conn  *analysis.Conn
	ops   []*analysis.Op
}

// connOp collects a connection I/O operation, bound after the body's
// edits.
func (br *bodyRewrite) connOp(o *analysis.Op) {
	if !o.Cancellable() {
		br.rw.report(o.Pos, CodeLeft, "%s left as is: %s", o.Name(), o.Stuck)
		return
	}
	for _, b := range br.conns {
		if b.scope == o.Scope && b.conn.Expr == o.Conn.Expr {
			b.ops = append(b.ops, o)
			return
		}
	}
	br.conns = append(br.conns, &connBinding{scope: o.Scope, conn: o.Conn, ops: []*analysis.Op{o}})
}

// bindConns binds ctx to each collected connection, in the dst body, once
// the other edits are in.
func (br *bodyRewrite) bindConns() {
	if len(br.conns) == 0 {
		return
	}
	helper, why := br.rw.connHelper(br.fs)
	for _, b := range br.conns {
		if why == "" {
			why = br.bind(b, helper)
		}
		for _, o := range b.ops {
			if why != "" {
				br.rw.report(o.Pos, CodeLeft, "conn I/O left as is: %s", why)
				continue
			}
			br.rw.report(o.Pos, CodeRewritten, "conn I/O -> %s bound to %s: its deadline expires when %s ends", b.conn.Expr, br.ctxName, br.ctxName)
		}
	}
}

// bind binds b's connection before the first of its operations in each
// statement list that holds some (see bindingGroups), and makes the
// returns after it in that list go through the binding.
func (br *bodyRewrite) bind(b *connBinding, helper string) string {
	body := scopeBody(b.scope)
	for _, g := range bindingGroups(body, b.conn.Root, b.ops) {
		if why := br.bindIn(b, body, g, helper); why != "" {
			return why
		}
	}
	return ""
}

// bindingGroup is a statement list and the first of b's operations in it.
type bindingGroup struct {
	list  []ast.Stmt
	first ast.Stmt
}

// bindingGroups splits ops, in order, by the statement list their binding
// goes in: one binding covers the operations after it in its list, and a
// connection that an if statement's init declares is bound again in each
// branch that uses it.
func bindingGroups(body *ast.BlockStmt, root types.Object, ops []*analysis.Op) []bindingGroup {
	var out []bindingGroup
	for _, o := range ops {
		if n := len(out); n > 0 {
			g := out[n-1]
			if g.first != nil && g.first.Pos() <= o.Pos && o.Pos < g.list[len(g.list)-1].End() {
				continue
			}
		}
		list := bindingList(body, root, o.Pos)
		out = append(out, bindingGroup{list: list, first: stmtHolding(list, o.Pos)})
	}
	return out
}

// bindIn inserts one binding of b before g.first.
func (br *bodyRewrite) bindIn(b *connBinding, body *ast.BlockStmt, g bindingGroup, helper string) string {
	if g.first == nil {
		return "its statement was not found"
	}
	name := freshName("bound", br.used)
	br.used[name] = true
	stmts, err := parseStmts(fmt.Sprintf("%s := %s(%s, %s)\ndefer %s.release()\n", name, helper, br.ctxName, b.conn.Expr, name))
	if err != nil {
		return "internal error: " + err.Error()
	}
	dbody := br.d.Dst.Nodes[body].(*dst.BlockStmt)
	if !insertBefore(dbody, br.dstStmt(g.first), stmts) {
		return "internal error: its statement is not in the block"
	}
	sig := scopeSignature(br.fs.pkg.TypesInfo, b.scope)
	for _, ret := range returnsAfter(g.list, g.first.Pos()) {
		if why := br.convertReturn(dbody, ret, sig, name); why != "" {
			return why
		}
	}
	return ""
}

// dstStmt is the dst statement of s, or the first statement that replaced
// it.
func (br *bodyRewrite) dstStmt(s ast.Stmt) dst.Stmt {
	ds := br.d.Dst.Nodes[s].(dst.Stmt)
	if r, ok := br.replaced[ds]; ok {
		return r
	}
	return ds
}

// convertReturn makes ret return the binding's verdict on its error.
func (br *bodyRewrite) convertReturn(block *dst.BlockStmt, ret *ast.ReturnStmt, sig *types.Signature, name string) string {
	dret := br.d.Dst.Nodes[ret].(*dst.ReturnStmt)
	n := sig.Results().Len()
	done := func(e dst.Expr) dst.Expr {
		return &dst.CallExpr{Fun: &dst.SelectorExpr{X: dst.NewIdent(name), Sel: dst.NewIdent("done")}, Args: []dst.Expr{e}}
	}
	switch {
	case len(dret.Results) == n:
		dret.Results[n-1] = done(dret.Results[n-1])
	case len(dret.Results) == 0:
		// A bare return: the named results, the error through done.
		for i := 0; i < n; i++ {
			dret.Results = append(dret.Results, dst.NewIdent(sig.Results().At(i).Name()))
		}
		dret.Results[n-1] = done(dret.Results[n-1])
	default:
		// return f(), f with n results: name them first.
		var names []string
		for i := 0; i < n; i++ {
			v := freshName(fmt.Sprintf("r%d", i), br.used)
			br.used[v] = true
			names = append(names, v)
		}
		stmts, err := parseStmts(strings.Join(names, ", ") + " := __CALL__\n")
		if err != nil {
			return "internal error: " + err.Error()
		}
		stmts[0] = fillHoles(stmts[0], map[string]dst.Expr{"__CALL__": dret.Results[0]}).(dst.Stmt)
		if !insertBefore(block, dret, stmts) {
			return "internal error: a return is not in its block"
		}
		dret.Results = nil
		for _, v := range names {
			dret.Results = append(dret.Results, dst.NewIdent(v))
		}
		dret.Results[n-1] = done(dret.Results[n-1])
	}
	return ""
}

// scopeBody is the body of a function declaration or literal.
func scopeBody(scope ast.Node) *ast.BlockStmt {
	switch s := scope.(type) {
	case *ast.FuncDecl:
		return s.Body
	case *ast.FuncLit:
		return s.Body
	}
	return nil
}

// scopeSignature is the signature of a function declaration or literal.
func scopeSignature(info *types.Info, scope ast.Node) *types.Signature {
	switch s := scope.(type) {
	case *ast.FuncDecl:
		return info.Defs[s.Name].(*types.Func).Signature()
	case *ast.FuncLit:
		sig, _ := info.TypeOf(s).(*types.Signature)
		return sig
	}
	return nil
}

// bindingList is the statement list that the binding of a connection
// rooted at root goes in: the outermost list holding pos (a block, a case
// or comm clause) within root's scope. That is body for a parameter or
// a package variable, and otherwise the block or clause that declares it,
// or the body of the if, switch or for statement that does.
func bindingList(body *ast.BlockStmt, root types.Object, pos token.Pos) []ast.Stmt {
	lo, hi := body.Pos(), body.End()
	if root != nil && root.Parent() != nil && root.Pos() >= body.Pos() && root.Pos() < body.End() {
		lo, hi = root.Parent().Pos(), root.Parent().End()
	}
	var list []ast.Stmt
	ast.Inspect(body, func(n ast.Node) bool {
		if n == nil || list != nil || n.Pos() > pos || pos >= n.End() {
			return false
		}
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		if l, ok := stmtList(n); ok && lo <= n.Pos() && n.End() <= hi {
			list = l
			return false
		}
		return true
	})
	if list == nil {
		return body.List
	}
	return list
}

// stmtList is the statement list of a block or a case or comm clause.
func stmtList(n ast.Node) ([]ast.Stmt, bool) {
	switch n := n.(type) {
	case *ast.BlockStmt:
		return n.List, true
	case *ast.CaseClause:
		return n.Body, true
	case *ast.CommClause:
		return n.Body, true
	}
	return nil, false
}

// stmtHolding is the statement of list that holds pos.
func stmtHolding(list []ast.Stmt, pos token.Pos) ast.Stmt {
	for _, s := range list {
		if s.Pos() <= pos && pos < s.End() {
			return s
		}
	}
	return nil
}

// returnsAfter are the return statements of list after pos, in nested
// blocks too, function literals aside.
func returnsAfter(list []ast.Stmt, after token.Pos) []*ast.ReturnStmt {
	var out []*ast.ReturnStmt
	for _, s := range list {
		ast.Inspect(s, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ReturnStmt:
				if n.Pos() >= after {
					out = append(out, n)
				}
			}
			return true
		})
	}
	return out
}

// insertBefore inserts stmts before target in the statement lists below
// root (blocks, case and comm clauses), and reports whether it found
// target.
func insertBefore(root *dst.BlockStmt, target dst.Stmt, stmts []dst.Stmt) bool {
	found := false
	dst.Inspect(root, func(n dst.Node) bool {
		if found {
			return false
		}
		var list *[]dst.Stmt
		switch n := n.(type) {
		case *dst.BlockStmt:
			list = &n.List
		case *dst.CaseClause:
			list = &n.Body
		case *dst.CommClause:
			list = &n.Body
		default:
			return true
		}
		for i, s := range *list {
			if s == target {
				// The statement keeps its comments; the new ones come
				// before them.
				stmts[0].Decorations().Before = s.Decorations().Before
				s.Decorations().Before = dst.NewLine
				*list = append((*list)[:i], append(stmts, (*list)[i:]...)...)
				found = true
				return false
			}
		}
		return true
	})
	return found
}

// connHelper returns the name of the package's bindConn, writing it in a
// file of its own when no earlier phase did.
func (rw *rewriter) connHelper(fs *fileState) (string, string) {
	const name = "bindConn"
	pkg := fs.pkg.Types
	qual := pkg.Path() + "." + name
	if obj := pkg.Scope().Lookup(name); obj != nil {
		if fn, ok := obj.(*types.Func); ok && fn.Signature().Params().Len() == 2 {
			rw.use(qual)
			return name, ""
		}
		return "", name + " is taken in package " + pkg.Name()
	}
	if rw.newFiles == nil {
		rw.newFiles = map[string][]byte{}
	}
	dir := path.Dir(fs.rel)
	for _, nf := range rw.newFilesOf(dir) {
		if strings.Contains(string(rw.newFiles[nf]), "func "+name+"(") {
			return name, ""
		}
	}
	file := path.Join(dir, "ctxconn.go")
	for i := 2; ; i++ {
		if _, err := os.Stat(filepath.Join(rw.mod.Dir, filepath.FromSlash(file))); err != nil {
			break
		}
		file = path.Join(dir, fmt.Sprintf("ctxconn%d.go", i))
	}
	rw.newFiles[file] = connHelperSource(fs.pkg.Name, rw.in.Model.GoVersion)
	rw.created(DeclHelper, qual, nil)
	return name, ""
}

// newFilesOf are the files this rewrite creates in dir.
func (rw *rewriter) newFilesOf(dir string) []string {
	var out []string
	for f := range rw.newFiles {
		if path.Dir(f) == dir {
			out = append(out, f)
		}
	}
	return out
}

// connHelperSource is the file that holds bindConn: AfterFunc from Go
// 1.21 on, a goroutine before; errors that wrap two errors from 1.20 on.
func connHelperSource(pkg, goVersion string) []byte {
	atLeast := func(v string) bool { return goVersion != "" && semver.Compare("v"+goVersion, "v"+v) >= 0 }
	watch := `	b.fired = make(chan struct{})
	b.stop = context.AfterFunc(ctx, func() {
		_ = conn.SetDeadline(time.Unix(1, 0))
		close(b.fired)
	})`
	if !atLeast("1.21") {
		watch = `	b.fired = make(chan struct{})
	stop, fired := make(chan struct{}), make(chan bool)
	go func() {
		select {
		case <-ctx.Done():
			_ = conn.SetDeadline(time.Unix(1, 0))
			close(b.fired)
			fired <- true
		case <-stop:
			fired <- false
		}
	}()
	b.stop = func() bool {
		close(stop)
		return !<-fired
	}`
	}
	wrap := `fmt.Errorf("%w: %w", b.ctx.Err(), err)`
	if !atLeast("1.20") {
		wrap = `fmt.Errorf("%w: %v", b.ctx.Err(), err)`
	}
	return []byte(fmt.Sprintf(connHelperTemplate, pkg, watch, wrap))
}

const connHelperTemplate = `package %s

//smartmigrate:helper
// This file was written by smartmigrate for the package's ctx forms: the
// analysis knows what bindConn does and does not count it as a wait.

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// connBinding ties a context to a connection while a call uses it: when
// the context ends first, the connection's deadline moves to the past, so
// that a read or write blocked on it returns at once.
type connBinding struct {
	ctx   context.Context
	conn  interface{ SetDeadline(time.Time) error }
	stop  func() bool
	fired chan struct{}
	ended bool
}

// bindConn binds ctx to conn until the binding's done or release. A
// context that never ends, such as context.Background(), is not watched.
func bindConn(ctx context.Context, conn interface{ SetDeadline(time.Time) error }) *connBinding {
	b := &connBinding{ctx: ctx, conn: conn}
	if ctx.Done() == nil || conn == nil {
		return b
	}
%s
	return b
}

// end stops watching the context and reports whether it ended first; then
// the connection's deadline is cleared again.
func (b *connBinding) end() bool {
	if b.stop == nil {
		return b.ended
	}
	stop := b.stop
	b.stop = nil
	if stop() {
		return false
	}
	<-b.fired
	_ = b.conn.SetDeadline(time.Time{})
	b.ended = true
	return true
}

// release ends the binding, for the paths that return without done.
func (b *connBinding) release() { b.end() }

// done ends the binding and returns err or, when the context ended first,
// an error that wraps the context's error (and err, when there is one).
func (b *connBinding) done(err error) error {
	if !b.end() {
		return err
	}
	if err == nil || errors.Is(err, b.ctx.Err()) {
		return b.ctx.Err()
	}
	return %s
}
`
