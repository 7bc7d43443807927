package rewrite

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/dave/dst"
	"github.com/smartmigrate/smartmigrate/internal/analysis"
)

// An exported function-valued field keeps its type and gets a ctx field
// beside it (see analysis.SiblingField): the phase declares it, pairs
// every store into the field with a store into it, widens every nil
// check, and routes every call through a helper that prefers it.

// siblingEdits places the edits of a sibling group.
func (rw *rewriter) siblingEdits(g *analysis.FieldGroup) error {
	sf := g.Sibling
	if err := rw.declareSibling(g); err != nil {
		return err
	}
	for _, v := range g.Values {
		if err := rw.pairValue(g, v); err != nil {
			return err
		}
	}
	for _, nc := range sf.NilChecks {
		if err := rw.widenNilCheck(sf, nc); err != nil {
			return err
		}
	}
	rw.report(g.Lead().Var.Pos(), CodeRewritten, "func field %s gets %s beside it: %s stored (%d without a ctx form), %s through it",
		g.Lead().Short(), sf.Name, count(len(g.Values), "value"), g.Adapted(), count(len(g.Calls), "call"))
	return nil
}

// declareSibling writes the ctx field after the field's declaration.
func (rw *rewriter) declareSibling(g *analysis.FieldGroup) error {
	sf := g.Sibling
	fs, _, err := rw.locate(sf.Decl.Pos())
	if err != nil {
		return err
	}
	pkg := rw.packageOf(g.File().Syntax)
	typ := ctxFuncType(g.Signature(), rw.qualifier(fs, pkg.Types), rw.contextName(fs))
	field := g.Lead().Var.Name()
	end := fs.offset(sf.Decl.End())
	nl := bytes.IndexByte(fs.src[end:], '\n')
	indent := leadingSpace(fs.src[fs.offset(lineStart(fs, sf.Decl.Pos())):])
	if nl < 0 || bytes.ContainsRune(fs.src[end:end+nl], '}') {
		fs.edits = append(fs.edits, textEdit{start: end, end: end, text: "; " + sf.Name + " " + typ})
	} else {
		text := fmt.Sprintf("\n%s// %s is like %s but takes a context; when set, it is used\n%s// instead of %s.\n%s%s %s",
			indent, sf.Name, field, indent, field, indent, sf.Name, typ)
		fs.edits = append(fs.edits, textEdit{start: end + nl, end: end + nl, text: text})
	}
	rw.created(DeclField, g.Package()+"."+sf.Owner.Obj().Name()+"."+sf.Name, nil)
	return nil
}

// ctxFuncType is sig's func type with ctx first, parameters named as in
// sig when all are.
func ctxFuncType(sig *types.Signature, q types.Qualifier, ctxPkg string) string {
	ts := paramTypes(sig, q)
	named := sig.Params().Len() > 0
	for i := 0; i < sig.Params().Len(); i++ {
		n := sig.Params().At(i).Name()
		named = named && n != "" && n != "_" && n != "ctx"
	}
	params := []string{ctxPkg + ".Context"}
	if named {
		params[0] = "ctx " + params[0]
		for i, t := range ts {
			ts[i] = sig.Params().At(i).Name() + " " + t
		}
	}
	return "func(" + strings.Join(append(params, ts...), ", ") + ")" + resultsText(sig, q)
}

func leadingSpace(b []byte) string {
	n := 0
	for n < len(b) && (b[n] == ' ' || b[n] == '\t') {
		n++
	}
	return string(b[:n])
}

// pairValue stores, beside a value stored into the field, its ctx form
// into the ctx field (nil when it has none).
func (rw *rewriter) pairValue(g *analysis.FieldGroup, v *analysis.FieldValue) error {
	fs, viaDst, err := rw.locate(v.Store.Pos())
	if err != nil {
		return err
	}
	ctxVal := "nil"
	if v.CtxValue() {
		if name, ok := rw.ctxValueName(v.Func); ok && name != "" {
			ctxVal = renamedValue(fs, v.Expr, name)
		}
	}
	if viaDst {
		rw.fields.dstPairs[v.Store] = sibPair{value: v.Expr, text: ctxVal, name: g.Sibling.Name}
		return nil
	}
	switch s := v.Store.(type) {
	case *ast.AssignStmt:
		i := indexOf(s.Rhs, v.Expr)
		lhs := s.Lhs[i].(*ast.SelectorExpr)
		at := fs.offset(lhs.End())
		fs.edits = append(fs.edits, textEdit{start: at, end: at, text: ", " + nodeText(fs, lhs.X) + "." + g.Sibling.Name})
		at = fs.offset(v.Expr.End())
		fs.edits = append(fs.edits, textEdit{start: at, end: at, text: ", " + ctxVal})
	case *ast.KeyValueExpr:
		if ctxVal == "nil" {
			return nil // the zero value
		}
		at := fs.offset(s.End())
		sep := ", "
		if multiLine(fs.src[at:]) {
			sep = ",\n" + leadingSpace(fs.src[fs.offset(lineStart(fs, s.Pos())):])
		}
		fs.edits = append(fs.edits, textEdit{start: at, end: at, text: sep + g.Sibling.Name + ": " + ctxVal})
	}
	return nil
}

// sibPair is a store to pair inside a reprinted declaration.
type sibPair struct {
	value ast.Expr
	text  string // the ctx value's source text
	name  string // the ctx field
}

func indexOf(list []ast.Expr, e ast.Expr) int {
	for i, x := range list {
		if x == e {
			return i
		}
	}
	return 0
}

// multiLine reports whether src, after a composite literal's element,
// goes on with a comma at the end of the line.
func multiLine(src []byte) bool {
	rest := bytes.TrimLeft(src, " \t")
	if len(rest) == 0 || rest[0] != ',' {
		return false
	}
	rest = bytes.TrimLeft(rest[1:], " \t")
	return len(rest) == 0 || rest[0] == '\n' || bytes.HasPrefix(rest, []byte("//"))
}

// renamedValue is the text of the function value e with its name
// replaced by name (hello -> helloContext, c.hello -> c.helloContext).
func renamedValue(fs *fileState, e ast.Expr, name string) string {
	if sel, ok := ast.Unparen(e).(*ast.SelectorExpr); ok {
		return nodeText(fs, sel.X) + "." + name
	}
	return name
}

// widenNilCheck makes F == nil check FContext too (F != nil likewise).
func (rw *rewriter) widenNilCheck(sf *analysis.SiblingField, nc analysis.NilCheck) error {
	b := nc.Expr
	fs, viaDst, err := rw.locate(b.Pos())
	if err != nil {
		return err
	}
	if viaDst {
		rw.fields.dstNils[b] = sibNil{NilCheck: nc, name: sf.Name}
		return nil
	}
	field := b.X
	if isNil(field) {
		field = b.Y
	}
	join := " && "
	if b.Op == token.NEQ {
		join = " || "
	}
	extra := join + nodeText(fs, field.(*ast.SelectorExpr).X) + "." + sf.Name + " " + b.Op.String() + " nil"
	start, end := fs.offset(b.Pos()), fs.offset(b.End())
	if !nc.Paren {
		fs.edits = append(fs.edits, textEdit{start: end, end: end, text: extra})
		return nil
	}
	fs.edits = append(fs.edits, textEdit{start: start, end: start, text: "("}, textEdit{start: end, end: end, text: extra + ")"})
	return nil
}

func isNil(e ast.Expr) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	return ok && id.Name == "nil"
}

// siblingCallText routes a call through the field, outside the phase's
// declarations, through the group's helper: x.F(a) becomes
// helper(ctx, x.FContext, x.F, a).
func (rw *rewriter) siblingCallText(fs *fileState, g *analysis.FieldGroup, call *ast.CallExpr, src analysis.Source) {
	sel := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	helper := rw.callHelper(g)
	prefix := helper + "(" + rw.ctxArgText(fs, call, src) + ", " + nodeText(fs, sel.X) + "." + g.Sibling.Name + ", "
	start := fs.offset(call.Pos())
	lp := fs.offset(call.Lparen)
	sep := ""
	if len(call.Args) > 0 {
		sep = ", "
	}
	fs.edits = append(fs.edits, textEdit{start: start, end: start, text: prefix}, textEdit{start: lp, end: lp + 1, text: sep})
}

// siblingCallDst is siblingCallText on the dst tree of a reprinted
// declaration, whose ctx argument dc already has first.
func (br *bodyRewrite) siblingCallDst(g *analysis.FieldGroup, dc *dst.CallExpr) {
	sel, ok := dc.Fun.(*dst.SelectorExpr)
	if !ok {
		return
	}
	ctx, rest := dc.Args[0], dc.Args[1:]
	withCtx := &dst.SelectorExpr{X: dst.Clone(sel.X).(dst.Expr), Sel: dst.NewIdent(g.Sibling.Name)}
	dc.Args = append([]dst.Expr{ctx, withCtx, dc.Fun}, rest...)
	dc.Fun = dst.NewIdent(br.rw.callHelper(g))
}

// callHelper returns the name of the helper that calls through g's
// field, preferring its ctx field; written once per group at the end of
// the file that declares the field.
func (rw *rewriter) callHelper(g *analysis.FieldGroup) string {
	key := "call " + g.Lead().Name
	if n, ok := rw.fields.helpers[key]; ok {
		return n
	}
	pkg := rw.packageOf(g.File().Syntax)
	owner := g.Sibling.Owner.Obj().Name()
	field := g.Lead().Var.Name()
	base := strings.ToLower(owner[:1]) + owner[1:] + field
	name := base
	for i := 2; pkg.Types.Scope().Lookup(name) != nil; i++ {
		name = fmt.Sprintf("%s%d", base, i)
	}
	rw.fields.helpers[key] = name
	fs, err := rw.file(g.File().Syntax, pkg, true)
	if err != nil {
		return name
	}
	rw.created(DeclHelper, g.Package()+"."+name, nil)
	q := rw.qualifier(fs, pkg.Types)
	text := callHelperSource(name, owner, field, g.Sibling.Name, g.Lead().Var.Type(), q, rw.contextName(fs))
	fs.edits = append(fs.edits, textEdit{start: len(fs.src), end: len(fs.src), text: text})
	return name
}

// callHelperSource writes the helper that calls fn, the owner.field
// value, through withCtx, its ctx field, when that is set.
func callHelperSource(name, owner, field, ctxField string, typ types.Type, q types.Qualifier, ctxPkg string) string {
	sig := typ.Underlying().(*types.Signature)
	params, args, variadic := sigParams(namedParams(sig), q, map[string]bool{"fn": true, "ctx": true, "withCtx": true})
	call := strings.Join(args, ", ")
	if variadic {
		call += "..."
	}
	ret := "return "
	if sig.Results().Len() == 0 {
		ret = ""
	}
	all := append([]string{"ctx " + ctxPkg + ".Context", "withCtx " + ctxFuncType(sig, q, ctxPkg), "fn " + types.TypeString(typ, q)}, params...)
	var b strings.Builder
	fmt.Fprintf(&b, "\n// %s calls withCtx, the %s.%s value, when it is set,\n// else fn, the %s.%s value.\n", name, owner, ctxField, owner, field)
	fmt.Fprintf(&b, "func %s(%s)%s {\n\tif withCtx != nil {\n\t\t%swithCtx(%s)\n", name, strings.Join(all, ", "), resultsText(sig, q), ret, strings.Join(append([]string{"ctx"}, call), ", "))
	if ret == "" {
		b.WriteString("\t\treturn\n")
	}
	fmt.Fprintf(&b, "\t}\n\t%sfn(%s)\n}\n", ret, call)
	return b.String()
}

// siblingDst makes, on the dst tree of a reprinted declaration, the
// pairing and nil-check edits of sibling groups that lie inside n.
func (br *bodyRewrite) siblingDst(n ast.Node) {
	fp := br.rw.fields
	switch n := n.(type) {
	case *ast.AssignStmt:
		p, ok := fp.dstPairs[n]
		if !ok {
			return
		}
		da := br.d.Dst.Nodes[n].(*dst.AssignStmt)
		i := indexOf(n.Rhs, p.value)
		lhs := da.Lhs[i].(*dst.SelectorExpr)
		ctxLhs := &dst.SelectorExpr{X: dst.Clone(lhs.X).(dst.Expr), Sel: dst.NewIdent(p.name)}
		da.Lhs = insertExpr(da.Lhs, i+1, ctxLhs)
		da.Rhs = insertExpr(da.Rhs, i+1, dst.NewIdent(p.text))
	case *ast.CompositeLit:
		for i := len(n.Elts) - 1; i >= 0; i-- {
			p, ok := fp.dstPairs[n.Elts[i]]
			if !ok || p.text == "nil" {
				continue
			}
			dl := br.d.Dst.Nodes[n].(*dst.CompositeLit)
			kv := &dst.KeyValueExpr{Key: dst.NewIdent(p.name), Value: dst.NewIdent(p.text)}
			if dl.Elts[i].Decorations().After == dst.NewLine {
				kv.Decs.Before, kv.Decs.After = dst.NewLine, dst.NewLine
			}
			dl.Elts = insertExpr(dl.Elts, i+1, kv)
		}
	case *ast.BinaryExpr:
		nc, ok := fp.dstNils[n]
		if !ok {
			return
		}
		name := nc.name
		db := br.d.Dst.Nodes[n].(*dst.BinaryExpr)
		field := db.X
		if id, ok := field.(*dst.Ident); ok && id.Name == "nil" {
			field = db.Y
		}
		sel := field.(*dst.SelectorExpr)
		other := &dst.BinaryExpr{X: &dst.SelectorExpr{X: dst.Clone(sel.X).(dst.Expr), Sel: dst.NewIdent(name)}, Op: db.Op, Y: dst.NewIdent("nil")}
		join := token.LAND
		if db.Op == token.NEQ {
			join = token.LOR
		}
		var wide dst.Expr = &dst.BinaryExpr{X: db, Op: join, Y: other}
		if nc.Paren {
			wide = &dst.ParenExpr{X: wide}
		}
		br.edits[db] = bodyEdit{expr: wide}
	}
}

// sibNil is a nil check to widen inside a reprinted declaration.
type sibNil struct {
	analysis.NilCheck
	name string // the ctx field
}

func insertExpr(list []dst.Expr, i int, e dst.Expr) []dst.Expr {
	list = append(list, nil)
	copy(list[i+1:], list[i:])
	list[i] = e
	return list
}
