package rewrite

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"strings"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
	"github.com/dave/dst/dstutil"
	"github.com/smartmigrate/smartmigrate/internal/analysis"
)

// httpStatement rewrites `resp, err := http.Get(url)` (and Head, Post,
// PostForm, and the same methods of *http.Client) into a request made with
// NewRequestWithContext and, when that worked, Do:
//
//	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
//	var resp *http.Response
//	if err == nil {
//		resp, err = http.DefaultClient.Do(req)
//	}
//
// so that an error of either takes the error path the call's error took,
// with the same message (http.Get makes the same request itself). It
// returns why it could not, or "".
func (br *bodyRewrite) httpStatement(call *ast.CallExpr, r *analysis.Rule, stack []ast.Node) string {
	assign, why := httpAssign(br.fs, call, stack)
	if why != "" {
		return why
	}
	if wantArgs := map[string]int{"": 1, "body": 3, "form": 2}[r.Type]; len(call.Args) != wantArgs {
		return "unexpected arguments"
	}
	text, why := br.httpText(assign, r)
	if why != "" {
		return why
	}
	stmts, err := parseStmts(text)
	if err != nil {
		return "internal error: " + err.Error()
	}
	dc := br.d.Dst.Nodes[call].(*dst.CallExpr)
	da := br.d.Dst.Nodes[assign].(*dst.AssignStmt)
	holes := map[string]dst.Expr{"__URL__": dc.Args[0], "__LHS0__": da.Lhs[0]}
	if dsel, ok := dc.Fun.(*dst.SelectorExpr); ok {
		holes["__CLIENT__"] = dsel.X
	}
	switch r.Type {
	case "body":
		holes["__CT__"], holes["__BODY__"] = dc.Args[1], dc.Args[2]
	case "form":
		holes["__FORM__"] = dc.Args[1]
	}
	for i, s := range stmts {
		stmts[i] = fillHoles(s, holes).(dst.Stmt)
	}
	stmts[0].Decorations().Start = da.Decs.Start
	stmts[0].Decorations().Before = da.Decs.Before
	last := stmts[len(stmts)-1]
	last.Decorations().End = da.Decs.End
	last.Decorations().After = da.Decs.After
	br.edits[da] = bodyEdit{stmts: stmts}
	return ""
}

// httpAssign is the assignment `resp, err := call` the call must be the
// whole right-hand side of, a statement of its own; else why not.
func httpAssign(fs *fileState, call *ast.CallExpr, stack []ast.Node) (*ast.AssignStmt, string) {
	if !fs.typed {
		return nil, "in a file the build constraints exclude (no types)"
	}
	if len(stack) < 3 {
		return nil, "not the right-hand side of an assignment"
	}
	assign, ok := stack[len(stack)-2].(*ast.AssignStmt)
	if !ok || len(assign.Rhs) != 1 || assign.Rhs[0] != call || len(assign.Lhs) != 2 {
		return nil, "not the right-hand side of an assignment (resp, err := ...)"
	}
	switch stack[len(stack)-3].(type) {
	case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
	default:
		return nil, "the assignment is not a statement of its own (an if or for header)"
	}
	if errID, ok := assign.Lhs[1].(*ast.Ident); !ok || errID.Name == "_" {
		return nil, "its error is discarded"
	}
	if _, ok := call.Fun.(*ast.SelectorExpr); !ok {
		return nil, "not called as pkg.Func or client.Method"
	}
	return assign, ""
}

// httpText writes the statements that replace assign, with holes for the
// expressions the call had.
func (br *bodyRewrite) httpText(assign *ast.AssignStmt, r *analysis.Rule) (string, string) {
	info := br.fs.pkg.TypesInfo
	httpPkg := br.importName("net/http")
	client := httpPkg + ".DefaultClient"
	if strings.HasPrefix(r.Call, "(*net/http.Client)") {
		client = "__CLIENT__"
	}
	req := freshName("req", br.used)
	br.used[req] = true
	body, setHeader := "nil", ""
	switch r.Type {
	case "body":
		body = "__BODY__"
		setHeader = fmt.Sprintf("%s.Header.Set(\"Content-Type\", __CT__)\n", req)
	case "form":
		body = br.importName("strings") + ".NewReader(__FORM__.Encode())"
		setHeader = fmt.Sprintf("%s.Header.Set(\"Content-Type\", \"application/x-www-form-urlencoded\")\n", req)
	}
	errID := assign.Lhs[1].(*ast.Ident)
	newReq := fmt.Sprintf("%s.NewRequestWithContext(%s, %s.%s, __URL__, %s)", httpPkg, br.ctxName, httpPkg, r.Method, body)
	// The request line declares req; it may reuse err only where err is
	// declared in this very scope (or is new), else it would shadow it.
	text := fmt.Sprintf("%s, %s := %s\n", req, errID.Name, newReq)
	if assign.Tok == token.ASSIGN && !sameScope(info, errID, assign) {
		text = fmt.Sprintf("var %s *%s.Request\n%s, %s = %s\n", req, httpPkg, req, errID.Name, newReq)
	}
	// A response variable the assignment declared is declared before the
	// if that sets it.
	if id := identOf(assign.Lhs[0]); assign.Tok == token.DEFINE && id != nil && id.Name != "_" && info.Defs[id] != nil {
		text += fmt.Sprintf("var %s *%s.Response\n", id.Name, httpPkg)
	}
	text += fmt.Sprintf("if %s == nil {\n%s__LHS0__, %s = %s.Do(%s)\n}\n", errID.Name, setHeader, errID.Name, client, req)
	return text, ""
}

func identOf(e ast.Expr) *ast.Ident {
	id, _ := e.(*ast.Ident)
	return id
}

// sameScope reports whether the variable id refers to is declared in the
// scope that holds stmt.
func sameScope(info *types.Info, id *ast.Ident, stmt ast.Stmt) bool {
	obj := info.Uses[id]
	if obj == nil {
		return false
	}
	scope := obj.Parent()
	return scope != nil && scope.Pos() <= stmt.Pos() && stmt.End() <= scope.End() && scope.Innermost(stmt.Pos()) == scope
}

// qualifier names packages as this file imports them; the file's own
// package is unqualified. A package the file does not import yields "?".
func (br *bodyRewrite) qualifier() types.Qualifier {
	names := map[string]string{}
	for name, path := range fileImports(br.fs.syntax) {
		names[path] = name
	}
	return func(p *types.Package) string {
		if p == br.fs.pkg.Types || p.Path() == br.fs.pkg.PkgPath {
			return ""
		}
		if n, ok := names[p.Path()]; ok {
			return n
		}
		return "?"
	}
}

// parseStmts parses statements written as text into dst.
func parseStmts(text string) ([]dst.Stmt, error) {
	src := "package p\nfunc _() {\n" + text + "}\n"
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	df, err := decorator.NewDecorator(fset).DecorateFile(f)
	if err != nil {
		return nil, err
	}
	return df.Decls[0].(*dst.FuncDecl).Body.List, nil
}

// fillHoles replaces identifiers named in holes by the given expressions.
func fillHoles(n dst.Node, holes map[string]dst.Expr) dst.Node {
	return dstutil.Apply(n, nil, func(c *dstutil.Cursor) bool {
		if id, ok := c.Node().(*dst.Ident); ok {
			if e, ok := holes[id.Name]; ok {
				c.Replace(e)
			}
		}
		return true
	})
}
