package analysis

import (
	"cmp"
	"fmt"
	"go/ast"
	"go/types"
	"slices"
	"sort"
	"strings"
)

// Function-valued fields that share values change together. A value
// flows from one slot into another (c.process = c.wrapped, a setter's
// parameter into the field it sets, Options.dial copied into a pool's
// field), so their types must stay identical: the slots connected by
// these flows form a FieldGroup (a union-find over "flows into"), and the
// whole group migrates in place or none of it does.
//
// A group migrates when every field of it is an unexported field of a
// named, non-generic struct whose type is a func literal type, every
// setter parameter of it belongs to a function that code outside the
// module cannot call, and all its slots have the same type. Migrating it,
// every slot's type gains ctx first; a module function stored into it is
// stored as its ctx form, a closure gains a ctx parameter and hands it on,
// and any other value (computed by a call, a function of another module,
// an exported setter's parameter) is adapted with an unexported helper
// that ignores the ctx; a read of the field's value that leaves the group
// (an argument to an exported setter's function) is adapted back with
// one that passes context.Background().

// ValueKind says what a value stored into a function-valued slot is, and
// so how the migration rewrites it.
type ValueKind int

const (
	// ValueAdapt is a value the migration cannot rewrite: it is wrapped
	// with the group's IgnoringCtx helper.
	ValueAdapt ValueKind = iota
	// ValueNil is nil: nothing changes.
	ValueNil
	// ValueFunc is a module function or method value: stored as its ctx
	// form (renamed for a sibling, as it is for a function changed in
	// place).
	ValueFunc
	// ValueClosure is a function literal: it gains a ctx parameter.
	ValueClosure
	// ValueFlow is the value of another slot of the group: nothing
	// changes.
	ValueFlow
)

// FieldValue is a value stored into a slot of a FieldGroup: an
// assignment, a composite literal's element, or the argument of a setter
// call.
type FieldValue struct {
	Expr ast.Expr
	At   Position
	File *File
	// Slot is the field, variable or setter parameter it is stored into.
	Slot *types.Var
	Kind ValueKind
	// Func is the function (ValueFunc) or the closure (ValueClosure).
	Func *Func
	// From is the slot whose value it is (ValueFlow).
	From *types.Var
	// Store is the node that stores it: an *ast.AssignStmt, a composite
	// literal's *ast.KeyValueExpr (the *ast.CompositeLit when unkeyed),
	// an *ast.ValueSpec, or a setter's *ast.CallExpr.
	Store ast.Node
}

// FieldGroup is a set of function-valued fields and setter parameters
// that share values: the fields change their type together, or none does.
type FieldGroup struct {
	// Fields are the group's fields and variables, sorted by name.
	Fields []*FuncField
	// Params are the setter parameters of the group.
	Params []*types.Var
	// Types are the type expressions that gain ctx: the fields' and the
	// parameters' func types.
	Types []*ast.FuncType
	// Named are the fields' type expressions that name a func type
	// (dial DialFunc): the func type with ctx first replaces them.
	Named []ast.Expr
	// Values are the values stored into the group, in source order.
	Values []*FieldValue
	// Calls are the calls through the group's fields (those of a group
	// that migrates change).
	Calls []*ast.CallExpr
	// Reads are the reads of a field's value that leave the group
	// (neither a call nor a value of another slot): adapted with
	// WithBackground.
	Reads []ast.Expr
	// At is where the lead field is declared.
	At Position
	// Keep says why the group keeps its signature; zero when it migrates.
	Keep Skip
	// Sibling, for a group of one exported field that migrates, is the
	// ctx field written beside it (see SiblingField); nil when the group
	// changes in place.
	Sibling *SiblingField
	// Done is true when the slots take a ctx already.
	Done bool
	// Carriers are the units whose phase changes the group: the units of
	// the functions stored into it and of those its closures call.
	Carriers []*Unit
	// file holds the lead field's declaration.
	file *File
}

// Lead is the group's first field.
func (g *FieldGroup) Lead() *FuncField { return g.Fields[0] }

// Migrates reports whether calls through the group's fields pass a ctx
// once the group's phase is applied (or already do).
func (g *FieldGroup) Migrates() bool { return g.Keep.IsZero() }

// Package is the import path of the group's fields.
func (g *FieldGroup) Package() string {
	if p := g.Lead().Var.Pkg(); p != nil {
		return p.Path()
	}
	return ""
}

// File is the file that declares the lead field: the group's helpers go
// there.
func (g *FieldGroup) File() *File { return g.file }

// Signature is the slots' type before the migration.
func (g *FieldGroup) Signature() *types.Signature {
	return g.Lead().Var.Type().Underlying().(*types.Signature)
}

// Adapted counts the values whose calls the ctx does not reach: those
// wrapped with the IgnoringCtx helper, or for a sibling group those
// stored without a ctx form beside them.
func (g *FieldGroup) Adapted() int {
	n := 0
	for _, v := range g.Values {
		if g.ignoresCtx(v) {
			n++
		}
	}
	return n
}

// FirstAdapted is the first value counted by Adapted, or nil.
func (g *FieldGroup) FirstAdapted() *FieldValue {
	for _, v := range g.Values {
		if g.ignoresCtx(v) {
			return v
		}
	}
	return nil
}

func (g *FieldGroup) ignoresCtx(v *FieldValue) bool {
	if g.Sibling != nil {
		return v.Kind != ValueFunc && v.Kind != ValueNil
	}
	return v.Kind == ValueAdapt
}

// FirstUnresolved is the first assignment to a field of the group that
// the analysis cannot follow, or nil.
func (g *FieldGroup) FirstUnresolved() *Unresolved {
	for _, ff := range g.Fields {
		if len(ff.Unresolved) > 0 {
			return &ff.Unresolved[0]
		}
	}
	return nil
}

// Followed reports whether the module calls through the group's fields.
func (g *FieldGroup) Followed() bool { return len(g.Calls) > 0 }

// FollowedFields are the groups of fields without a ctx that the module
// calls through, sorted by their lead field's name.
func (m *Model) FollowedFields() []*FieldGroup {
	var out []*FieldGroup
	for _, g := range m.Groups {
		if g.Followed() && !g.Done {
			out = append(out, g)
		}
	}
	return out
}

// IgnoringCtxName names the helper that turns a sync func into the
// group's ctx type, ignoring the ctx.
func (g *FieldGroup) IgnoringCtxName() string { return g.Lead().Var.Name() + "IgnoringCtx" }

// WithBackgroundName names the helper that turns a func of the group's
// ctx type into the sync one, passing context.Background().
func (g *FieldGroup) WithBackgroundName() string { return g.Lead().Var.Name() + "WithBackground" }

// unionFind groups slots.
type unionFind map[*types.Var]*types.Var

func (u unionFind) find(v *types.Var) *types.Var {
	for u[v] != nil && u[v] != v {
		if u[u[v]] != nil {
			u[v] = u[u[v]]
		}
		v = u[v]
	}
	return v
}

func (u unionFind) union(a, b *types.Var) {
	ra, rb := u.find(a), u.find(b)
	if ra != rb {
		u[ra] = rb
	}
}

// slotDecls are the type expressions of the module's function-valued
// struct fields and parameters, with what the grouping needs to know of
// where they are declared.
type slotDecl struct {
	typ *ast.FuncType // nil when the type is not a func literal type
	// owner is the named struct of a field; setter the function of a
	// parameter.
	owner  *types.Named
	setter *types.Func
	file   *File
	// field is a struct field's declaration.
	field *ast.Field
}

// groupFields forms the FieldGroups of the packages and merges the
// targets of each group's fields.
func (x *extractor) groupFields(pkgs []*Package) {
	decls := x.slotDecls(pkgs)
	param := func(v *types.Var) bool { return x.fields.byVar[v] == nil && decls[v].setter != nil }
	uf := unionFind{}
	params := map[*types.Var]bool{}
	for _, v := range x.fields.values {
		if x.fields.byVar[v.Slot] == nil && !param(v.Slot) {
			continue // an argument of a setter whose parameter stays
		}
		uf.union(v.Slot, v.Slot)
		if param(v.Slot) {
			params[v.Slot] = true
		}
		if v.Kind == ValueFlow && (x.fields.byVar[v.From] != nil || param(v.From)) {
			uf.union(v.Slot, v.From)
			if param(v.From) {
				params[v.From] = true
			}
		}
	}
	groups := map[*types.Var]*FieldGroup{}
	get := func(v *types.Var) *FieldGroup {
		r := uf.find(v)
		if groups[r] == nil {
			groups[r] = &FieldGroup{}
		}
		return groups[r]
	}
	for _, ff := range x.fields.byVar {
		g := get(ff.Var)
		g.Fields = append(g.Fields, ff)
		ff.Group = g
	}
	for p := range params {
		g := get(p)
		g.Params = append(g.Params, p)
		x.fields.paramGroup[p] = g
	}
	for _, v := range x.fields.values {
		if x.fields.byVar[v.Slot] != nil || params[v.Slot] {
			g := get(v.Slot)
			g.Values = append(g.Values, v)
		}
	}
	for _, g := range groups {
		if len(g.Fields) == 0 {
			continue
		}
		x.sortFields(g)
		// Positions, not token.Pos: the load parses files side by side,
		// so the order of two files' Pos differs between runs.
		slices.SortFunc(g.Params, func(a, b *types.Var) int { return x.position(a.Pos()).Compare(x.position(b.Pos())) })
		x.finishGroup(g, decls)
		x.fields.groups = append(x.fields.groups, g)
	}
	// Two groups can have the same lead name (fields of unnamed structs
	// in one package); the position decides, since groups came out of a
	// map.
	slices.SortFunc(x.fields.groups, func(a, b *FieldGroup) int {
		return cmp.Or(cmp.Compare(a.Lead().Name, b.Lead().Name), a.At.Compare(b.At))
	})
	x.findUses(pkgs)
	x.settleSiblings()
}

// sortFields sorts g's fields by name, and fields of the same name
// (of unnamed structs) by where they are declared: they came out of a map.
func (x *extractor) sortFields(g *FieldGroup) {
	slices.SortFunc(g.Fields, func(a, b *FuncField) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), x.position(a.Var.Pos()).Compare(x.position(b.Var.Pos())))
	})
}

// finishGroup merges the targets of g's fields and decides whether g
// migrates.
func (x *extractor) finishGroup(g *FieldGroup, decls map[*types.Var]slotDecl) {
	seen := map[*Func]bool{}
	var targets []*Func
	for _, ff := range g.Fields {
		for _, t := range ff.Targets {
			if !seen[t] {
				seen[t] = true
				targets = append(targets, t)
			}
		}
	}
	sort.Slice(targets, func(i, j int) bool { return targets[i].ID < targets[j].ID })
	for _, ff := range g.Fields {
		ff.Targets = append([]*Func(nil), targets...)
	}
	for _, ff := range g.Fields {
		if d := decls[ff.Var]; d.owner != nil {
			ff.Name = ff.Var.Pkg().Path() + "." + d.owner.Obj().Name() + "." + ff.Var.Name()
		}
	}
	x.sortFields(g)
	if d, ok := decls[g.Lead().Var]; ok {
		g.file = d.file
	}
	g.At = x.position(g.Lead().Var.Pos())
	if takesContext(g.Signature()) {
		g.Done = true
		return
	}
	g.Keep = x.groupKeep(g, decls)
	if !g.Keep.IsZero() || g.Sibling != nil {
		return
	}
	for _, p := range g.Params {
		g.Types = append(g.Types, decls[p].typ)
	}
	for _, ff := range g.Fields {
		if d := decls[ff.Var]; d.typ != nil {
			g.Types = append(g.Types, d.typ)
		} else {
			g.Named = append(g.Named, d.field.Type)
		}
	}
	slices.SortFunc(g.Types, func(a, b *ast.FuncType) int { return x.position(a.Pos()).Compare(x.position(b.Pos())) })
	for _, v := range g.Values {
		if v.Kind == ValueFlow && !g.has(v.From) {
			v.Kind = ValueAdapt // a parameter of an exported setter
		}
		if v.Kind == ValueFunc {
			x.fields.inSlot[v.Expr] = true
		}
	}
}

// hasMethods reports whether t has methods (http.HandlerFunc).
func hasMethods(t types.Type) bool {
	return types.NewMethodSet(t).Len() > 0 || types.NewMethodSet(types.NewPointer(t)).Len() > 0
}

// has reports whether v is a slot of g.
func (g *FieldGroup) has(v *types.Var) bool {
	for _, ff := range g.Fields {
		if ff.Var == v {
			return true
		}
	}
	for _, p := range g.Params {
		if p == v {
			return true
		}
	}
	return false
}

// groupKeep says why g keeps its signature, or nothing.
func (x *extractor) groupKeep(g *FieldGroup, decls map[*types.Var]slotDecl) Skip {
	keep := func(format string, args ...any) Skip {
		return Skip{Code: SkipFieldKeepsSignature, Detail: fmt.Sprintf(format, args...)}
	}
	for _, ff := range g.Fields {
		d, ok := decls[ff.Var]
		switch {
		case !ff.Var.IsField():
			return keep("%s is a package variable", ff.Short())
		case ff.Exported || ff.Var.Exported():
			sf, why := x.siblingField(g, decls)
			if sf == nil {
				return keep("%s is exported: code outside the module may set or call it, and it gets no ctx field beside it: %s", ff.Short(), why)
			}
			g.Sibling = sf
			return Skip{}
		case !ok || d.owner == nil:
			return keep("%s is not a field of a named struct of the module", ff.Short())
		case d.owner.TypeParams().Len() > 0:
			return keep("%s is a field of a generic struct", ff.Short())
		case d.typ == nil && d.field == nil:
			return keep("%s has a named func type, which keeps its signature", ff.Short())
		case d.typ == nil && hasMethods(ff.Var.Type()):
			return keep("%s has a named func type with methods, which the func type with ctx would not have", ff.Short())
		case d.file.Generated:
			return keep("%s is declared in a generated file", ff.Short())
		case !types.Identical(ff.Var.Type(), g.Lead().Var.Type()):
			return keep("%s and %s share values but not their type", ff.Short(), g.Lead().Short())
		}
	}
	for _, p := range g.Params {
		d, ok := decls[p]
		switch {
		case !ok || d.setter == nil || d.typ == nil:
			return keep("a value flows from parameter %s, which the migration cannot change", p.Name())
		case !types.Identical(p.Type(), g.Lead().Var.Type()):
			return keep("parameter %s of %s and %s share values but not their type", p.Name(), d.setter.Name(), g.Lead().Short())
		}
	}
	return Skip{}
}

// slotDecls finds the declarations of the struct fields and setter
// parameters of function type in the packages.
func (x *extractor) slotDecls(pkgs []*Package) map[*types.Var]slotDecl {
	out := map[*types.Var]slotDecl{}
	for _, p := range pkgs {
		for _, file := range p.Files {
			for _, d := range file.Syntax.Decls {
				switch d := d.(type) {
				case *ast.GenDecl:
					structSlots(file, d, out)
				case *ast.FuncDecl:
					paramSlots(file, d, out)
				}
			}
		}
	}
	return out
}

func structSlots(file *File, d *ast.GenDecl, out map[*types.Var]slotDecl) {
	info := file.Pkg.Info
	for _, s := range d.Specs {
		ts, ok := s.(*ast.TypeSpec)
		if !ok {
			continue
		}
		st, ok := ts.Type.(*ast.StructType)
		if !ok {
			continue
		}
		tn, _ := info.Defs[ts.Name].(*types.TypeName)
		if tn == nil {
			continue
		}
		owner, _ := tn.Type().(*types.Named)
		for _, f := range st.Fields.List {
			ft, _ := f.Type.(*ast.FuncType)
			for _, n := range f.Names {
				if v, ok := info.Defs[n].(*types.Var); ok {
					out[v] = slotDecl{typ: ft, owner: owner, file: file, field: f}
				}
			}
		}
	}
}

func paramSlots(file *File, d *ast.FuncDecl, out map[*types.Var]slotDecl) {
	info := file.Pkg.Info
	fn, _ := info.Defs[d.Name].(*types.Func)
	if fn == nil || d.Type.Params == nil {
		return
	}
	if fn.Exported() && file.Pkg.Importable && (d.Recv == nil || recvExported(d)) {
		return // code outside the module calls it: its parameters stay
	}
	for _, f := range d.Type.Params.List {
		ft, _ := f.Type.(*ast.FuncType)
		for _, n := range f.Names {
			if v, ok := info.Defs[n].(*types.Var); ok {
				out[v] = slotDecl{typ: ft, setter: fn, file: file}
			}
		}
	}
}

func recvExported(d *ast.FuncDecl) bool {
	if len(d.Recv.List) != 1 {
		return false
	}
	return ast.IsExported(strings.TrimPrefix(recvName(d.Recv.List[0].Type), "*"))
}

// findUses records the calls through the groups' fields and the reads of
// their values that leave the group.
//
// Only an identifier or selector spelled like a slot can name one, so
// the others are passed over before their types are looked up, and a
// module with no slots is not searched.
func (x *extractor) findUses(pkgs []*Package) {
	spelled := map[string]bool{}
	for v := range x.fields.byVar {
		spelled[v.Name()] = true
	}
	for v := range x.fields.paramGroup {
		spelled[v.Name()] = true
	}
	if len(spelled) == 0 {
		return
	}
	names := func(file *File, n ast.Node, _ []ast.Node) bool {
		var e ast.Expr
		switch n := n.(type) {
		case *ast.Ident:
			e = n
			if !spelled[n.Name] {
				return false
			}
		case *ast.SelectorExpr:
			e = n
			if !spelled[n.Sel.Name] {
				return false
			}
		default:
			return false
		}
		g, _ := x.slotGroup(file, e)
		return g != nil
	}
	for _, h := range searchFiles(pkgs, names) {
		x.fieldUse(h.file, h.node().(ast.Expr), h.stack)
	}
}

// slotGroup is the group of the slot e names, if any: a field selected,
// or a package variable or parameter named; field says it is a FuncField
// of the group, not a setter's parameter. It only reads.
func (x *extractor) slotGroup(file *File, e ast.Expr) (g *FieldGroup, field bool) {
	var v *types.Var
	switch e := e.(type) {
	case *ast.SelectorExpr:
		if s := file.Pkg.Info.Selections[e]; s != nil && s.Kind() == types.FieldVal {
			v, _ = s.Obj().(*types.Var)
		}
	case *ast.Ident:
		v, _ = file.Pkg.Info.Uses[e].(*types.Var)
		if v != nil && v.IsField() {
			return nil, false // a selector's Sel, or a composite literal's key
		}
	}
	if v == nil {
		return nil, false
	}
	if ff := x.fields.byVar[v]; ff != nil {
		return ff.Group, true
	}
	return x.fields.paramGroup[v], false
}

// fieldUse classifies e when it names a slot of a migrating group.
func (x *extractor) fieldUse(file *File, e ast.Expr, stack []ast.Node) {
	g, field := x.slotGroup(file, e)
	if g == nil {
		return
	}
	parent := stack[len(stack)-2]
	if call, ok := parent.(*ast.CallExpr); ok && ast.Unparen(call.Fun) == e && field {
		g.Calls = append(g.Calls, call)
		if g.Sibling != nil {
			g.Sibling.foreign(file, call, g.Lead().Var.Pkg())
		}
		return
	}
	if !g.Migrates() || g.Done {
		return
	}
	if g.Sibling != nil && g.siblingUse(file, e, stack) {
		return
	}
	if stays(e, parent, g) {
		return
	}
	g.Reads = append(g.Reads, e)
}

// stays reports whether the use e of a slot of g keeps the value in the
// group: assigned to, stored into another slot, compared with nil.
func stays(e ast.Expr, parent ast.Node, g *FieldGroup) bool {
	switch p := parent.(type) {
	case *ast.AssignStmt:
		for _, l := range p.Lhs {
			if l == e {
				return true
			}
		}
	case *ast.BinaryExpr:
		other := p.X
		if other == e {
			other = p.Y
		}
		if id, ok := other.(*ast.Ident); ok && id.Name == "nil" {
			return true
		}
	}
	for _, v := range g.Values {
		if v.Kind == ValueFlow && ast.Unparen(v.Expr) == e {
			return true
		}
	}
	return false
}

// carryGroups gives every migrating group the units that carry it, and
// makes them require each other: they are applied in one phase.
func (m *Model) carryGroups() {
	for _, g := range m.Groups {
		if !g.Migrates() || g.Done {
			continue
		}
		seen := map[*Unit]bool{}
		add := func(f *Func) {
			if u := m.unitOf[f]; u != nil && !seen[u] {
				seen[u] = true
				g.Carriers = append(g.Carriers, u)
			}
		}
		for _, v := range g.Values {
			switch v.Kind {
			case ValueFunc:
				add(v.Func)
			case ValueClosure:
				if g.Sibling != nil {
					continue // it keeps its signature: nil goes beside it
				}
				for _, c := range v.Func.Calls {
					if !c.Detached {
						add(c.Callee)
					}
				}
			}
		}
		if len(g.Carriers) == 0 {
			g.Keep = Skip{Code: SkipFieldKeepsSignature, Detail: "nothing stored into it gets a ctx form"}
			continue
		}
		sort.Slice(g.Carriers, func(i, j int) bool { return g.Carriers[i].ID < g.Carriers[j].ID })
		for _, u := range g.Carriers {
			u.Groups = append(u.Groups, g)
			for _, o := range g.Carriers {
				if o != u {
					u.Requires = append(u.Requires, o)
				}
			}
		}
	}
}
