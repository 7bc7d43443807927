package rewrite

import (
	"fmt"
	"go/ast"
	"go/types"
	"strings"

	"github.com/dave/dst"
)

// valueRef is a function passed as a value (a callback) whose ctx form a
// ctx form's closure calls instead.
type valueRef struct {
	what string // for the report
	form string // the ctx form: a function beside it, or a method of the same receiver
}

// value replaces a function value passed to a call, c.Each(c.ping), by a
// closure that calls its ctx form with ctx:
// c.Each(func(addr net.Addr) error { return c.pingContext(ctx, addr) });
// a method expression (*Client).Fetch becomes
// func(c *Client) error { return c.FetchContext(ctx) }.
func (br *bodyRewrite) value(expr ast.Expr, v valueRef) {
	rw := br.rw
	text := nodeText(br.fs, expr)
	left := func(why string) {
		rw.report(expr.Pos(), CodeLeft, "%s (a function value) left as is: %s", text, why)
	}
	sig, ok := br.fs.pkg.TypesInfo.TypeOf(expr).(*types.Signature)
	if !ok {
		left("its type is unknown")
		return
	}
	var fun dst.Expr
	methodExpr := false
	switch e := expr.(type) {
	case *ast.Ident:
		fun = dst.NewIdent(v.form)
	case *ast.SelectorExpr:
		if s := br.fs.pkg.TypesInfo.Selections[e]; s != nil && s.Kind() == types.MethodExpr {
			methodExpr = true // (*T).M: the closure's first parameter is the receiver
			break
		}
		x, ok := e.X.(*ast.Ident)
		if !ok {
			left("its receiver is not a plain name, which a closure would evaluate later")
			return
		}
		fun = &dst.SelectorExpr{X: dst.NewIdent(x.Name), Sel: dst.NewIdent(v.form)}
	default:
		left("not a name")
		return
	}
	qual := br.qualifier()
	used := map[string]bool{br.ctxName: true}
	for n := range br.used {
		used[n] = true
	}
	var params, args []string
	for i := 0; i < sig.Params().Len(); i++ {
		p := sig.Params().At(i)
		name := p.Name()
		if name == "" || name == "_" {
			name = fmt.Sprintf("p%d", i)
			if methodExpr && i == 0 {
				name = recvParamName(p.Type())
			}
		}
		name = freshName(name, used)
		used[name] = true
		t := p.Type()
		arg := name
		typ := ""
		if sig.Variadic() && i == sig.Params().Len()-1 {
			typ = "..." + types.TypeString(t.(*types.Slice).Elem(), qual)
			arg += "..."
		} else {
			typ = types.TypeString(t, qual)
		}
		params = append(params, name+" "+typ)
		args = append(args, arg)
	}
	var results []string
	for i := 0; i < sig.Results().Len(); i++ {
		results = append(results, types.TypeString(sig.Results().At(i).Type(), qual))
	}
	res := ""
	switch len(results) {
	case 0:
	case 1:
		res = " " + results[0]
	default:
		res = " (" + strings.Join(results, ", ") + ")"
	}
	head := "(" + strings.Join(params, ", ") + ")" + res
	if strings.Contains(head, "?") {
		left("a type in its signature cannot be written in this file")
		return
	}
	call := "__FN__(" + strings.Join(append([]string{br.ctxName}, args...), ", ") + ")"
	if methodExpr {
		call = args[0] + "." + v.form + "(" + strings.Join(append([]string{br.ctxName}, args[1:]...), ", ") + ")"
	}
	if len(results) > 0 {
		call = "return " + call
	}
	stmts, err := parseStmts(fmt.Sprintf("_ = func%s { %s }\n", head, call))
	if err != nil {
		left("internal error: " + err.Error())
		return
	}
	lit := stmts[0].(*dst.AssignStmt).Rhs[0]
	if fun != nil {
		lit = fillHoles(lit, map[string]dst.Expr{"__FN__": fun}).(dst.Expr)
	}
	br.edits[br.d.Dst.Nodes[expr]] = bodyEdit{expr: lit}
	rw.report(expr.Pos(), CodeRewritten, "%s (a function value) -> a closure calling %s with %s", text, v.form, br.ctxName)
}

// recvParamName is a short name for a receiver of type t, "c" for
// *Client, as a closure standing for a method expression names it.
func recvParamName(t types.Type) string {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := types.Unalias(t).(*types.Named); ok && n.Obj().Name() != "" {
		return strings.ToLower(n.Obj().Name()[:1])
	}
	return "recv"
}
