package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/dave/dst"
	"github.com/smartmigrate/smartmigrate/internal/analysis"
	"golang.org/x/tools/go/packages"
)

// fieldPhase is what a phase changes of the function-valued fields whose
// groups it migrates (see analysis.FieldGroup): the slots' types gain
// ctx, the values stored into them become ctx values, and the calls
// through them pass a ctx. Edits inside a declaration the phase reprints
// are made on its dst tree (dst*), the others as text.
type fieldPhase struct {
	groups map[*analysis.FieldGroup]bool
	// calls are the calls through the groups' fields.
	calls map[*ast.CallExpr]*analysis.FieldGroup
	// closures are the closures stored into them, with their ctx
	// parameter's name (in a reprinted declaration, the ctx form's).
	closures map[*ast.FuncLit]string
	// closureCtx is the ctx a call or operation inside such a closure
	// passes, when the closure is edited as text.
	closureCtx map[ast.Node]string
	// dstTypes are the func types to give a ctx parameter; dstWraps the
	// expressions to wrap with a helper; dstRenames the method values to
	// rename to their ctx form.
	dstTypes   map[*ast.FuncType]bool
	dstWraps   map[ast.Expr]string
	dstRenames map[*ast.Ident]string
	// helpers are the adapters written, by package and type.
	helpers map[string]string
	// dstPairs are the stores into sibling groups' fields, dstNils their
	// nil checks, inside reprinted declarations (see siblingDst).
	dstPairs map[ast.Node]sibPair
	dstNils  map[*ast.BinaryExpr]sibNil
}

// activeGroups are the groups that the phase's units carry.
func (rw *rewriter) activeGroups() {
	fp := &fieldPhase{
		groups: map[*analysis.FieldGroup]bool{}, calls: map[*ast.CallExpr]*analysis.FieldGroup{},
		closures: map[*ast.FuncLit]string{}, closureCtx: map[ast.Node]string{},
		dstTypes: map[*ast.FuncType]bool{}, dstWraps: map[ast.Expr]string{}, dstRenames: map[*ast.Ident]string{},
		helpers: map[string]string{}, dstPairs: map[ast.Node]sibPair{}, dstNils: map[*ast.BinaryExpr]sibNil{},
	}
	rw.fields = fp
	for _, u := range rw.in.Units {
		for _, g := range u.Groups {
			if fp.groups[g] {
				continue
			}
			fp.groups[g] = true
			for _, c := range g.Calls {
				if g.Sibling == nil || !g.Sibling.LeftAsIs(c) {
					fp.calls[c] = g
				}
			}
		}
	}
}

// locate returns the file state that holds pos, and whether the
// top-level declaration around it is reprinted (an edit there goes through
// dst; elsewhere it is a text edit).
func (rw *rewriter) locate(pos token.Pos) (*fileState, bool, error) {
	for _, pkg := range rw.mod.Packages {
		for _, f := range pkg.Syntax {
			if pos < f.FileStart || pos >= f.FileEnd {
				continue
			}
			fs, err := rw.file(f, pkg, true)
			if err != nil {
				return nil, false, err
			}
			for _, d := range f.Decls {
				if d.Pos() <= pos && pos < d.End() {
					return fs, fs.reprint[d], nil
				}
			}
			return fs, false, nil
		}
	}
	return nil, false, fmt.Errorf("%s: file not loaded", rw.position(pos))
}

// fieldEdits places every edit of the phase's groups.
func (rw *rewriter) fieldEdits() error {
	for _, g := range rw.in.Model.Groups {
		if !rw.fields.groups[g] {
			continue
		}
		if g.Sibling != nil {
			if err := rw.siblingEdits(g); err != nil {
				return err
			}
			continue
		}
		for _, t := range g.Types {
			if err := rw.slotType(t); err != nil {
				return err
			}
		}
		for _, t := range g.Named {
			if err := rw.namedSlotType(g, t); err != nil {
				return err
			}
		}
		for _, v := range g.Values {
			if err := rw.fieldValue(g, v); err != nil {
				return err
			}
		}
		for _, r := range g.Reads {
			if err := rw.wrap(r, rw.helper(g, false)); err != nil {
				return err
			}
		}
		rw.report(g.Lead().Var.Pos(), CodeRewritten, "func field %s takes ctx first: %s stored (%d adapted), %s through it",
			g.Lead().Short(), count(len(g.Values), "value"), g.Adapted(), count(len(g.Calls), "call"))
	}
	// Calls last: one inside a closure stored into a group passes the
	// closure's ctx.
	for call := range rw.fields.calls {
		if err := rw.fieldCallSite(call); err != nil {
			return err
		}
	}
	return nil
}

// count is "1 call", "2 calls".
func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// slotType gives a field's or a parameter's func type ctx first.
func (rw *rewriter) slotType(t *ast.FuncType) error {
	fs, viaDst, err := rw.locate(t.Pos())
	if err != nil {
		return err
	}
	if viaDst {
		rw.fields.dstTypes[t] = true
		return nil
	}
	rw.insertCtxParam(fs, t, "ctx", false)
	return nil
}

// namedSlotType replaces a field's named func type (dial DialFunc) with
// the func type with ctx first; the field is declared in a struct type,
// never reprinted.
func (rw *rewriter) namedSlotType(g *analysis.FieldGroup, t ast.Expr) error {
	fs, _, err := rw.locate(t.Pos())
	if err != nil {
		return err
	}
	pkg := rw.packageOf(fs.syntax)
	text := ctxFuncType(g.Signature(), rw.qualifier(fs, pkg.Types), rw.contextName(fs))
	fs.edits = append(fs.edits, textEdit{start: fs.offset(t.Pos()), end: fs.offset(t.End()), text: text})
	return nil
}

// insertCtxParam inserts a ctx parameter into t as text: named (name,
// made fresh among t's names) in a closure and where the other parameters
// are named, else only its type.
func (rw *rewriter) insertCtxParam(fs *fileState, t *ast.FuncType, name string, closure bool) string {
	text := rw.contextName(fs) + ".Context"
	list := t.Params.List
	if closure || len(list) > 0 && len(list[0].Names) > 0 {
		name = freshName(name, identNames(t))
		text = name + " " + text
	}
	if len(list) > 0 {
		text += ", "
	}
	off := fs.offset(t.Params.Opening) + 1
	fs.edits = append(fs.edits, textEdit{start: off, end: off, text: text})
	return name
}

// fieldValue rewrites a value stored into a group's slot.
func (rw *rewriter) fieldValue(g *analysis.FieldGroup, v *analysis.FieldValue) error {
	switch v.Kind {
	case analysis.ValueNil, analysis.ValueFlow:
		return nil
	case analysis.ValueClosure:
		return rw.fieldClosure(v)
	case analysis.ValueFunc:
		if name, ok := rw.ctxValueName(v.Func); ok {
			if name == "" {
				return nil // changed in place in this phase: its value is the ctx value
			}
			return rw.rename(identOfValue(v.Expr), name)
		}
	}
	return rw.wrap(v.Expr, rw.helper(g, true))
}

// ctxValueName is the name to store instead of f's: its ctx form's, ""
// for a function changed in place in this phase, and false when f gets
// no ctx form here (its value is adapted).
func (rw *rewriter) ctxValueName(f *analysis.Func) (string, bool) {
	if t := rw.targets[f]; t != nil {
		if t.kind == analysis.Sibling {
			return f.CtxFormName(), true
		}
		return "", true
	}
	if f.CtxForm != nil {
		rw.use(f.CtxForm.FullName())
		return f.CtxForm.Name(), true
	}
	return "", false
}

func identOfValue(e ast.Expr) *ast.Ident {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		return e
	case *ast.SelectorExpr:
		return e.Sel
	}
	return nil
}

// rename renames a function value to its ctx form.
func (rw *rewriter) rename(id *ast.Ident, name string) error {
	fs, viaDst, err := rw.locate(id.Pos())
	if err != nil {
		return err
	}
	if viaDst {
		rw.fields.dstRenames[id] = name
		return nil
	}
	fs.edits = append(fs.edits, textEdit{start: fs.offset(id.Pos()), end: fs.offset(id.End()), text: name})
	return nil
}

// wrap wraps e with a call to helper.
func (rw *rewriter) wrap(e ast.Expr, helper string) error {
	fs, viaDst, err := rw.locate(e.Pos())
	if err != nil {
		return err
	}
	if viaDst {
		rw.fields.dstWraps[e] = helper
		return nil
	}
	start, end := fs.offset(e.Pos()), fs.offset(e.End())
	fs.edits = append(fs.edits, textEdit{start: start, end: start, text: helper + "("}, textEdit{start: end, end: end, text: ")"})
	rw.report(e.Pos(), CodeRewritten, "%s wrapped with %s", nodeText(fs, e), helper)
	return nil
}

// fieldClosure gives a closure stored into a group a ctx parameter, and
// hands it on to what the closure calls.
func (rw *rewriter) fieldClosure(v *analysis.FieldValue) error {
	lit := v.Func.Closure
	fs, viaDst, err := rw.locate(lit.Pos())
	if err != nil {
		return err
	}
	if viaDst {
		rw.fields.closures[lit] = "" // the ctx form's ctx name, set when it is rewritten
		rw.fields.dstTypes[lit.Type] = true
		return nil
	}
	name := freshName("ctx", identNames(lit))
	rw.insertCtxParam(fs, lit.Type, name, true)
	rw.fields.closures[lit] = name
	for _, c := range v.Func.Calls {
		if call := c.Expr(); call != nil && !c.Detached {
			rw.fields.closureCtx[call] = name
			rw.sources[call] = analysis.Source{Kind: analysis.SourceVar, Name: name}
		}
	}
	for _, o := range v.Func.Ops {
		if !o.Blocks() && o.Rule.Rewrite != analysis.RewriteBackground {
			continue
		}
		if o.Rule.Rewrite == analysis.RewriteBackground && !o.Detached {
			call := o.Call()
			fs.edits = append(fs.edits, textEdit{start: fs.offset(call.Pos()), end: fs.offset(call.End()), text: name})
			rw.report(call.Pos(), CodeRewritten, "%s -> %s", shortName(o.Rule.Call), name)
			continue
		}
		rw.report(o.Pos, CodeLeft, "%s left as is: in a closure stored into a func field, outside the phase's functions", o.Name())
	}
	return nil
}

// fieldCallSite passes a ctx to a call through a group's field outside
// the phase's declarations (those pass their own, see bodyRewrite.call).
func (rw *rewriter) fieldCallSite(call *ast.CallExpr) error {
	fs, viaDst, err := rw.locate(call.Pos())
	if err != nil {
		return err
	}
	if viaDst {
		return nil
	}
	src, ok := rw.sources[call]
	if name := rw.fields.closureCtx[call]; name != "" {
		src, ok = analysis.Source{Kind: analysis.SourceVar, Name: name}, true
	}
	if !ok {
		src = analysis.Source{Kind: analysis.SourceTODO}
	}
	if g := rw.fields.calls[call]; g.Sibling != nil {
		rw.siblingCallText(fs, g, call, src)
		return nil
	}
	rw.addArg(fs, call, src)
	return nil
}

// helper returns the name of g's adapter (IgnoringCtx when ignoring,
// else WithBackground): one an earlier phase wrote for the same type, or
// one written now at the end of the file that declares g's lead field,
// once per package and type.
func (rw *rewriter) helper(g *analysis.FieldGroup, ignoring bool) string {
	sig := g.Signature()
	full := func(p *types.Package) string { return p.Path() }
	key := fmt.Sprintf("%s %s%s %v", g.Package(), strings.Join(paramTypes(sig, full), ","), resultsText(sig, full), ignoring)
	if n, ok := rw.fields.helpers[key]; ok {
		return n
	}
	pkg := rw.packageOf(g.File().Syntax)
	name, exists := rw.helperName(g, pkg.Types, ignoring)
	rw.fields.helpers[key] = name
	if exists {
		rw.use(g.Package() + "." + name)
		return name
	}
	fs, err := rw.file(g.File().Syntax, pkg, true)
	if err != nil {
		return name
	}
	rw.created(DeclHelper, g.Package()+"."+name, nil)
	text := adapterSource(name, g.Lead().Var.Name(), sig, rw.qualifier(fs, pkg.Types), rw.contextName(fs), ignoring)
	fs.edits = append(fs.edits, textEdit{start: len(fs.src), end: len(fs.src), text: text})
	return name
}

// helperName picks the name of g's adapter: processIgnoringCtx, else
// with the struct's name (clientProcessIgnoringCtx), else numbered; and
// reports whether an adapter of that name and type exists already.
func (rw *rewriter) helperName(g *analysis.FieldGroup, pkg *types.Package, ignoring bool) (string, bool) {
	suffix := "WithBackground"
	if ignoring {
		suffix = "IgnoringCtx"
	}
	field := g.Lead().Var.Name()
	owner := strings.TrimPrefix(strings.TrimSuffix(g.Lead().Name, "."+field), g.Package()+".")
	cands := []string{field + suffix}
	if owner != "" && !strings.Contains(owner, ".") {
		cands = append(cands, strings.ToLower(owner[:1])+owner[1:]+strings.ToUpper(field[:1])+field[1:]+suffix)
	}
	for i := 2; ; i++ {
		name := fmt.Sprintf("%s%s%d", field, suffix, i)
		if i-2 < len(cands) {
			name = cands[i-2]
		}
		taken := false
		for _, n := range rw.fields.helpers {
			taken = taken || n == name
		}
		obj := pkg.Scope().Lookup(name)
		if !taken && obj == nil {
			return name, false
		}
		if !taken && isAdapter(obj, g.Signature(), ignoring) {
			return name, true
		}
	}
}

// isAdapter reports whether obj is an adapter an earlier phase wrote for
// the sync type sig: IgnoringCtx takes it, WithBackground returns it.
func isAdapter(obj types.Object, sig *types.Signature, ignoring bool) bool {
	fn, ok := obj.(*types.Func)
	if !ok {
		return false
	}
	s := fn.Signature()
	if s.Params().Len() != 1 || s.Results().Len() != 1 {
		return false
	}
	t := s.Results().At(0).Type()
	if ignoring {
		t = s.Params().At(0).Type()
	}
	return types.Identical(t, sig)
}

// packageOf is the loaded package that holds f.
func (rw *rewriter) packageOf(f *ast.File) *packages.Package {
	for _, pkg := range rw.mod.Packages {
		for _, s := range pkg.Syntax {
			if s == f {
				return pkg
			}
		}
	}
	return nil
}

// adapterSource writes an adapter between a field's sync type sig and its
// ctx type: ignoring, it turns a sync func into a ctx one that ignores the
// ctx; else a ctx func into a sync one that passes context.Background().
func adapterSource(name, field string, sig *types.Signature, q types.Qualifier, ctxPkg string, ignoring bool) string {
	params, args, variadic := sigParams(namedParams(sig), q, map[string]bool{"fn": true, "ctx": true})
	call := strings.Join(args, ", ")
	if variadic {
		call += "..."
	}
	results := resultsText(sig, q)
	syncType := "func(" + strings.Join(paramTypes(sig, q), ", ") + ")" + results
	ctxType := "func(" + strings.Join(append([]string{ctxPkg + ".Context"}, paramTypes(sig, q)...), ", ") + ")" + results
	ret := "return "
	if sig.Results().Len() == 0 {
		ret = ""
	}
	var b strings.Builder
	if ignoring {
		fmt.Fprintf(&b, "\n// %s adapts a func without a ctx to the type of the\n// %s field: it ignores the ctx, so fn cannot be cancelled.\n", name, field)
		fmt.Fprintf(&b, "func %s(fn %s) %s {\n\tif fn == nil {\n\t\treturn nil\n\t}\n", name, syncType, ctxType)
		fmt.Fprintf(&b, "\treturn func(%s) %s {\n\t\t%sfn(%s)\n\t}\n}\n", strings.Join(append([]string{"_ " + ctxPkg + ".Context"}, params...), ", "), strings.TrimSpace(results), ret, call)
		return b.String()
	}
	fmt.Fprintf(&b, "\n// %s adapts a func of the type of the %s field to\n// the type the field had before: it calls fn with %s.Background().\n", name, field, ctxPkg)
	fmt.Fprintf(&b, "func %s(fn %s) %s {\n\tif fn == nil {\n\t\treturn nil\n\t}\n", name, ctxType, syncType)
	fmt.Fprintf(&b, "\treturn func(%s) %s {\n\t\t%sfn(%s)\n\t}\n}\n", strings.Join(params, ", "), strings.TrimSpace(results), ret, strings.Join(append([]string{ctxPkg + ".Background()"}, call), ", "))
	return b.String()
}

// namedParams is sig with a name for each unnamed parameter, after its
// type (cmder for a Cmder, conns for a []*Conn), where one is at hand.
func namedParams(sig *types.Signature) *types.Signature {
	var vars []*types.Var
	used := map[string]bool{"fn": true, "ctx": true}
	for i := 0; i < sig.Params().Len(); i++ {
		v := sig.Params().At(i)
		name := v.Name()
		if name == "" || name == "_" {
			name = typeArgName(v.Type())
		}
		if used[name] || token.Lookup(name) != token.IDENT {
			name = ""
		}
		used[name] = true
		vars = append(vars, types.NewParam(v.Pos(), v.Pkg(), name, v.Type()))
	}
	return types.NewSignatureType(nil, nil, nil, types.NewTuple(vars...), sig.Results(), sig.Variadic())
}

// typeArgName is a parameter name after t: its named type's name, lower
// case, plural for a slice; "" when t has no name.
func typeArgName(t types.Type) string {
	plural := ""
	if s, ok := t.(*types.Slice); ok {
		t, plural = s.Elem(), "s"
	}
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return ""
	}
	r := []rune(n.Obj().Name())
	return strings.ToLower(string(r[:1])) + string(r[1:]) + plural
}

// paramTypes are sig's parameter types.
func paramTypes(sig *types.Signature, q types.Qualifier) []string {
	var out []string
	for i := 0; i < sig.Params().Len(); i++ {
		t := types.TypeString(sig.Params().At(i).Type(), q)
		if sig.Variadic() && i == sig.Params().Len()-1 {
			t = "..." + types.TypeString(sig.Params().At(i).Type().(*types.Slice).Elem(), q)
		}
		out = append(out, t)
	}
	return out
}

// fieldDstEdits makes, on the dst tree of a declaration the phase
// reprints, the edits of the groups that lie inside it.
func (br *bodyRewrite) fieldDstEdits(decl *ast.FuncDecl) {
	fp := br.rw.fields
	ctxType := func() dst.Expr {
		return &dst.SelectorExpr{X: dst.NewIdent(br.rw.contextName(br.fs)), Sel: dst.NewIdent("Context")}
	}
	ast.Inspect(decl, func(n ast.Node) bool {
		br.siblingDst(n)
		switch n := n.(type) {
		case *ast.FuncType:
			if !fp.dstTypes[n] {
				return true
			}
			ft := br.d.Dst.Nodes[n].(*dst.FuncType)
			field := &dst.Field{Type: ctxType()}
			if len(ft.Params.List) > 0 && len(ft.Params.List[0].Names) > 0 || fp.isClosureType(n) {
				field.Names = []*dst.Ident{dst.NewIdent(br.ctxName)}
			}
			ft.Params.List = prependParam(ft.Params.List, field)
		case *ast.Ident:
			if name, ok := fp.dstRenames[n]; ok {
				br.d.Dst.Nodes[n].(*dst.Ident).Name = name
			}
		}
		if e, ok := n.(ast.Expr); ok {
			if helper, ok := fp.dstWraps[e]; ok {
				de := br.d.Dst.Nodes[e].(dst.Expr)
				br.edits[de] = bodyEdit{expr: &dst.CallExpr{Fun: dst.NewIdent(helper), Args: []dst.Expr{de}}}
				br.rw.report(e.Pos(), CodeRewritten, "%s wrapped with %s", nodeText(br.fs, e), helper)
			}
		}
		return true
	})
}

// isClosureType reports whether t is the type of a closure stored into a
// migrating field.
func (fp *fieldPhase) isClosureType(t *ast.FuncType) bool {
	for lit := range fp.closures {
		if lit.Type == t {
			return true
		}
	}
	return false
}

// fieldCall passes ctx to a call through a migrating field inside a
// declaration the phase reprints; it reports whether call is one.
func (br *bodyRewrite) fieldCall(call *ast.CallExpr) bool {
	g, ok := br.rw.fields.calls[call]
	if !ok {
		return false
	}
	dc := br.d.Dst.Nodes[call].(*dst.CallExpr)
	if c := br.calls[call]; c != nil && c.Detached || br.outlives[call] {
		dc.Args = append([]dst.Expr{br.detachedCtx()}, dc.Args...)
	} else {
		br.prependCtx(dc)
	}
	if g.Sibling != nil {
		br.siblingCallDst(g, dc)
	}
	return true
}

// closureCtxParam is the name of a closure's first parameter.
func closureCtxParam(lit *ast.FuncLit) string {
	if l := lit.Type.Params.List; len(l) > 0 && len(l[0].Names) > 0 {
		return l[0].Names[0].Name
	}
	return ""
}

// ownCtx reports whether closure c, inside a declaration whose ctx is
// ctxName, has a ctx of its own under that name: one stored into a field
// this phase migrates (it gets ctxName), or one migrated earlier.
func (rw *rewriter) ownCtx(c *analysis.Func, ctxName string) bool {
	if _, ok := rw.fields.closures[c.Closure]; ok {
		return true
	}
	return c.TakesContext && closureCtxParam(c.Closure) == ctxName
}
