package analysis

import (
	"fmt"
	"go/ast"
	"go/types"
	"slices"
	"sort"

	"golang.org/x/tools/go/types/typeutil"
)

// A call through a function-valued struct field or package variable
// (c.process(cmd), dial(addr)) runs whatever the module assigns to it:
// functions, method values, closures. The analysis follows those
// assignments (in assignments, composite literals and var declarations,
// and, one step further, through the parameter of a setter), so that the
// call is an edge to each; closures assigned there are functions of their
// own. What it cannot follow (a value computed by a call, one that comes
// from outside the module) it says.

// FuncField is a function-valued struct field or package variable of the
// module that the module calls.
type FuncField struct {
	// Var is the field or variable.
	Var *types.Var
	// Name is qualified: "example.com/m.Client.dial", "example.com/m.hook".
	Name string
	// Exported is true when code outside the module can set it.
	Exported bool
	// Targets are the module's functions assigned to it, sorted by ID.
	Targets []*Func
	// Unresolved are the assignments the analysis cannot follow.
	Unresolved []Unresolved
	// Group is the set of fields and setter parameters that share values
	// with this one and change together; nil under a driver that did not
	// group them.
	Group *FieldGroup
}

// Unresolved is an assignment to a FuncField whose value the analysis
// cannot follow.
type Unresolved struct {
	At  Position
	Why string
}

// Short is the field's name for people.
func (ff *FuncField) Short() string { return ShortName(ff.Name) }

// Followed reports whether every assignment to the field is known.
func (ff *FuncField) Followed() bool { return len(ff.Unresolved) == 0 }

// Migrates reports whether calls through the field pass a ctx once it is
// migrated: its group changes its type in place (or already has).
func (ff *FuncField) Migrates() bool { return ff.Group != nil && ff.Group.Migrates() }

// fieldSet collects the FuncFields of the packages being extracted.
type fieldSet struct {
	byVar    map[*types.Var]*FuncField
	closures map[*ast.FuncLit]*Func
	// viaParam are assignments from a parameter: the arguments of the
	// function's call sites are the values.
	viaParam []paramAssign
	n        map[string]int // closures per enclosing function, for IDs
	// values are every value stored into a field, variable or setter
	// parameter of function type, in source order.
	values []*FieldValue
	// inSlot are the function values among them that a migrating group
	// rewrites (they are no callbacks, and no reason for a sibling).
	inSlot map[ast.Expr]bool
	// groups are the groups of the fields, by lead name; paramGroup the
	// group of each setter parameter in one.
	groups     []*FieldGroup
	paramGroup map[*types.Var]*FieldGroup
}

type paramAssign struct {
	ff    *FuncField
	fn    *types.Func
	param *types.Var
	index int
	at    Position
}

func newFieldSet() *fieldSet {
	return &fieldSet{byVar: map[*types.Var]*FuncField{}, closures: map[*ast.FuncLit]*Func{}, n: map[string]int{}, inSlot: map[ast.Expr]bool{}, paramGroup: map[*types.Var]*FieldGroup{}}
}

// funcVar is the function-valued field or package variable e names, or
// nil.
func funcVar(info *types.Info, e ast.Expr) *types.Var {
	var v *types.Var
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		v, _ = info.ObjectOf(e).(*types.Var)
		if v != nil && !v.IsField() && (v.Parent() == nil || v.Pkg() == nil || v.Parent() != v.Pkg().Scope()) {
			return nil // a local or a parameter: not followed
		}
	case *ast.SelectorExpr:
		if s := info.Selections[e]; s != nil && s.Kind() == types.FieldVal {
			v, _ = s.Obj().(*types.Var)
		} else {
			v, _ = info.ObjectOf(e.Sel).(*types.Var) // pkg.Var
		}
	}
	if v == nil {
		return nil
	}
	if _, ok := v.Type().Underlying().(*types.Signature); !ok {
		return nil
	}
	return v
}

// collectFields finds, in the packages, every assignment of a value to a
// function-valued field or package variable.
func (x *extractor) collectFields(pkgs []*Package) {
	for _, h := range searchFiles(pkgs, mayAssignField) {
		x.fieldAssign(h.file, h.node(), h.stack)
	}
}

// mayAssignField reports whether n may be what fieldAssign records: an
// assignment or declaration of a function-valued variable, or a literal
// of a struct with a function-valued field.
func mayAssignField(file *File, n ast.Node, _ []ast.Node) bool {
	info := file.Pkg.Info
	switch n := n.(type) {
	case *ast.AssignStmt:
		return len(n.Lhs) == len(n.Rhs) && slices.ContainsFunc(n.Lhs, func(l ast.Expr) bool { return funcVar(info, l) != nil })
	case *ast.ValueSpec:
		return len(n.Values) > 0 && slices.ContainsFunc(n.Names, func(id *ast.Ident) bool { return funcVar(info, id) != nil })
	case *ast.CompositeLit:
		st, ok := derefStruct(info.TypeOf(n))
		if !ok {
			return false
		}
		for i := range st.NumFields() {
			if _, ok := st.Field(i).Type().Underlying().(*types.Signature); ok {
				return true
			}
		}
	}
	return false
}

func (x *extractor) fieldAssign(file *File, n ast.Node, stack []ast.Node) {
	info := file.Pkg.Info
	switch n := n.(type) {
	case *ast.AssignStmt:
		if len(n.Lhs) == len(n.Rhs) {
			for i, l := range n.Lhs {
				if v := funcVar(info, l); v != nil {
					x.assign(file, v, v, n.Rhs[i], n, stack)
				}
			}
		}
	case *ast.ValueSpec:
		for i, name := range n.Names {
			if v := funcVar(info, name); v != nil && i < len(n.Values) {
				x.assign(file, v, v, n.Values[i], n, stack)
			}
		}
	case *ast.CompositeLit:
		st, ok := derefStruct(info.TypeOf(n))
		if !ok {
			return
		}
		for i, elt := range n.Elts {
			var f *types.Var
			val, store := elt, ast.Node(n)
			if kv, ok := elt.(*ast.KeyValueExpr); ok {
				if id, ok := kv.Key.(*ast.Ident); ok {
					f, _ = info.ObjectOf(id).(*types.Var)
				}
				val, store = kv.Value, kv
			} else if i < st.NumFields() {
				f = st.Field(i)
			}
			if f != nil {
				if _, ok := f.Type().Underlying().(*types.Signature); ok {
					x.assign(file, f, f, val, store, stack)
				}
			}
		}
	}
}

func derefStruct(t types.Type) (*types.Struct, bool) {
	if t == nil {
		return nil, false
	}
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	return st, ok
}

// field returns the FuncField of v, making it.
func (x *extractor) field(v *types.Var) *FuncField {
	if ff := x.fields.byVar[v]; ff != nil {
		return ff
	}
	name := v.Name()
	if v.Pkg() != nil {
		name = v.Pkg().Path() + "." + name
	}
	ff := &FuncField{Var: v, Name: name, Exported: v.Exported() && v.Pkg() != nil && ImportablePath(v.Pkg().Path(), v.Pkg().Name())}
	x.fields.byVar[v] = ff
	return ff
}

// assign records that e is assigned to v, through slot: v itself, or
// the parameter of a setter that assigns it to v; store is the node
// that stores it (see FieldValue.Store).
func (x *extractor) assign(file *File, v, slot *types.Var, e ast.Expr, store ast.Node, stack []ast.Node) {
	ff := x.field(v)
	info := file.Pkg.Info
	at := x.position(e.Pos())
	fv := &FieldValue{Expr: e, At: at, File: file, Slot: slot, Kind: ValueAdapt, Store: store}
	x.fields.values = append(x.fields.values, fv)
	switch e := ast.Unparen(e).(type) {
	case *ast.FuncLit:
		fv.Kind, fv.Func = ValueClosure, x.closure(file, e, stack)
		ff.Targets = append(ff.Targets, fv.Func)
		return
	case *ast.Ident, *ast.SelectorExpr:
		if fn, ok := info.ObjectOf(identOfExpr(e)).(*types.Func); ok {
			if f := x.declared(fn); f != nil {
				fv.Kind, fv.Func = ValueFunc, f
				ff.Targets = append(ff.Targets, f)
				return
			}
			if fn.Pkg() != nil && !IsModulePath(fn.Pkg().Path(), x.module) {
				return // a function of another module: nothing of ours to follow
			}
		}
		if p, fn, i := paramOf(info, e, stack); p != nil {
			fv.Kind, fv.From = ValueFlow, p
			x.fields.viaParam = append(x.fields.viaParam, paramAssign{ff: ff, fn: fn, param: p, index: i, at: at})
			return
		}
		if id, ok := e.(*ast.Ident); ok && id.Name == "nil" {
			fv.Kind = ValueNil
			return
		}
		if from := funcVar(info, e); from != nil {
			fv.Kind, fv.From = ValueFlow, from
			x.field(from)
			return
		}
	}
	ff.Unresolved = append(ff.Unresolved, Unresolved{At: at, Why: "assigned a value computed here"})
}

func identOfExpr(e ast.Expr) *ast.Ident {
	switch e := e.(type) {
	case *ast.Ident:
		return e
	case *ast.SelectorExpr:
		return e.Sel
	}
	return nil
}

// paramOf reports whether e is a parameter of the function declaration
// around it, and which.
func paramOf(info *types.Info, e ast.Expr, stack []ast.Node) (*types.Var, *types.Func, int) {
	id, ok := e.(*ast.Ident)
	if !ok {
		return nil, nil, 0
	}
	v, _ := info.Uses[id].(*types.Var)
	for i := len(stack) - 1; i >= 0 && v != nil; i-- {
		fd, ok := stack[i].(*ast.FuncDecl)
		if !ok {
			continue
		}
		fn, _ := info.Defs[fd.Name].(*types.Func)
		if fn == nil {
			return nil, nil, 0
		}
		for j := 0; j < fn.Signature().Params().Len(); j++ {
			if fn.Signature().Params().At(j) == v {
				return v, fn, j
			}
		}
	}
	return nil, nil, 0
}

// closure is the Func of a function literal assigned to a field: a
// function of its own, named as the runtime names it
// ("example.com/m.NewClient.func1").
func (x *extractor) closure(file *File, lit *ast.FuncLit, stack []ast.Node) *Func {
	if f := x.fields.closures[lit]; f != nil {
		return f
	}
	encl := "init"
	for i := len(stack) - 1; i >= 0; i-- {
		if fd, ok := stack[i].(*ast.FuncDecl); ok {
			recv := ""
			if fd.Recv != nil && len(fd.Recv.List) == 1 {
				recv = recvName(fd.Recv.List[0].Type)
			}
			encl = funcID(file.Pkg.Path, recv, fd.Name.Name)
			break
		}
	}
	if encl == "init" {
		encl = file.Pkg.Path + ".init"
	}
	x.fields.n[encl]++
	id := fmt.Sprintf("%s.func%d", encl, x.fields.n[encl])
	sig, _ := file.Pkg.Info.TypeOf(lit).(*types.Signature)
	name := id[len(file.Pkg.Path)+1:]
	obj := types.NewFunc(lit.Pos(), file.Pkg.Types, name, sig)
	f := &Func{
		Obj: obj, ID: id, Name: name, Package: file.Pkg.Path, Pos: lit.Pos(), At: x.position(lit.Pos()),
		File: file, Importable: file.Pkg.Importable, TestFile: file.Test, Closure: lit, depth: -1,
		TakesContext: takesContext(sig),
	}
	if file.Test {
		f.Skip = Skip{Code: SkipTestFile}
	}
	x.fields.closures[lit] = f
	x.funcs = append(x.funcs, f)
	return f
}

// resolveParams follows the assignments from a setter's parameter to the
// arguments of the setter's call sites in the packages given.
func (x *extractor) resolveParams(pkgs []*Package) {
	if len(x.fields.viaParam) == 0 {
		return
	}
	bySetter := map[*types.Func][]paramAssign{}
	for _, pa := range x.fields.viaParam {
		bySetter[pa.fn] = append(bySetter[pa.fn], pa)
	}
	found := map[paramAssign]bool{}
	for _, p := range pkgs {
		for _, file := range p.Files {
			WalkStack(file.Syntax, func(n ast.Node, stack []ast.Node) {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return
				}
				fn, _ := typeutil.Callee(file.Pkg.Info, call).(*types.Func)
				if fn == nil {
					return
				}
				for _, pa := range bySetter[fn.Origin()] {
					if pa.index < len(call.Args) {
						x.assign(file, pa.ff.Var, pa.param, call.Args[pa.index], call, stack)
						found[pa] = true
					}
				}
			})
		}
	}
	for _, pa := range x.fields.viaParam {
		if !found[pa] {
			pa.ff.Unresolved = append(pa.ff.Unresolved, Unresolved{At: pa.at, Why: "assigned from a parameter of " + pa.fn.Name() + ", whose callers are not in the module"})
		}
	}
}

// finishFields sorts every field's targets and drops duplicates.
func (x *extractor) finishFields() {
	for _, ff := range x.fields.byVar {
		seen := map[*Func]bool{}
		var out []*Func
		for _, t := range ff.Targets {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
		ff.Targets = out
		if ff.Exported {
			ff.Unresolved = append(ff.Unresolved, Unresolved{At: x.position(ff.Var.Pos()), Why: "exported: code outside the module may set it"})
		}
	}
}

// fieldCall records a call through a function-valued field or variable,
// an edge to every function assigned to it.
func (w *bodyWalker) fieldCall(call *ast.CallExpr, v *types.Var, detached bool) {
	ff := w.x.fields.byVar[v]
	if ff == nil || len(ff.Targets) == 0 {
		return
	}
	c := &Call{Node: call, Pos: call.Pos(), At: w.x.position(call.Pos()), Callee: ff.Targets[0], Impls: ff.Targets[1:], Field: ff, Detached: detached}
	c.Source = w.source(call)
	w.encl.Calls = append(w.encl.Calls, c)
}

// fieldCallee is the function-valued field or variable a call goes
// through, or nil.
func fieldCallee(info *types.Info, call *ast.CallExpr) *types.Var {
	if _, ok := typeutil.Callee(info, call).(*types.Var); !ok {
		return nil
	}
	return funcVar(info, call.Fun)
}

// calledFields are the fields the module calls through, sorted by name.
func (x *extractor) calledFields() []*FuncField {
	called := map[*FuncField]bool{}
	for _, f := range x.funcs {
		for _, c := range f.Calls {
			if c.Field != nil {
				called[c.Field] = true
			}
		}
	}
	var out []*FuncField
	for ff := range called {
		out = append(out, ff)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
