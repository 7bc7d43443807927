// Package checker is the feature-branch gate as a go/analysis Analyzer:
// ctxcheck reports functions that block without taking a context.Context.
//
// A function blocks when it calls a sink directly (a call that has a
// context-aware form, as internal/analysis classifies it with RuleFor:
// http.Get, (*sql.DB).Query, exec.Command, any X with a sibling XContext,
// a context.Background() that is not returned; log/slog calls never count),
// or when it calls a function of the same module that blocks. Within a
// package, blocking propagates up the static call graph to a fixpoint;
// across packages it travels as an isBlocking fact on the *types.Func, so
// the analyzer works the same under go vet (unitchecker) and under a
// go/packages driver (smartmigrate check).
//
// Functions that already have a context are never reported and never make
// their callers block: those taking a context.Context parameter, HTTP
// handlers (an http.ResponseWriter and a *http.Request, whose Context() is
// theirs), and functions whose ctx form already exists (Foo beside
// FooContext or FooWithContext: a call to Foo is then a sink call itself).
//
// Functions that block but are not reported (they still make their callers
// block): everything in _test.go files, files marked "// Code generated
// ... DO NOT EDIT.", main and init, and methods whose signature an
// interface from outside the module fixes (Read of io.Reader, Error of
// error): the interfaces checked are error and the exported interfaces of
// the packages the method's package imports directly.
//
// Calls through an interface declared in the module block when a method
// declared in the same package implements it and blocks (test files
// aside); the interface method carries the fact to other packages. Not
// followed (a documented simplification): implementations in other
// packages than the interface's, and calls through function values.
package checker

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/analysis"
	goanalysis "golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"
)

// Analyzer is the ctxcheck analyzer.
var Analyzer = &goanalysis.Analyzer{
	Name: "ctxcheck",
	Doc: `report functions that block without taking a context.Context

A function blocks when it calls a sink (a call with a context-aware form:
http.Get, (*sql.DB).Query, exec.Command, any X with a sibling XContext, a
context.Background() that is not returned) or a function of the same module
that blocks. The finding names the sink reached and the ctx form to add:
FooContext(ctx context.Context, ...) for exported functions of importable
packages, ctx as the first parameter for the rest.`,
	URL:       "https://github.com/smartmigrate/smartmigrate#ci-gate",
	Run:       run,
	FactTypes: []goanalysis.Fact{new(isBlocking)},
	// Packages outside the module (the standard library, loaded with
	// function bodies stripped by smartmigrate check) are skipped before
	// anything is read, so type errors there must not stop the analysis.
	RunDespiteErrors: true,
}

// isBlocking is the fact that a function of the module blocks without a
// context. Via is the sink it reaches, for people:
// "net/http.Get at api/client.go:12".
type isBlocking struct {
	Via string
}

func (*isBlocking) AFact() {}

func (f *isBlocking) String() string { return "blocks via " + f.Via }

// fn is what the analyzer knows of one function declaration.
type fn struct {
	decl *ast.FuncDecl
	obj  *types.Func
	// done: it has a context (a ctx parameter, a handler, a ctx form).
	done bool
	// skip: blocks silently (test or generated file, main, init).
	skip bool
	// noFact: main, init and test-file functions, which no other
	// package calls.
	noFact bool
	// first is the first sink (or imported blocking call) in its body.
	first string
	// via is set once the function is known to block.
	via string
}

func run(pass *goanalysis.Pass) (any, error) {
	mod := modulePath(pass)
	if !inModule(pass.Pkg.Path(), mod) {
		return nil, nil
	}
	rules := map[*types.Func]*analysis.Rule{}
	ruleFor := func(f *types.Func) *analysis.Rule {
		r, ok := rules[f]
		if !ok {
			r = analysis.RuleFor(f)
			rules[f] = r
		}
		return r
	}

	var funcs, ifaceFuncs []*fn
	byObj := map[*types.Func]*fn{}
	callers := map[*types.Func][]*fn{} // same-package callee -> its callers
	for _, file := range pass.Files {
		name := pass.Fset.Position(file.Package).Filename
		test := strings.HasSuffix(name, "_test.go")
		skipFile := test || ast.IsGenerated(file)
		for _, d := range file.Decls {
			decl, ok := d.(*ast.FuncDecl)
			if !ok || decl.Body == nil {
				continue
			}
			obj, _ := pass.TypesInfo.Defs[decl.Name].(*types.Func)
			if obj == nil {
				continue
			}
			sig := obj.Signature()
			f := &fn{decl: decl, obj: obj}
			f.done = takesContext(sig) || isHandler(sig) || ruleFor(obj) != nil
			entry := decl.Recv == nil && (decl.Name.Name == "init" || decl.Name.Name == "main" && pass.Pkg.Name() == "main")
			f.noFact = test || entry
			f.skip = skipFile || entry
			funcs = append(funcs, f)
			byObj[obj] = f
			walkBody(pass, decl, func(call *ast.CallExpr, returned bool) {
				callee, _ := typeutil.Callee(pass.TypesInfo, call).(*types.Func)
				if callee == nil {
					return
				}
				callee = callee.Origin()
				if r := ruleFor(callee); r != nil {
					if r.Consumer || r.Background && returned {
						// slog never blocks; a function returning
						// context.TODO() makes a context for others.
						return
					}
					if f.first == "" {
						f.first = r.Call + " at " + sinkPos(pass, call.Lparen, mod)
					}
					return
				}
				if callee.Pkg() == pass.Pkg {
					callers[callee] = append(callers[callee], f)
					return
				}
				if callee.Pkg() == nil || !inModule(callee.Pkg().Path(), mod) {
					return
				}
				var fact isBlocking
				if f.first == "" && pass.ImportObjectFact(callee, &fact) {
					f.first = fact.Via
				}
			})
		}
	}

	// An interface method of this package blocks when one of its
	// implementations in this package does.
	implements := map[*fn][]*fn{} // method -> interface methods it implements
	for _, m := range interfaceMethods(pass.Pkg, byObj) {
		f := &fn{obj: m.method, done: takesContext(m.method.Signature())}
		for _, impl := range m.impls {
			implements[impl] = append(implements[impl], f)
		}
		ifaceFuncs = append(ifaceFuncs, f)
	}

	// The blocking set: the least fixpoint up the reversed call graph,
	// breadth-first from the functions that reach a sink themselves, so
	// each function names the nearest sink.
	var queue []*fn
	for _, f := range funcs {
		if !f.done && f.first != "" {
			f.via = f.first
			queue = append(queue, f)
		}
	}
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		for _, up := range [][]*fn{callers[f.obj], implements[f]} {
			for _, c := range up {
				if c.via == "" && !c.done {
					c.via = f.via
					queue = append(queue, c)
				}
			}
		}
	}
	for _, f := range ifaceFuncs {
		if f.via != "" {
			pass.ExportObjectFact(f.obj, &isBlocking{Via: f.via})
		}
	}

	fixed := newOutsideIfaces(pass, mod)
	sort.Slice(funcs, func(i, j int) bool { return funcs[i].decl.Pos() < funcs[j].decl.Pos() })
	for _, f := range funcs {
		if f.via == "" {
			continue
		}
		if !f.noFact {
			pass.ExportObjectFact(f.obj, &isBlocking{Via: f.via})
		}
		if f.skip || fixed.fixes(f.obj) != "" {
			continue
		}
		pass.Report(goanalysis.Diagnostic{
			Pos:      f.decl.Name.Pos(),
			End:      f.decl.Name.End(),
			Category: "ctxcheck",
			Message: fmt.Sprintf("%s blocks (%s) without a context.Context: add %s",
				f.decl.Name.Name, f.via, Suggest(pass.Pkg, f.obj)),
		})
	}
	return nil, nil
}

// ifaceMethod is a method of an interface type declared in the package,
// with the package's methods that implement it.
type ifaceMethod struct {
	method *types.Func
	impls  []*fn
}

// interfaceMethods lists the methods of the package's interface types
// (declared in the package, in a stable order) with their implementations
// among the package's declared methods (byObj).
func interfaceMethods(pkg *types.Package, byObj map[*types.Func]*fn) []ifaceMethod {
	scope := pkg.Scope()
	var ifaces []*types.Interface
	var concrete []*types.Named
	for _, name := range scope.Names() {
		tn, ok := scope.Lookup(name).(*types.TypeName)
		if !ok || tn.IsAlias() {
			continue
		}
		named, ok := tn.Type().(*types.Named)
		if !ok {
			continue
		}
		if it, ok := named.Underlying().(*types.Interface); ok {
			if it.IsMethodSet() && it.NumMethods() > 0 {
				ifaces = append(ifaces, it)
			}
		} else if named.TypeParams().Len() == 0 {
			concrete = append(concrete, named)
		}
	}
	var out []ifaceMethod
	for _, it := range ifaces {
		var impls []*types.Named
		for _, t := range concrete {
			if types.Implements(types.NewPointer(t), it) {
				impls = append(impls, t)
			}
		}
		for i := 0; i < it.NumMethods(); i++ {
			m := it.Method(i)
			if m.Pkg() != pkg {
				continue // embedded from elsewhere
			}
			im := ifaceMethod{method: m}
			for _, t := range impls {
				obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(t), true, pkg, m.Name())
				if f := byObj[asFunc(obj)]; f != nil && !f.noFact {
					// (test doubles do not make the interface block)
					im.impls = append(im.impls, f)
				}
			}
			out = append(out, im)
		}
	}
	return out
}

func asFunc(obj types.Object) *types.Func {
	f, _ := obj.(*types.Func)
	if f != nil {
		f = f.Origin()
	}
	return f
}

// Suggest names the ctx form to add to fn, as the migration would make it:
// "FooContext(ctx context.Context, ...)" for an exported function of an
// importable package (Foo stays as a shim), else "ctx context.Context as
// the first parameter" (in place).
func Suggest(pkg *types.Package, fn *types.Func) string {
	if exported(fn) && importable(pkg) {
		return fn.Name() + "Context(ctx context.Context, ...)"
	}
	return "ctx context.Context as the first parameter"
}

// exported reports whether fn and its receiver type are exported.
func exported(fn *types.Func) bool {
	if !fn.Exported() {
		return false
	}
	if recv := fn.Signature().Recv(); recv != nil {
		if n := namedOf(recv.Type()); n != nil && !n.Obj().Exported() {
			return false
		}
	}
	return true
}

// importable reports whether code outside the module can import pkg.
func importable(pkg *types.Package) bool {
	if pkg.Name() == "main" || strings.HasSuffix(pkg.Path(), "_test") {
		return false
	}
	return !strings.Contains("/"+pkg.Path()+"/", "/internal/")
}

// walkBody calls visit for every call in decl's body (function literals
// included), saying whether the call is the result of a return statement.
func walkBody(pass *goanalysis.Pass, decl *ast.FuncDecl, visit func(call *ast.CallExpr, returned bool)) {
	var stack []ast.Node
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		if call, ok := n.(*ast.CallExpr); ok {
			visit(call, analysis.IsReturned(stack))
		}
		stack = append(stack, n)
		return true
	})
}

// sinkPos prints a sink's position for people: the file relative to the
// module root when the module is known ("api/client.go:12"), else the
// package path and file name.
func sinkPos(pass *goanalysis.Pass, pos token.Pos, mod string) string {
	p := pass.Fset.Position(pos)
	base := filepath.Base(p.Filename)
	dir := pass.Pkg.Path()
	if mod != "" {
		dir = strings.TrimPrefix(strings.TrimPrefix(dir, mod), "/")
	}
	return fmt.Sprintf("%s:%d", path.Join(dir, base), p.Line)
}

// modulePath is the path of the module pass's package belongs to, or ""
// when the driver does not say (GOPATH mode, the standard library).
func modulePath(pass *goanalysis.Pass) string {
	if pass.Module != nil {
		return pass.Module.Path
	}
	return ""
}

// inModule reports whether pkgPath belongs to module mod. When the module
// is unknown, any path whose first element has a dot counts (it is not the
// standard library).
func inModule(pkgPath, mod string) bool {
	if mod == "" {
		first, _, _ := strings.Cut(pkgPath, "/")
		return strings.Contains(first, ".")
	}
	return pkgPath == mod || strings.HasPrefix(pkgPath, mod+"/")
}

// takesContext reports whether any parameter of sig is a context.Context.
func takesContext(sig *types.Signature) bool {
	for i := 0; i < sig.Params().Len(); i++ {
		if analysis.IsContext(sig.Params().At(i).Type()) {
			return true
		}
	}
	return false
}

// isHandler reports whether sig takes an http.ResponseWriter and a
// *http.Request: an HTTP handler, whose context is r.Context().
func isHandler(sig *types.Signature) bool {
	var w, r bool
	for i := 0; i < sig.Params().Len(); i++ {
		t := sig.Params().At(i).Type()
		if p, ok := t.(*types.Pointer); ok {
			r = r || isNamed(p.Elem(), "net/http", "Request")
			continue
		}
		w = w || isNamed(t, "net/http", "ResponseWriter")
	}
	return w && r
}

func isNamed(t types.Type, pkg, name string) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Name() == name && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pkg
}

func namedOf(t types.Type) *types.Named {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, _ := types.Unalias(t).(*types.Named)
	return n
}

// outsideIfaces finds the interfaces from outside the module that fix a
// method's signature: error, and the exported interfaces of the packages
// the pass's package imports directly.
type outsideIfaces struct {
	pass  *goanalysis.Pass
	mod   string
	byMth map[string][]namedIface // built on first use
}

type namedIface struct {
	name  string // "io.Reader"
	iface *types.Interface
}

func newOutsideIfaces(pass *goanalysis.Pass, mod string) *outsideIfaces {
	return &outsideIfaces{pass: pass, mod: mod}
}

// fixes returns the smallest outside interface (then by name) that fn's
// receiver implements with fn, or "".
func (o *outsideIfaces) fixes(fn *types.Func) string {
	recv := fn.Signature().Recv()
	if recv == nil {
		return ""
	}
	named := namedOf(recv.Type())
	if named == nil || named.TypeParams().Len() > 0 {
		return ""
	}
	if o.byMth == nil {
		o.build()
	}
	for _, it := range o.byMth[fn.Name()] {
		if types.Implements(types.NewPointer(named), it.iface) {
			return it.name
		}
	}
	return ""
}

func (o *outsideIfaces) build() {
	o.byMth = map[string][]namedIface{}
	add := func(name string, it *types.Interface) {
		for i := 0; i < it.NumMethods(); i++ {
			m := it.Method(i).Name()
			o.byMth[m] = append(o.byMth[m], namedIface{name, it})
		}
	}
	add("error", types.Universe.Lookup("error").Type().Underlying().(*types.Interface))
	for _, imp := range o.pass.Pkg.Imports() {
		if inModule(imp.Path(), o.mod) {
			continue
		}
		for _, ni := range analysis.ExportedInterfaces(imp) {
			add(ni.Name, ni.Iface)
		}
	}
	for _, list := range o.byMth {
		sort.Slice(list, func(i, j int) bool {
			if a, b := list[i].iface.NumMethods(), list[j].iface.NumMethods(); a != b {
				return a < b
			}
			return list[i].name < list[j].name
		})
	}
}
