package analysis

import (
	"go/ast"
	"go/token"
	"go/types"
	"sort"

	"golang.org/x/tools/go/types/typeutil"
)

// walkBodies records, for every function body, its sink calls and its
// calls to module functions, and marks functions referred to as values.
func (b *builder) walkBodies() {
	for _, fi := range b.files {
		info := fi.pkg.TypesInfo
		called := map[*ast.Ident]bool{} // identifiers in call position
		var stack []ast.Node            // enclosing nodes
		var encl *Func                  // the FuncDecl being walked
		ast.Inspect(fi.syntax, func(n ast.Node) bool {
			if n == nil {
				if _, ok := stack[len(stack)-1].(*ast.FuncDecl); ok {
					encl = nil
				}
				stack = stack[:len(stack)-1]
				return true
			}
			stack = append(stack, n)
			switch n := n.(type) {
			case *ast.FuncDecl:
				encl = nil
				if obj, ok := info.Defs[n.Name].(*types.Func); ok && obj != nil {
					encl = b.byKey[posKey(b.mod.Fset, n.Name.Pos())]
				}
			case *ast.CallExpr:
				if id := calleeIdent(n.Fun); id != nil {
					called[id] = true
				}
				if encl != nil {
					b.recordCall(fi, encl, n, stack)
				}
			case *ast.Ident:
				if called[n] {
					break
				}
				if obj, ok := info.Uses[n].(*types.Func); ok {
					if f := b.byKey[posKey(b.mod.Fset, obj.Pos())]; f != nil && !f.InterfaceMethod {
						f.UsedAsValue = true
					}
					if encl != nil {
						b.recordValue(fi, encl, n, obj, stack)
					}
				}
			}
			return true
		})
	}
}

// calleeIdent returns the identifier that names the called function in a
// call's Fun expression, or nil.
func calleeIdent(fun ast.Expr) *ast.Ident {
	for {
		switch e := fun.(type) {
		case *ast.ParenExpr:
			fun = e.X
		case *ast.IndexExpr:
			fun = e.X
		case *ast.IndexListExpr:
			fun = e.X
		case *ast.SelectorExpr:
			return e.Sel
		case *ast.Ident:
			return e
		default:
			return nil
		}
	}
}

// recordCall classifies one call inside encl.
func (b *builder) recordCall(fi fileInfo, encl *Func, call *ast.CallExpr, stack []ast.Node) {
	info := fi.pkg.TypesInfo
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	if fn == nil {
		return
	}
	if r := b.sinks.rule(fn); r != nil {
		if r.Background && IsReturned(stack[:len(stack)-1]) {
			// A function that returns context.TODO() makes a context for
			// others; it does not drop one.
			return
		}
		encl.Sinks = append(encl.Sinks, SinkCall{Pos: b.position(call.Lparen), Rule: *r})
		return
	}
	callee := b.byKey[posKey(b.mod.Fset, fn.Pos())]
	if callee == nil {
		return
	}
	c := Call{Pos: b.position(call.Pos()), Callee: callee.ID}
	if callee.InterfaceMethod {
		if recv := fn.Type().(*types.Signature).Recv(); recv != nil {
			c.Interface = qualifiedTypeName(recv.Type())
		}
	}
	c.Source = b.ctxSource(fi, call, stack)
	encl.Calls = append(encl.Calls, c)
}

// laterCallers are functions that keep a function value to call it after
// they return: a closure over a ctx form's ctx must not be handed to them.
var laterCallers = map[string]bool{
	"time.AfterFunc":       true,
	"context.AfterFunc":    true,
	"runtime.SetFinalizer": true,
	"runtime.AddCleanup":   true,
}

// recordValue classifies a function referred to as a value inside encl.
// Only a callback matters: a function or method value (f, pkg.F, x.M)
// passed as an argument to a call, which runs it. Such a value is a sink
// when the function has a ctx form (the ctx form of encl passes a closure
// calling it with ctx), and a call edge to a module function otherwise.
func (b *builder) recordValue(fi fileInfo, encl *Func, id *ast.Ident, fn *types.Func, stack []ast.Node) {
	info := fi.pkg.TypesInfo
	var expr ast.Expr = id
	i := len(stack) - 2
	if i >= 0 {
		if sel, ok := stack[i].(*ast.SelectorExpr); ok && sel.Sel == id {
			if s := info.Selections[sel]; s != nil && s.Kind() != types.MethodVal {
				return // a method expression, (*T).M
			}
			expr = sel
			i--
		}
	}
	if i < 0 {
		return
	}
	call, ok := stack[i].(*ast.CallExpr)
	if !ok || ast.Unparen(call.Fun) == expr {
		return
	}
	isArg := false
	for _, a := range call.Args {
		if a == expr {
			isArg = true
		}
	}
	if !isArg {
		return
	}
	if outer, _ := typeutil.Callee(info, call).(*types.Func); outer != nil && laterCallers[outer.FullName()] {
		return
	}
	sig := fn.Type().(*types.Signature)
	if sig.TypeParams().Len() > 0 || sig.Recv() != nil && namedOf(sig.Recv().Type()) != nil && namedOf(sig.Recv().Type()).TypeParams().Len() > 0 {
		return // generic: the closure would need type arguments
	}
	if r := b.sinks.rule(fn); r != nil {
		if r.Sibling == "" || r.Consumer {
			return
		}
		v := *r
		v.Value = true
		encl.Sinks = append(encl.Sinks, SinkCall{Pos: b.position(expr.Pos()), Rule: v})
		return
	}
	callee := b.byKey[posKey(b.mod.Fset, fn.Pos())]
	if callee == nil || callee.InterfaceMethod {
		return
	}
	encl.Calls = append(encl.Calls, Call{Pos: b.position(expr.Pos()), Callee: callee.ID, Value: true})
}

// IsReturned reports whether the node whose enclosing nodes are ancestors
// (outermost first, the node itself excluded) is a result of a return
// statement, parentheses aside. A call to context.Background() that is
// returned makes a context for others; it does not drop one.
func IsReturned(ancestors []ast.Node) bool {
	for i := len(ancestors) - 1; i >= 0; i-- {
		switch ancestors[i].(type) {
		case *ast.ParenExpr:
			continue
		case *ast.ReturnStmt:
			return true
		}
		return false
	}
	return false
}

// qualifiedTypeName is "example.com/m.Fetcher" for a named type.
func qualifiedTypeName(t types.Type) string {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := types.Unalias(t).(*types.Named); ok && n.Obj().Pkg() != nil {
		return n.Obj().Pkg().Path() + "." + n.Obj().Name()
	}
	return types.TypeString(t, nil)
}

// resolveInterfaces fills Impls of dynamic calls, the Interfaces a method
// helps satisfy, and the outside interface that fixes a method's signature.
func (b *builder) resolveInterfaces() {
	byName := map[string][]*Func{}
	for _, f := range b.res.Funcs {
		if f.Recv != "" && !f.InterfaceMethod {
			byName[f.Name] = append(byName[f.Name], f)
		}
	}
	impls := map[string][]string{} // interface method ID -> implementing method IDs
	names := make([]string, 0, len(b.ifaces))
	for n := range b.ifaces {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		mi := b.ifaces[name]
		// An interface with an unexported method has implementations only
		// in its own package: the rest need no checking.
		local := false
		for i := 0; i < mi.iface.NumMethods(); i++ {
			local = local || !mi.iface.Method(i).Exported()
		}
		for mname, m := range mi.methods {
			for _, cand := range byName[mname] {
				if local && cand.Package != m.Package {
					continue
				}
				if !b.implements(cand, mi.iface) {
					continue
				}
				impls[m.ID] = append(impls[m.ID], cand.ID)
				if mi.exported {
					cand.Interfaces = append(cand.Interfaces, shortCall(mi.name))
				}
				cand.ifaces = append(cand.ifaces, mi)
			}
		}
	}
	for _, f := range b.res.Funcs {
		for i := range f.Calls {
			c := &f.Calls[i]
			if c.Interface != "" {
				c.Impls = impls[c.Callee]
			}
		}
		sort.Strings(f.Interfaces)
	}
	b.outsideInterfaces(byName)
}

// implements reports whether cand's receiver type (or a pointer to it) has
// every method of iface, comparing signatures as text so that package
// variants (p and p [p.test]) compare equal.
func (b *builder) implements(cand *Func, iface *types.Interface) bool {
	obj := b.objs[cand]
	if obj == nil {
		return false
	}
	recv := obj.Type().(*types.Signature).Recv()
	named := namedOf(recv.Type())
	if named == nil {
		return false
	}
	mset := b.methodSet(named)
	for i := 0; i < iface.NumMethods(); i++ {
		want := iface.Method(i)
		sel := mset.Lookup(want.Pkg(), want.Name())
		if sel == nil {
			return false
		}
		if b.sigString(sel.Obj().Type()) != b.sigString(want.Type()) {
			return false
		}
	}
	return true
}

func namedOf(t types.Type) *types.Named {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, _ := types.Unalias(t).(*types.Named)
	return n
}

func (b *builder) methodSet(n *types.Named) *types.MethodSet {
	if ms, ok := b.msets[n]; ok {
		return ms
	}
	ms := types.NewMethodSet(types.NewPointer(n))
	b.msets[n] = ms
	return ms
}

// sigString prints a signature with full package paths, without the
// receiver and without parameter and result names (an implementation may
// name them differently from its interface).
func (b *builder) sigString(t types.Type) string {
	if s, ok := b.sigs[t]; ok {
		return s
	}
	s := sigString(t)
	b.sigs[t] = s
	return s
}

func sigString(t types.Type) string {
	sig := t.(*types.Signature)
	plain := types.NewSignatureType(nil, nil, nil, unnamed(sig.Params()), unnamed(sig.Results()), sig.Variadic())
	return types.TypeString(plain, func(p *types.Package) string { return p.Path() })
}

// unnamed is a tuple of the same types without names.
func unnamed(t *types.Tuple) *types.Tuple {
	vars := make([]*types.Var, t.Len())
	for i := range vars {
		vars[i] = types.NewParam(token.NoPos, nil, "", t.At(i).Type())
	}
	return types.NewTuple(vars...)
}

// NamedInterface is an interface type with the name people know it by
// ("io.Reader").
type NamedInterface struct {
	Name  string
	Iface *types.Interface
}

// ExportedInterfaces lists pkg's exported interface types that are plain
// method sets with at least one method: the interfaces whose methods fix
// the signature of an implementation outside pkg.
func ExportedInterfaces(pkg *types.Package) []NamedInterface {
	var out []NamedInterface
	scope := pkg.Scope()
	for _, n := range scope.Names() {
		tn, ok := scope.Lookup(n).(*types.TypeName)
		if !ok || !tn.Exported() || tn.IsAlias() {
			continue
		}
		if it, ok := tn.Type().Underlying().(*types.Interface); ok && it.IsMethodSet() && it.NumMethods() > 0 {
			out = append(out, NamedInterface{pkg.Name() + "." + n, it})
		}
	}
	return out
}

// outsideInterfaces marks methods whose signature an interface from outside
// the module fixes: the exported interfaces of every package the module
// imports directly, and error.
func (b *builder) outsideInterfaces(byName map[string][]*Func) {
	type outside struct {
		name  string
		iface *types.Interface
	}
	byMethod := map[string][]outside{}
	add := func(name string, it *types.Interface) {
		for i := 0; i < it.NumMethods(); i++ {
			m := it.Method(i).Name()
			if byName[m] != nil {
				byMethod[m] = append(byMethod[m], outside{name, it})
			}
		}
	}
	add("error", types.Universe.Lookup("error").Type().Underlying().(*types.Interface))
	seen := map[*types.Package]bool{}
	for _, p := range b.mod.Packages {
		for _, imp := range p.Types.Imports() {
			if seen[imp] || isModulePath(imp.Path(), b.mod.Path) {
				continue
			}
			seen[imp] = true
			for _, ni := range ExportedInterfaces(imp) {
				add(ni.Name, ni.Iface)
			}
		}
	}
	for m, list := range byMethod {
		// The smallest interface names the reason best (io.Reader, not
		// io.ReadWriteCloser); ties go to the name.
		sort.Slice(list, func(i, j int) bool {
			if a, b := list[i].iface.NumMethods(), list[j].iface.NumMethods(); a != b {
				return a < b
			}
			return list[i].name < list[j].name
		})
		for _, f := range byName[m] {
			obj := b.objs[f]
			if obj == nil || f.TestFile {
				continue
			}
			named := namedOf(obj.Type().(*types.Signature).Recv().Type())
			if named == nil || named.TypeParams().Len() > 0 {
				continue
			}
			for _, o := range list {
				if types.Implements(types.NewPointer(named), o.iface) {
					f.outside = o.name
					break
				}
			}
		}
	}
}

func isModulePath(path, mod string) bool {
	return path == mod || len(path) > len(mod) && path[:len(mod)] == mod && path[len(mod)] == '/'
}
