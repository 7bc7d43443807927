package analysis

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"maps"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/parallel"
	"golang.org/x/tools/go/types/typeutil"
)

// extractor reads declarations and bodies into Funcs. Both drivers use
// it: the module driver over every package of the module, the package
// driver over one package, with resolve telling them which callees are
// the module's.
type extractor struct {
	fset      *token.FileSet
	module    string
	goVersion string
	rules     *rules
	// position turns a position into a module-relative one.
	position func(token.Pos) Position
	// resolve returns the Func of a callee that belongs to the module
	// (declared in an indexed package, or known from a fact), or nil.
	resolve func(obj *types.Func) *Func

	funcs  []*Func
	byKey  map[declKey]*Func
	ifaces []*Interface
	// values are functions referred to other than in a call, by key.
	values map[declKey]bool
	// chans are what the packages do with their channel variables.
	chans  map[types.Object]*chanUse
	fields *fieldSet
}

// newExtractor makes an extractor for module, whose go line is goVersion
// ("1.24"; go/analysis spells it "go1.24").
func newExtractor(fset *token.FileSet, module, goVersion string, position func(token.Pos) Position) *extractor {
	return &extractor{
		fset: fset, module: module, goVersion: strings.TrimPrefix(goVersion, "go"), rules: newRules(), position: position, fields: newFieldSet(),
		byKey: map[declKey]*Func{}, values: map[declKey]bool{}, chans: map[types.Object]*chanUse{},
	}
}

// declKey identifies a declaration across package variants: the file and
// byte offset of its name, before //line adjustments.
type declKey struct {
	file   string
	offset int
}

// posKey is the declKey of the declaration whose name is at pos.
func posKey(fset *token.FileSet, pos token.Pos) declKey {
	f := fset.File(pos)
	if f == nil {
		return declKey{}
	}
	return declKey{f.Name(), f.Offset(pos)}
}

// declared returns the indexed Func declared at obj's position, or nil.
func (x *extractor) declared(obj *types.Func) *Func {
	if obj == nil || !obj.Pos().IsValid() {
		return nil
	}
	return x.byKey[posKey(x.fset, obj.Origin().Pos())]
}

// funcID is the runtime-style qualified name of a function or method.
func funcID(pkgPath, recv, name string) string {
	switch {
	case recv == "":
		return pkgPath + "." + name
	case strings.HasPrefix(recv, "*"):
		return pkgPath + ".(" + recv + ")." + name
	default:
		return pkgPath + "." + recv + "." + name
	}
}

// ReceiverTypeName is the name of a receiver's type, "Client" for
// *Client[T], or "" when it is not a name.
func ReceiverTypeName(expr ast.Expr) string {
	n := strings.TrimPrefix(recvName(expr), "*")
	if n == "?" {
		return ""
	}
	return n
}

// recvName returns "*T" or "T" for a receiver type expression, without
// type arguments.
func recvName(expr ast.Expr) string {
	star := ""
	if s, ok := expr.(*ast.StarExpr); ok {
		star, expr = "*", s.X
	}
	switch e := expr.(type) {
	case *ast.IndexExpr:
		expr = e.X
	case *ast.IndexListExpr:
		expr = e.X
	}
	if id, ok := expr.(*ast.Ident); ok {
		return star + id.Name
	}
	return star + "?"
}

// ImportablePath reports whether code outside the module can import the
// package with this path and name.
func ImportablePath(path, name string) bool {
	if name == "main" || strings.HasSuffix(path, "_test") {
		return false
	}
	return !strings.Contains("/"+path+"/", "/internal/")
}

// index records every function and interface declared in pkgs. The
// files are read side by side and recorded in package, file and
// declaration order; a function is recorded with the first package that
// shows its file (a test variant shows its package's files again).
func (x *extractor) index(pkgs []*Package) {
	var files []*File
	var again []bool
	seen := map[string]bool{}
	for _, p := range pkgs {
		for _, file := range p.Files {
			name := ""
			if tf := x.fset.File(file.Syntax.FileStart); tf != nil {
				name = tf.Name()
			}
			files = append(files, file)
			again = append(again, name != "" && seen[name])
			seen[name] = true
		}
	}
	for _, in := range parallel.Map(len(files), func(i int) indexed { return x.indexFile(files[i], again[i]) }) {
		x.ifaces = append(x.ifaces, in.ifaces...)
		for _, f := range in.funcs {
			x.record(f)
		}
	}
}

// indexed is what the declarations of one file give: its functions
// (interface methods among them) and its interfaces, in order.
type indexed struct {
	funcs  []*Func
	ifaces []*Interface
}

// indexFile reads the declarations of file; again is true when an
// earlier package showed the file, whose functions are then recorded
// already (its interfaces are this package's types, and count).
func (x *extractor) indexFile(file *File, again bool) indexed {
	var out indexed
	for _, d := range file.Syntax.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if !again {
				if f := x.indexFunc(file, d); f != nil {
					out.funcs = append(out.funcs, f)
				}
			}
		case *ast.GenDecl:
			if d.Tok == token.TYPE && !file.Test {
				x.indexInterfaces(file, d, again, &out)
			}
		}
	}
	return out
}

func (x *extractor) indexFunc(file *File, d *ast.FuncDecl) *Func {
	obj, _ := file.Pkg.Info.Defs[d.Name].(*types.Func)
	if obj == nil {
		return nil
	}
	recv := ""
	if d.Recv != nil && len(d.Recv.List) == 1 {
		recv = recvName(d.Recv.List[0].Type)
	}
	f := x.newFunc(file, obj, recv, d.Name)
	f.Decl = d
	sig := obj.Signature()
	f.TakesContext = takesContext(sig)
	f.Handler = isHandler(sig)
	f.Skip = structuralSkip(file, d)
	if !f.TakesContext {
		f.CtxForm = siblingOf(obj)
		if f.CtxForm == nil {
			f.nameTaken = nameTaken(obj)
		}
	}
	return f
}

// structuralSkip is why a declaration is never migrated whatever it
// calls: where it is, or what it is.
func structuralSkip(file *File, d *ast.FuncDecl) Skip {
	switch {
	case file.Test:
		return Skip{Code: SkipTestFile}
	case file.Pkg.Name == "main" && d.Recv == nil && d.Name.Name == "main":
		return Skip{Code: SkipMain}
	case d.Recv == nil && d.Name.Name == "init":
		return Skip{Code: SkipInit}
	case file.Generated:
		return Skip{Code: SkipGenerated}
	case file.Cgo:
		return Skip{Code: SkipCgo}
	case d.Body == nil:
		return Skip{Code: SkipNoBody}
	case d.Name.IsExported() && deprecated(d.Doc):
		return Skip{Code: SkipDeprecated}
	}
	return Skip{}
}

// deprecated reports whether doc has a "Deprecated: " paragraph: such a
// function gets no new exported ctx form (its users are told to move
// away from it, not to a sibling of it).
func deprecated(doc *ast.CommentGroup) bool {
	if doc == nil {
		return false
	}
	prev := ""
	for _, l := range strings.Split(doc.Text(), "\n") {
		if strings.HasPrefix(l, "Deprecated: ") && strings.TrimSpace(prev) == "" {
			return true
		}
		prev = l
	}
	return false
}

func (x *extractor) indexInterfaces(file *File, d *ast.GenDecl, again bool, out *indexed) {
	info := file.Pkg.Info
	for _, s := range d.Specs {
		ts := s.(*ast.TypeSpec)
		it, ok := ts.Type.(*ast.InterfaceType)
		tn, _ := info.Defs[ts.Name].(*types.TypeName)
		if !ok || tn == nil {
			continue
		}
		named, _ := tn.Type().(*types.Named)
		iface, ok := tn.Type().Underlying().(*types.Interface)
		if !ok || named == nil || !iface.IsMethodSet() {
			continue
		}
		mi := &Interface{
			Name:     file.Pkg.Path + "." + ts.Name.Name,
			Exported: ts.Name.IsExported() && file.Pkg.Importable,
			Named:    named,
			Type:     iface,
			Methods:  map[string]*Func{},
		}
		out.ifaces = append(out.ifaces, mi)
		if again {
			continue
		}
		for _, field := range it.Methods.List {
			for _, n := range field.Names {
				obj, _ := info.Defs[n].(*types.Func)
				if obj == nil {
					continue
				}
				f := x.newFunc(file, obj, ts.Name.Name, n)
				f.InterfaceMethod = true
				f.declIface = mi
				f.TakesContext = takesContext(obj.Signature())
				out.funcs = append(out.funcs, f)
			}
		}
	}
}

// newFunc is the function obj, declared in file by name.
func (x *extractor) newFunc(file *File, obj *types.Func, recv string, name *ast.Ident) *Func {
	exported := name.IsExported()
	if r := strings.TrimPrefix(recv, "*"); r != "" && !ast.IsExported(r) {
		exported = false
	}
	return &Func{
		Obj:        obj,
		ID:         funcID(file.Pkg.Path, recv, name.Name),
		Name:       name.Name,
		Recv:       recv,
		Package:    file.Pkg.Path,
		Pos:        name.Pos(),
		At:         x.position(name.Pos()),
		File:       file,
		Exported:   exported,
		Importable: file.Pkg.Importable,
		TestFile:   file.Test,
		depth:      -1,
	}
}

// record adds f to the functions, once whatever package variant shows
// it, and an interface method to its interface.
func (x *extractor) record(f *Func) {
	key := posKey(x.fset, f.Pos)
	if _, ok := x.byKey[key]; ok {
		return
	}
	x.byKey[key] = f
	x.funcs = append(x.funcs, f)
	if f.declIface != nil {
		f.declIface.Methods[f.Name] = f
	}
}

// nameTaken says what takes FooContext beside Foo when it is not Foo's
// ctx form, or "".
func nameTaken(obj *types.Func) string {
	name := obj.Name() + "Context"
	var other types.Object
	var index []int
	if recv := obj.Signature().Recv(); recv != nil {
		other, index, _ = types.LookupFieldOrMethod(recv.Type(), true, obj.Pkg(), name)
	} else {
		other = obj.Pkg().Scope().Lookup(name)
	}
	if other == nil {
		return ""
	}
	if len(index) > 1 {
		// Declaring it would shadow what callers reach through the
		// embedded field today.
		return fmt.Sprintf("ctx-form name %s is taken by %s promoted from an embedded field", name, promotedObj(other))
	}
	return fmt.Sprintf("ctx-form name %s is taken by %s", name, describeObj(other))
}

// promotedObj names o, a method or field that an embedded field
// promotes.
func promotedObj(o types.Object) string {
	if f, ok := o.(*types.Func); ok {
		if n := namedOf(f.Signature().Recv().Type()); n != nil {
			return "the method " + n.Obj().Name() + "." + f.Name()
		}
		return "a method"
	}
	return "a field"
}

func describeObj(o types.Object) string {
	switch o := o.(type) {
	case *types.Func:
		return "a method or function with another signature"
	case *types.Var:
		if o.IsField() {
			return "a field"
		}
		return "a variable"
	case *types.TypeName:
		return "a type"
	case *types.Const:
		return "a constant"
	}
	return "another declaration"
}

// isHandler reports whether sig is an HTTP handler's: an
// http.ResponseWriter and a *http.Request, whose Context() is its context.
func isHandler(sig *types.Signature) bool {
	var w, r bool
	for i := 0; i < sig.Params().Len(); i++ {
		t := sig.Params().At(i).Type()
		switch qualifiedTypeName(t) {
		case "net/http.ResponseWriter":
			w = true
		case "net/http.Request":
			_, r = t.(*types.Pointer)
		}
	}
	return w && r
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

// walk records, for every function body of p, its operations and its
// calls to module functions, and returns the functions referred to as
// values.
func (x *extractor) walk(p *Package) map[declKey]bool {
	st := &walkState{values: map[declKey]bool{}, joined: map[*ast.FuncLit]bool{}, joins: map[ast.Node]bool{}}
	for _, file := range p.Files {
		if file.Helper {
			continue
		}
		w := &bodyWalker{x: x, st: st, file: file, called: map[*ast.Ident]bool{}, vars: ctxVars{}}
		ast.Inspect(file.Syntax, w.visit)
		w.settleBackgrounds()
	}
	return st.values
}

// walkAll walks the packages side by side, once every package is indexed
// and its channels counted: a walk writes only the functions of its
// package and its own walkState, and reads what the passes before it
// left. The functions used as values go to x.values.
func (x *extractor) walkAll(pkgs []*Package) {
	for _, v := range parallel.Map(len(pkgs), func(i int) map[declKey]bool { return x.walk(pkgs[i]) }) {
		maps.Copy(x.values, v)
	}
}

// walkState is what the walk of one package finds beside the functions:
// the functions it refers to other than in a call, the goroutines a
// function waits for (joined) and the operations that wait for them
// (joins, see findJoins).
type walkState struct {
	values map[declKey]bool
	joined map[*ast.FuncLit]bool
	joins  map[ast.Node]bool
}

// bodyWalker walks one file.
type bodyWalker struct {
	x      *extractor
	st     *walkState
	file   *File
	called map[*ast.Ident]bool   // identifiers in call position
	stack  []ast.Node            // enclosing nodes
	encl   *Func                 // the declaration (or closure) being walked
	outer  []*Func               // the encl of closures' enclosing code
	vars   ctxVars               // what source found of each scope
	bgVars map[*types.Var]*bgVar // the variables that hold a Background
	// escaped memoizes escapes for the function literals assigned to
	// local variables.
	escaped map[*ast.AssignStmt]bool
	// decl is the function declaration being walked (encl is a closure
	// within it), body its body, and joinsFound whether its goroutines'
	// joins are found yet.
	decl       *Func
	body       *ast.BlockStmt
	joinsFound bool
}

// source is where call's ctx comes from in the code being walked.
func (w *bodyWalker) source(call *ast.CallExpr) Source {
	return ctxSource(w.file.Pkg, testContextOK(w.x.goVersion), call, w.stack, w.vars)
}

func (w *bodyWalker) visit(n ast.Node) bool {
	if n == nil {
		w.leave()
		return true
	}
	w.stack = append(w.stack, n)
	info := w.file.Pkg.Info
	switch n := n.(type) {
	case *ast.FuncLit:
		if f := w.x.fields.closures[n]; f != nil {
			w.outer, w.encl = append(w.outer, w.encl), f
		}
	case *ast.FuncDecl:
		w.enterDecl(n)
	case *ast.AssignStmt:
		if w.decl != nil && w.body != nil {
			w.decl.ownCtx = append(w.decl.ownCtx, ownContexts(info, w.body, n)...)
		}
	case *ast.GoStmt:
		// A join follows the go statement it joins, and the goroutine's
		// literal is below it: the declaration's joins are found when
		// its first go statement is reached, before any of them.
		if w.body != nil && !w.joinsFound {
			w.st.findJoins(info, w.body)
			w.joinsFound = true
		}
	case *ast.CallExpr:
		if id := calleeIdent(n.Fun); id != nil {
			w.called[id] = true
		}
		if w.encl != nil {
			w.call(n)
		}
	case *ast.UnaryExpr, *ast.SendStmt, *ast.SelectStmt, *ast.RangeStmt:
		if w.encl != nil && !w.detached() {
			w.chanOp(n)
		}
	case *ast.Ident:
		w.ident(n)
	}
	return true
}

// leave pops the node the walk leaves.
func (w *bodyWalker) leave() {
	switch top := w.stack[len(w.stack)-1].(type) {
	case *ast.FuncDecl:
		w.encl, w.decl, w.body = nil, nil, nil
		w.settleBackgrounds()
	case *ast.FuncLit:
		if w.x.fields.closures[top] != nil {
			w.encl, w.outer = w.outer[len(w.outer)-1], w.outer[:len(w.outer)-1]
		}
	}
	w.stack = w.stack[:len(w.stack)-1]
}

// enterDecl starts the walk of a function declaration.
func (w *bodyWalker) enterDecl(n *ast.FuncDecl) {
	w.encl = nil
	if obj, ok := w.file.Pkg.Info.Defs[n.Name].(*types.Func); ok && obj != nil {
		w.encl = w.x.byKey[posKey(w.x.fset, n.Name.Pos())]
	}
	w.decl, w.body, w.joinsFound = w.encl, n.Body, false
}

// ident records a function named other than in a call (a value), and a
// use of a variable that holds a Background (see lifetime.go).
func (w *bodyWalker) ident(n *ast.Ident) {
	if len(w.bgVars) > 0 {
		w.backgroundUse(n)
	}
	if w.called[n] {
		return
	}
	if obj, ok := w.file.Pkg.Info.Uses[n].(*types.Func); ok {
		if f := w.x.declared(obj); f != nil && !f.InterfaceMethod && !w.storedInSlot(n) {
			w.st.values[posKey(w.x.fset, f.Pos)] = true
		}
		if w.encl != nil {
			w.value(n, obj)
		}
	}
}

// storedInSlot reports whether id names a function stored into a
// function-valued field that migrates: its ctx form is stored there in
// the same phase, so the value is no reason for a sibling.
func (w *bodyWalker) storedInSlot(id *ast.Ident) bool {
	if w.x.fields.inSlot[id] {
		return true
	}
	sel, ok := w.stack[len(w.stack)-2].(*ast.SelectorExpr)
	return ok && sel.Sel == id && w.x.fields.inSlot[sel]
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

// call classifies one call inside the declaration being walked.
func (w *bodyWalker) call(call *ast.CallExpr) {
	detached := w.detached()
	fn, _ := typeutil.Callee(w.file.Pkg.Info, call).(*types.Func)
	if !detached {
		w.notePassedCtx(call, fn)
	}
	if v := fieldCallee(w.info(), call); v != nil {
		w.fieldCall(call, v, detached)
		return
	}
	if !detached && w.connCall(call, fn) || fn == nil {
		return
	}
	if r := w.x.rules.of(fn); r != nil {
		background := r.Rewrite == RewriteBackground
		if detached && !background || w.st.joins[call] || background && IsReturned(w.stack[:len(w.stack)-1]) {
			// A function that returns context.TODO() makes a context for
			// others; it does not drop one.
			return
		}
		op := &Op{Node: call, Pos: call.Lparen, At: w.x.position(call.Lparen), Rule: r, Scope: w.scope(), Detached: detached}
		if r.Rewrite == RewriteSleep {
			op.Stuck = w.needsErrorResult()
		}
		if background {
			op.ArgOf = w.ctxArgOf(call)
			if !detached {
				w.background(op)
			}
		}
		if r.Rewrite == RewriteSibling {
			op.Source = w.source(call)
		}
		if why := tooNew(r, w.x.goVersion); why != "" {
			op.Stuck = why
		}
		w.encl.Ops = append(w.encl.Ops, op)
		return
	}
	callee := w.x.resolve(fn)
	if callee == nil {
		return
	}
	c := &Call{Node: call, Pos: call.Pos(), At: w.x.position(call.Pos()), Callee: callee, Detached: detached}
	c.Source = w.source(call)
	w.encl.Calls = append(w.encl.Calls, c)
}

// ctxArgOf is the function of the same package that call (a
// context.TODO() or Background()) is an argument of, or nil.
func (w *bodyWalker) ctxArgOf(call *ast.CallExpr) *Func {
	if len(w.stack) < 2 {
		return nil
	}
	outer, ok := w.stack[len(w.stack)-2].(*ast.CallExpr)
	if !ok {
		return nil
	}
	fn, _ := typeutil.Callee(w.info(), outer).(*types.Func)
	if fn == nil || fn.Pkg() != w.file.Pkg.Types {
		return nil
	}
	return w.x.declared(fn)
}

// notePassedCtx notes that the function hands a context on: a
// context.Context argument other than context.Background() or TODO(), or
// a connection bound to one with the module's bindConn.
func (w *bodyWalker) notePassedCtx(call *ast.CallExpr, fn *types.Func) {
	for _, a := range call.Args {
		if !IsContext(w.info().TypeOf(a)) {
			continue
		}
		if inner, ok := ast.Unparen(a).(*ast.CallExpr); ok {
			if r := w.x.rules.of(calleeFunc(w.info(), inner)); r != nil && r.Rewrite == RewriteBackground {
				continue
			}
		}
		w.encl.honours = true
	}
	if fn != nil && fn.Name() == "bindConn" && len(call.Args) == 2 && w.isModuleFunc(fn) {
		if c := w.stable(call.Args[1]); c != nil {
			if w.encl.bound == nil {
				w.encl.bound = map[string]bool{}
			}
			w.encl.bound[c.Expr] = true
		}
	}
}

func calleeFunc(info *types.Info, call *ast.CallExpr) *types.Func {
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	return fn
}

// detached reports whether the node being visited runs after the function
// that holds it returns, or may: in a goroutine it starts (go f(), go
// func() {...}()), in a function literal it stores, returns or hands to
// time.AfterFunc and the like.
func (w *bodyWalker) detached() bool {
	top := w.stack[len(w.stack)-1]
	for i := len(w.stack) - 1; i > 0; i-- {
		switch n := w.stack[i].(type) {
		case *ast.FuncDecl:
			return false
		case *ast.FuncLit:
			if w.encl != nil && w.encl.Closure == n {
				return false // the closure being walked is a function of its own
			}
			if w.litDetached(i) {
				return true
			}
		case *ast.CallExpr:
			if g, ok := w.stack[i-1].(*ast.GoStmt); ok && g.Call == n && n == top {
				return true
			}
		}
	}
	return false
}

// litDetached reports whether the function literal at w.stack[i] may run
// after the function returns: it is not called at once, deferred, or
// passed to a call (a callback the call runs), but stored, returned or
// handed to a function that keeps it.
func (w *bodyWalker) litDetached(i int) bool {
	lit := w.stack[i].(*ast.FuncLit)
	switch p := w.stack[i-1].(type) {
	case *ast.CallExpr:
		if p.Fun == lit {
			// Called at once, deferred, or started as a goroutine that the
			// function may not wait for.
			g, ok := w.stack[i-2].(*ast.GoStmt)
			return ok && g.Call == p && !w.st.joined[lit]
		}
		outer, _ := typeutil.Callee(w.info(), p).(*types.Func)
		return outer != nil && laterCallers[outer.FullName()]
	case *ast.ParenExpr:
		return false
	case *ast.AssignStmt:
		// A local helper the function calls itself (get := func() ...),
		// unless the function then keeps the variable.
		return !w.localTargets(p) || w.escapes(p)
	case *ast.ValueSpec:
		return w.encl == nil || !(p.Names[0].Pos() > w.encl.Decl.Pos() && p.Names[0].Pos() < w.encl.Decl.End())
	}
	return true
}

// localTargets reports whether every left-hand side of as is a local
// variable of the function being walked.
func (w *bodyWalker) localTargets(as *ast.AssignStmt) bool {
	for _, l := range as.Lhs {
		if !w.localTarget(l) {
			return false
		}
	}
	return true
}

// localTarget reports whether l is a local variable of the function
// being walked.
func (w *bodyWalker) localTarget(l ast.Expr) bool {
	id, ok := l.(*ast.Ident)
	if !ok {
		return false
	}
	obj := w.info().ObjectOf(id)
	return obj != nil && obj.Parent() != nil && obj.Parent() != obj.Pkg().Scope()
}

// laterCallers are functions that keep a function value to call it after
// they return: a closure over a ctx form's ctx must not be handed to them.
var laterCallers = map[string]bool{
	"time.AfterFunc":       true,
	"context.AfterFunc":    true,
	"runtime.SetFinalizer": true,
	"runtime.AddCleanup":   true,
}

// value classifies a function referred to as a value inside the
// declaration being walked. Only a callback matters: a function or method
// value (f, pkg.F, x.M) passed as an argument to a call, which runs it.
// Such a value is an operation when the function has a ctx form (the ctx
// form of the caller passes a closure calling it with ctx), and a call
// edge to a module function otherwise.
func (w *bodyWalker) value(id *ast.Ident, fn *types.Func) {
	expr, call := w.callbackOf(id)
	if call == nil || w.x.fields.inSlot[expr] {
		return
	}
	info := w.file.Pkg.Info
	if outer, _ := typeutil.Callee(info, call).(*types.Func); outer != nil && laterCallers[outer.FullName()] {
		return
	}
	if isGeneric(fn) {
		return // the closure would need type arguments
	}
	if r := w.x.rules.of(fn); r != nil {
		if r.Rewrite != RewriteSibling || r.Consumer {
			return
		}
		v := *r
		v.Rewrite = RewriteCallback
		w.encl.Ops = append(w.encl.Ops, &Op{Node: expr, Pos: expr.Pos(), At: w.x.position(expr.Pos()), Rule: &v})
		return
	}
	callee := w.x.resolve(fn)
	if callee == nil || callee.InterfaceMethod {
		return
	}
	w.encl.Calls = append(w.encl.Calls, &Call{Node: expr, Pos: expr.Pos(), At: w.x.position(expr.Pos()), Callee: callee, Value: true})
}

// callbackOf returns the value expression id belongs to (id, x.id for a
// method value, (*T).id for a method expression) and the call it is an
// argument of, or nil.
func (w *bodyWalker) callbackOf(id *ast.Ident) (ast.Expr, *ast.CallExpr) {
	var expr ast.Expr = id
	i := len(w.stack) - 2
	if i >= 0 {
		if sel, ok := w.stack[i].(*ast.SelectorExpr); ok && sel.Sel == id {
			if s := w.file.Pkg.Info.Selections[sel]; s != nil && s.Kind() == types.FieldVal {
				return nil, nil
			}
			expr = sel // a method value x.M, or a method expression (*T).M
			i--
		}
	}
	if i < 0 {
		return nil, nil
	}
	call, ok := w.stack[i].(*ast.CallExpr)
	if !ok || ast.Unparen(call.Fun) == expr {
		return nil, nil
	}
	for _, a := range call.Args {
		if a == expr {
			return expr, call
		}
	}
	return nil, nil
}

// isGeneric reports whether fn or its receiver has type parameters.
func isGeneric(fn *types.Func) bool {
	sig := fn.Signature()
	if sig.TypeParams().Len() > 0 {
		return true
	}
	if recv := sig.Recv(); recv != nil {
		if n := namedOf(recv.Type()); n != nil && n.TypeParams().Len() > 0 {
			return true
		}
	}
	return false
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

func namedOf(t types.Type) *types.Named {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, _ := types.Unalias(t).(*types.Named)
	return n
}
