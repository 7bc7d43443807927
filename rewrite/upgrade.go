package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"
	"unicode"

	"github.com/dave/dst"
	"github.com/smartmigrate/smartmigrate/internal/analysis"
)

// upgradeCall rewrites a call through an exported interface of the module
// (f.Fetch(id)) into a call of a small unexported helper of the caller's
// package (fetchContext(ctx, f, id)) that calls f.FetchContext when the
// dynamic value has it, and f.Fetch otherwise: the pattern database/sql
// uses with driver.QueryerContext. The interface never changes, so every
// implementation keeps working, and those that have the ctx form (the
// module's own get it) are cancelled. The helper asserts an anonymous
// interface, so no exported name is added; with --upgrade-interfaces the
// optional interface gets a name of its own, FetcherContext, generated
// beside Fetcher, for implementers outside to find. It returns why the
// call cannot be upgraded, or "".
func (br *bodyRewrite) upgradeCall(call *ast.CallExpr, c *analysis.Call) string {
	if !br.fs.typed {
		return "file excluded by build constraints"
	}
	info := br.fs.pkg.TypesInfo
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return "not a method call"
	}
	selection := info.Selections[sel]
	if selection == nil || selection.Kind() != types.MethodVal {
		return "not a method call"
	}
	m, _ := selection.Obj().(*types.Func)
	named, _ := types.Unalias(selection.Recv()).(*types.Named)
	if m == nil || named == nil || named.TypeParams().Len() > 0 || named.TypeArgs().Len() > 0 {
		return "not a named, non-generic interface"
	}
	if _, ok := named.Underlying().(*types.Interface); !ok {
		return "not an interface"
	}
	ifaceName, why := "", ""
	if br.rw.in.UpgradeInterfaces {
		if ifaceName, why = br.rw.ctxInterface(named, m); why != "" {
			return why
		}
	}
	helper, why := br.rw.upgradeHelper(br.fs, named, m, ifaceName)
	if why != "" {
		return why
	}
	dc := br.d.Dst.Nodes[call].(*dst.CallExpr)
	fun := dc.Fun
	for {
		p, ok := fun.(*dst.ParenExpr)
		if !ok {
			break
		}
		fun = p.X
	}
	dsel, ok := fun.(*dst.SelectorExpr)
	if !ok {
		return "not a method call"
	}
	x := dsel.X
	x.Decorations().Before, x.Decorations().After = dst.None, dst.None
	dc.Fun = dst.NewIdent(helper)
	dc.Args = append([]dst.Expr{dst.NewIdent(br.ctxName), x}, dc.Args...)
	has := ifaceName
	if has == "" {
		has = "has it"
	} else {
		has = "implements " + has
	}
	br.rw.report(c.Pos, CodeRewritten, "call through exported interface %s -> %s: %sContext when the value %s, else %s",
		c.Iface.Short(), helper, m.Name(), has, m.Name())
	return ""
}

// ctxInterface returns the name of the optional interface FetcherContext
// beside the exported interface Fetcher, generating it in this phase when
// it does not exist yet: it holds the ctx form of every method of Fetcher
// that blocks, and m's. It returns why it cannot, or "".
func (rw *rewriter) ctxInterface(named *types.Named, m *types.Func) (string, string) {
	obj := named.Obj()
	name := obj.Name() + "Context"
	key := obj.Pkg().Path() + "." + name
	if rw.ifaceGen == nil {
		rw.ifaceGen = map[string]bool{}
	}
	if rw.ifaceGen[key] {
		return name, ""
	}
	if other := obj.Pkg().Scope().Lookup(name); other != nil {
		if why := hasCtxMethod(other, m); why != "" {
			return "", why
		}
		rw.use(key)
		return name, ""
	}
	fs, decl, err := rw.typeDecl(obj)
	if err != nil {
		return "", err.Error()
	}
	if decl == nil || fs.reprint[decl] {
		return "", "the declaration of " + obj.Name() + " was not found"
	}
	it := named.Underlying().(*types.Interface)
	q := rw.qualifier(fs, obj.Pkg())
	ctxType := rw.contextName(fs) + ".Context"
	fs.needCtx = true
	var methods []string
	for i := 0; i < it.NumMethods(); i++ {
		mi := it.Method(i)
		f := rw.in.Model.FuncOf(mi)
		if mi != m && (f == nil || !f.Blocking || f.TakesContext) {
			continue
		}
		params, _, _ := sigParams(mi.Type().(*types.Signature), q, map[string]bool{"ctx": true})
		methods = append(methods, fmt.Sprintf("\t%sContext(%s)%s", mi.Name(), strings.Join(append([]string{"ctx " + ctxType}, params...), ", "), resultsText(mi.Type().(*types.Signature), q)))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n\n// %s is implemented by a %s whose methods also take a\n", name, obj.Name())
	fmt.Fprintf(&b, "// context.Context. Where this module calls a %s, it calls\n", obj.Name())
	fmt.Fprintf(&b, "// %sContext when the value implements %s, and %s\n", m.Name(), name, m.Name())
	fmt.Fprintf(&b, "// otherwise, as database/sql does with driver.QueryerContext: %s\n", obj.Name())
	fmt.Fprintf(&b, "// itself does not change, so every implementation keeps working, and\n")
	fmt.Fprintf(&b, "// one that adds the ctx forms gets cancellation and deadlines.\n")
	fmt.Fprintf(&b, "type %s interface {\n%s\n}", name, strings.Join(methods, "\n"))
	at := fs.offset(decl.End())
	fs.edits = append(fs.edits, textEdit{start: at, end: at, text: b.String()})
	rw.ifaceGen[key] = true
	rw.created(DeclCtxInterface, key, nil)
	return name, ""
}

// hasCtxMethod says why other, found where FetcherContext would go, is
// not an optional ctx interface with m's ctx form; "" when it is one.
func hasCtxMethod(other types.Object, m *types.Func) string {
	name := other.Name()
	tn, ok := other.(*types.TypeName)
	if !ok {
		return fmt.Sprintf("the optional interface's name %s is taken", name)
	}
	it, ok := tn.Type().Underlying().(*types.Interface)
	if !ok {
		return fmt.Sprintf("the optional interface's name %s is taken", name)
	}
	for i := 0; i < it.NumMethods(); i++ {
		if it.Method(i).Name() == m.Name()+"Context" {
			return ""
		}
	}
	return fmt.Sprintf("%s exists without %sContext", name, m.Name())
}

// typeDecl finds the type declaration of obj, and its file.
func (rw *rewriter) typeDecl(obj *types.TypeName) (*fileState, *ast.GenDecl, error) {
	for _, pkg := range rw.mod.Packages {
		if pkg.Types != obj.Pkg() {
			continue
		}
		for _, f := range pkg.Syntax {
			if f.FileStart > obj.Pos() || obj.Pos() >= f.FileEnd {
				continue
			}
			for _, d := range f.Decls {
				if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.TYPE && g.Pos() <= obj.Pos() && obj.Pos() < g.End() {
					fs, err := rw.file(f, pkg, true)
					return fs, g, err
				}
			}
		}
	}
	return nil, nil, nil
}

// upgradeHelper returns the name of the helper of fs's package that calls
// m through named with a context, generating it at the end of fs.
func (rw *rewriter) upgradeHelper(fs *fileState, named *types.Named, m *types.Func, ifaceName string) (string, string) {
	pkg := fs.pkg.Types
	key := pkg.Path() + " " + named.Obj().Pkg().Path() + "." + named.Obj().Name() + "." + m.Name()
	if rw.helpers == nil {
		rw.helpers = map[string]string{}
	}
	if n, ok := rw.helpers[key]; ok {
		return n, ""
	}
	taken := func(n string) bool {
		for k, h := range rw.helpers {
			if h == n && strings.HasPrefix(k, pkg.Path()+" ") {
				return true
			}
		}
		return pkg.Scope().Lookup(n) != nil || token.Lookup(n) != token.IDENT
	}
	sig := m.Type().(*types.Signature)
	// A helper of an earlier phase: func fetchContext(ctx, Fetcher, ...).
	isOurs := func(n string) bool {
		f, ok := pkg.Scope().Lookup(n).(*types.Func)
		if !ok {
			return false
		}
		fsig := f.Type().(*types.Signature)
		return fsig.Params().Len() == sig.Params().Len()+2 && types.Identical(fsig.Params().At(1).Type(), named)
	}
	lower := func(s string) string {
		r := []rune(s)
		r[0] = unicode.ToLower(r[0])
		return string(r)
	}
	var name string
	for _, cand := range []string{lower(m.Name()) + "Context", lower(named.Obj().Name()) + m.Name() + "Context"} {
		if isOurs(cand) {
			rw.helpers[key] = cand
			rw.use(pkg.Path() + "." + cand)
			return cand, ""
		}
		if !taken(cand) {
			name = cand
			break
		}
	}
	for i := 2; name == ""; i++ {
		if cand := fmt.Sprintf("%s%sContext%d", lower(named.Obj().Name()), m.Name(), i); !taken(cand) {
			name = cand
		}
	}
	rw.helpers[key] = name
	rw.created(DeclHelper, pkg.Path()+"."+name, nil)
	q := rw.qualifier(fs, pkg)
	recv := freshName(string(unicode.ToLower([]rune(named.Obj().Name())[0])), map[string]bool{"ctx": true, "ok": true})
	used := map[string]bool{"ctx": true, "ok": true, recv: true, recv + "c": true}
	params, args, variadic := sigParams(sig, q, used)
	call := strings.Join(args, ", ")
	if variadic {
		call += "..."
	}
	ctxCall := strings.Join(append([]string{"ctx"}, args...), ", ")
	if variadic {
		ctxCall += "..."
	}
	ifaceType := types.TypeString(named, q)
	ctxType := rw.contextName(fs) + ".Context"
	fs.needCtx = true
	ctxIface, doc := ifaceName, ""
	switch {
	case ifaceName == "":
		ctxParams, _, _ := sigParams(sig, q, map[string]bool{"ctx": true})
		ctxIface = fmt.Sprintf("interface{ %sContext(%s)%s }", m.Name(), strings.Join(append([]string{"ctx " + ctxType}, ctxParams...), ", "), resultsText(sig, q))
		doc = fmt.Sprintf("// %s calls %s.%sContext when %s has it (the module's own\n// implementations do), and %s.%s, which cannot be cancelled, otherwise.\n", name, recv, m.Name(), recv, recv, m.Name())
	case named.Obj().Pkg() != pkg:
		ctxIface = q(named.Obj().Pkg()) + "." + ifaceName
	}
	if doc == "" {
		doc = fmt.Sprintf("// %s calls %s.%sContext when %s implements\n// %s, and %s.%s, which cannot be cancelled, otherwise.\n", name, recv, m.Name(), recv, ctxIface, recv, m.Name())
	}
	ret := "return "
	if sig.Results().Len() == 0 {
		ret = ""
	}
	var b strings.Builder
	b.WriteString("\n" + doc)
	fmt.Fprintf(&b, "func %s(%s)%s {\n", name, strings.Join(append([]string{"ctx " + ctxType, recv + " " + ifaceType}, params...), ", "), resultsText(sig, q))
	fmt.Fprintf(&b, "\tif %sc, ok := %s.(%s); ok {\n\t\t%s%sc.%sContext(%s)\n", recv, recv, ctxIface, ret, recv, m.Name(), ctxCall)
	if ret == "" {
		fmt.Fprintf(&b, "\t\treturn\n")
	}
	fmt.Fprintf(&b, "\t}\n\t%s%s.%s(%s)\n}\n", ret, recv, m.Name(), call)
	fs.edits = append(fs.edits, textEdit{start: len(fs.src), end: len(fs.src), text: b.String()})
	return name, ""
}

// qualifier names packages as fs refers to them (importing them when it
// does not), and self as nothing.
func (rw *rewriter) qualifier(fs *fileState, self *types.Package) types.Qualifier {
	return func(p *types.Package) string {
		if p == self {
			return ""
		}
		return rw.importName(fs, p.Path())
	}
}

// sigParams returns sig's parameters as "name type" (names kept where they
// are free, else p0, p1, ...), the names, and whether the last is
// variadic. used collects the names.
func sigParams(sig *types.Signature, q types.Qualifier, used map[string]bool) (params, names []string, variadic bool) {
	for i := 0; i < sig.Params().Len(); i++ {
		v := sig.Params().At(i)
		n := v.Name()
		if n == "" || n == "_" || used[n] {
			n = freshName(fmt.Sprintf("p%d", i), used)
		}
		used[n] = true
		t := types.TypeString(v.Type(), q)
		if sig.Variadic() && i == sig.Params().Len()-1 {
			t = "..." + types.TypeString(v.Type().(*types.Slice).Elem(), q)
			variadic = true
		}
		params = append(params, n+" "+t)
		names = append(names, n)
	}
	return params, names, variadic
}

// resultsText is sig's result list as written after the parameters.
func resultsText(sig *types.Signature, q types.Qualifier) string {
	r := sig.Results()
	switch r.Len() {
	case 0:
		return ""
	case 1:
		if r.At(0).Name() == "" {
			return " " + types.TypeString(r.At(0).Type(), q)
		}
	}
	var parts []string
	for i := 0; i < r.Len(); i++ {
		parts = append(parts, types.TypeString(r.At(i).Type(), q))
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
