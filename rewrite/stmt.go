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
// NewRequestWithContext, an early return on its error, and Do. It returns
// why it could not, or "".
func (br *bodyRewrite) httpStatement(call *ast.CallExpr, r *analysis.Rule, stack []ast.Node, decl *ast.FuncDecl) string {
	if !br.fs.typed {
		return "in a file the build constraints exclude (no types)"
	}
	info := br.fs.pkg.TypesInfo
	if len(stack) < 3 {
		return "not the right-hand side of an assignment"
	}
	assign, ok := stack[len(stack)-2].(*ast.AssignStmt)
	if !ok || len(assign.Rhs) != 1 || assign.Rhs[0] != call || len(assign.Lhs) != 2 {
		return "not the right-hand side of an assignment (resp, err := ...)"
	}
	switch stack[len(stack)-3].(type) {
	case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
	default:
		return "the assignment is not a statement of its own (an if or for header)"
	}
	errID, ok := assign.Lhs[1].(*ast.Ident)
	if !ok || errID.Name == "_" {
		return "its error is discarded"
	}
	sig := enclosingSignature(info, stack, decl)
	if sig == nil || sig.Results().Len() == 0 || !types.Identical(sig.Results().At(sig.Results().Len()-1).Type(), types.Universe.Lookup("error").Type()) {
		return "the enclosing function does not return an error last, so the request's error has nowhere to go"
	}
	qual := br.qualifier()
	var zeros []string
	for i := 0; i < sig.Results().Len()-1; i++ {
		z, ok := zeroValue(sig.Results().At(i).Type(), qual)
		if !ok {
			return "a zero value of " + sig.Results().At(i).Type().String() + " cannot be written in this file"
		}
		zeros = append(zeros, z)
	}
	// Which package name and client: http.Get uses http.DefaultClient,
	// c.Get uses c.
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return "not called as pkg.Func or client.Method"
	}
	httpPkg := br.importName("net/http")
	if httpPkg == "" {
		return "net/http is not imported by this file under a usable name"
	}
	method := sel.Sel.Name
	client := httpPkg + ".DefaultClient"
	if strings.HasPrefix(r.Call, "(*net/http.Client)") {
		client = "__CLIENT__"
	}
	req := freshName("req", br.used)
	br.used[req] = true
	args := call.Args
	var body, setHeader string
	switch method {
	case "Get", "Head":
		body = "nil"
		if len(args) != 1 {
			return "unexpected arguments"
		}
	case "Post":
		if len(args) != 3 {
			return "unexpected arguments"
		}
		body = "__BODY__"
		setHeader = fmt.Sprintf("%s.Header.Set(\"Content-Type\", __CT__)\n", req)
	case "PostForm":
		if len(args) != 2 {
			return "unexpected arguments"
		}
		strs := br.importName("strings")
		if strs == "" {
			return "strings cannot be imported under its name in this file"
		}
		body = strs + ".NewReader(__FORM__.Encode())"
		setHeader = fmt.Sprintf("%s.Header.Set(\"Content-Type\", \"application/x-www-form-urlencoded\")\n", req)
	}
	httpMethod := map[string]string{"Get": "MethodGet", "Head": "MethodHead", "Post": "MethodPost", "PostForm": "MethodPost"}[method]
	errName := errID.Name
	// The request line declares req; it may reuse err only where err is
	// declared in this very scope (or is new), else it would shadow it.
	reqLine := fmt.Sprintf("%s, %s := %s.NewRequestWithContext(%s, %s.%s, __URL__, %s)\n", req, errName, httpPkg, br.ctxName, httpPkg, httpMethod, body)
	if assign.Tok == token.ASSIGN && !sameScope(info, errID, assign) {
		reqLine = fmt.Sprintf("var %s *%s.Request\n%s, %s = %s.NewRequestWithContext(%s, %s.%s, __URL__, %s)\n", req, httpPkg, req, errName, httpPkg, br.ctxName, httpPkg, httpMethod, body)
	}
	// The request line declared err: Do declares only a new, non-blank
	// response variable.
	tok := "="
	if id := identOf(assign.Lhs[0]); assign.Tok == token.DEFINE && id != nil && id.Name != "_" && info.Defs[id] != nil {
		tok = ":="
	}
	text := reqLine +
		fmt.Sprintf("if %s != nil {\nreturn %s\n}\n", errName, strings.Join(append(zeros, errName), ", ")) +
		setHeader +
		fmt.Sprintf("__LHS0__, %s %s %s.Do(%s)\n", errName, tok, client, req)
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
	switch method {
	case "Post":
		holes["__CT__"], holes["__BODY__"] = dc.Args[1], dc.Args[2]
	case "PostForm":
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

// enclosingSignature is the signature of the innermost function literal
// around the call, else of decl.
func enclosingSignature(info *types.Info, stack []ast.Node, decl *ast.FuncDecl) *types.Signature {
	for i := len(stack) - 1; i >= 0; i-- {
		if lit, ok := stack[i].(*ast.FuncLit); ok {
			sig, _ := info.TypeOf(lit).(*types.Signature)
			return sig
		}
	}
	if obj, ok := info.Defs[decl.Name]; ok && obj != nil {
		sig, _ := obj.Type().(*types.Signature)
		return sig
	}
	return nil
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

// zeroValue writes the zero value of t, or reports that it cannot.
func zeroValue(t types.Type, qual types.Qualifier) (string, bool) {
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
		if _, ok := t.(*types.TypeParam); ok {
			s = "*new(" + types.TypeString(t, qual) + ")"
		}
	default:
		s = types.TypeString(t, qual) + "{}"
		if _, ok := t.(*types.TypeParam); ok {
			s = "*new(" + types.TypeString(t, qual) + ")"
		}
	}
	if strings.Contains(s, "?") {
		return "", false
	}
	return s, true
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
