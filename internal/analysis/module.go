package analysis

import (
	"cmp"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/load"
)

// Model is the analysed module.
type Model struct {
	// Module is the module path; GoVersion its go line.
	Module    string
	GoVersion string
	// Load is the module as loaded; the rewrite edits its syntax.
	Load *load.Module
	// Funcs are every function of the module, sorted by ID.
	Funcs []*Func
	// Units are the units to migrate, sorted by ID.
	Units []*Unit
	// Interfaces are the interface types declared in the module.
	Interfaces []*Interface
	// Fields are the function-valued fields and variables the module
	// calls, sorted by name.
	Fields []*FuncField
	// Groups are the groups of function-valued fields that share values,
	// sorted by their lead field's name.
	Groups []*FieldGroup

	byID   map[string]*Func
	byKey  map[declKey]*Func
	unitOf map[*Func]*Unit
	// closures are the Funcs that are closures, sorted by the position
	// of their literal (see ClosuresIn).
	closures []*Func
	// embedders are the types that embed each type (see overriders).
	embedders map[string][]*types.Named
}

// Func returns the function with the given ID, or nil.
func (m *Model) Func(id string) *Func { return m.byID[id] }

// FuncOf returns the module's function declared by obj (any package
// variant's object), or nil.
func (m *Model) FuncOf(obj *types.Func) *Func {
	if obj == nil || !obj.Pos().IsValid() {
		return nil
	}
	return m.byKey[posKey(m.Load.Fset, obj.Origin().Pos())]
}

// FuncAt returns the function whose name is at pos, or nil.
func (m *Model) FuncAt(pos token.Pos) *Func { return m.byKey[posKey(m.Load.Fset, pos)] }

// ClosuresIn are the closures (functions assigned to function-valued
// fields) whose literal is inside n, sorted by ID.
func (m *Model) ClosuresIn(n ast.Node) []*Func {
	i, _ := slices.BinarySearchFunc(m.closures, n.Pos(), func(f *Func, pos token.Pos) int { return cmp.Compare(f.Closure.Pos(), pos) })
	var out []*Func
	for _, f := range m.closures[i:] {
		if f.Closure.Pos() >= n.End() {
			break
		}
		if f.Closure.End() <= n.End() {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b *Func) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// UnitOf returns the unit that migrates f, or nil.
func (m *Model) UnitOf(f *Func) *Unit { return m.unitOf[f] }

// Position is pos relative to the module root, for people.
func (m *Model) Position(pos token.Pos) Position { return modulePosition(m.Load, pos) }

func modulePosition(mod *load.Module, pos token.Pos) Position {
	p := ShownPosition(mod.Fset, pos, mod.Dir)
	return Position{File: mod.Rel(p.Filename), Line: p.Line, Col: p.Column}
}

// Analyze finds what blocks in the loaded module m and groups it into
// units: the module driver.
func Analyze(m *load.Module) (*Model, error) {
	md := &Model{Module: m.Path, GoVersion: m.GoVersion, Load: m, byID: map[string]*Func{}, unitOf: map[*Func]*Unit{}}
	x := newExtractor(m.Fset, m.Path, m.GoVersion, func(pos token.Pos) Position { return modulePosition(m, pos) })
	x.resolve = x.declared
	pkgs := modulePackages(m)
	x.index(pkgs)
	x.collectFields(pkgs)
	x.resolveParams(pkgs)
	x.finishFields()
	x.groupFields(pkgs)
	x.countChans(pkgs)
	x.walkAll(pkgs)
	md.Fields = x.calledFields()
	md.Groups = x.fields.groups
	for _, f := range x.funcs {
		f.UsedAsValue = !f.InterfaceMethod && x.values[posKey(m.Fset, f.Pos)]
	}
	md.byKey = x.byKey
	md.Interfaces = x.ifaces
	newIfaceResolver().resolve(x.ifaces, x.funcs, x.funcs)
	byPkg := map[string][]*Func{}
	for _, f := range x.funcs {
		byPkg[f.Package] = append(byPkg[f.Package], f)
	}
	for _, p := range pkgs {
		outsideInterfaces(p, m.Path, byPkg[p.Path])
	}
	propagate(x.funcs)
	classify(x.funcs)
	md.Funcs = x.funcs
	md.assignIDs()
	md.alsoDeclared()
	md.formUnits()
	return md, nil
}

// modulePackages turns the loaded packages into what the extraction
// reads, marking test, generated and cgo files.
func modulePackages(m *load.Module) []*Package {
	var out []*Package
	inModule := func(name string) bool { return strings.HasPrefix(name, m.Dir+string(filepath.Separator)) }
	for _, lp := range m.Packages {
		p := &Package{Path: lp.PkgPath, Name: lp.Name, Types: lp.Types, Info: lp.TypesInfo, Importable: ImportablePath(lp.PkgPath, lp.Name)}
		for _, f := range lp.Syntax {
			// cgo hands go/packages preprocessed copies whose //line
			// comments point back at the module's file; its own helper
			// files point nowhere in the module and are not ours.
			raw := m.Fset.PositionFor(f.Package, false).Filename
			adj := m.Fset.Position(f.Package).Filename
			cgo := !inModule(raw)
			if cgo && !inModule(adj) {
				continue
			}
			p.Files = append(p.Files, &File{
				Syntax:    f,
				Name:      m.Rel(adj),
				Test:      strings.HasSuffix(adj, "_test.go"),
				Generated: !cgo && ast.IsGenerated(f),
				Cgo:       cgo,
				Helper:    isHelperFile(f),
				Pkg:       p,
			})
		}
		out = append(out, p)
	}
	return out
}

// assignIDs makes IDs unique (two init functions of a package) and sorts
// the functions by ID.
func (m *Model) assignIDs() {
	sort.SliceStable(m.Funcs, func(i, j int) bool { return m.Funcs[i].ID < m.Funcs[j].ID })
	for _, f := range m.Funcs {
		id := f.ID
		for n := 2; m.byID[id] != nil; n++ {
			id = fmt.Sprintf("%s#%d", f.ID, n)
		}
		f.ID = id
		m.byID[id] = f
	}
	sort.Slice(m.Funcs, func(i, j int) bool { return m.Funcs[i].ID < m.Funcs[j].ID })
	m.closures = nil
	for _, f := range m.Funcs {
		if f.Closure != nil {
			m.closures = append(m.closures, f)
		}
	}
	slices.SortFunc(m.closures, func(a, b *Func) int { return cmp.Compare(a.Closure.Pos(), b.Closure.Pos()) })
}

// alsoDeclared records the declarations of the same functions in files
// the build constraints exclude.
func (m *Model) alsoDeclared() {
	for _, ig := range m.Load.Ignored {
		for _, d := range ig.Syntax.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			recv := ""
			if fd.Recv != nil && len(fd.Recv.List) == 1 {
				recv = recvName(fd.Recv.List[0].Type)
			}
			if f := m.byID[funcID(ig.Package.PkgPath, recv, fd.Name.Name)]; f != nil {
				f.Also = append(f.Also, fd.Name.Pos())
			}
		}
	}
}

// Counts are what the analysis counts of a package (or a module),
// outside test files.
type Counts struct {
	// ContextAware counts functions that take a context, have a ctx form
	// (Foo beside its FooContext counts once) or are HTTP handlers.
	ContextAware int
	// Blocking counts the blocking functions without a context yet:
	// ToMigrate of them are in units, LeftOut are left alone.
	Blocking  int
	ToMigrate int
	LeftOut   int
	// Cancellable counts the functions that take a context by how far it
	// reaches in their bodies (see Func.CtxReach): fully, partly, not at
	// all.
	Cancellable map[Reach]int
}

// Add adds o to c.
func (c *Counts) Add(o Counts) {
	for r, n := range o.Cancellable {
		if c.Cancellable == nil {
			c.Cancellable = map[Reach]int{}
		}
		c.Cancellable[r] += n
	}
	c.ContextAware += o.ContextAware
	c.Blocking += o.Blocking
	c.ToMigrate += o.ToMigrate
	c.LeftOut += o.LeftOut
}

// CountByPackage counts every package, by import path.
func (m *Model) CountByPackage() map[string]*Counts {
	out := map[string]*Counts{}
	get := func(p string) *Counts {
		if out[p] == nil {
			out[p] = &Counts{}
		}
		return out[p]
	}
	forms := map[*Func]bool{} // FooContext, counted with Foo
	for _, f := range m.Funcs {
		if f.CtxForm != nil {
			if form := m.FuncOf(f.CtxForm); form != nil {
				forms[form] = true
			}
		}
	}
	for _, f := range m.Funcs {
		if f.TestFile || f.InterfaceMethod || f.Closure != nil {
			continue
		}
		c := get(f.Package)
		if f.TakesContext && f.Decl != nil && !f.Handler {
			if c.Cancellable == nil {
				c.Cancellable = map[Reach]int{}
			}
			c.Cancellable[f.CtxReach()]++
		}
		if forms[f] {
			continue
		}
		switch {
		case f.Done():
			c.ContextAware++
		case !f.Blocking:
		case m.unitOf[f] != nil:
			c.Blocking++
			c.ToMigrate++
		default:
			c.Blocking++
			c.LeftOut++
		}
	}
	return out
}

// Summary counts what the analysis found, outside test files.
type Summary struct {
	Counts
	// Units counts units.
	Units int
	// Skipped counts the functions left out by reason.
	Skipped map[SkipCode]int
}

// Summary counts the model.
func (m *Model) Summary() Summary {
	s := Summary{Skipped: map[SkipCode]int{}, Units: len(m.Units)}
	for _, c := range m.CountByPackage() {
		s.Counts.Add(*c)
	}
	for _, f := range m.LeftOut() {
		s.Skipped[f.Skip.Code]++
	}
	return s
}

// LeftOut returns the blocking functions that no unit migrates, with their
// reasons, sorted by ID. Test-file functions are not listed: their call
// sites get a context source instead.
func (m *Model) LeftOut() []*Func {
	var out []*Func
	for _, f := range m.Funcs {
		if f.Blocking && !f.Skip.IsZero() && !f.TestFile && !f.InterfaceMethod && f.Closure == nil {
			out = append(out, f)
		}
	}
	return out
}

// FixedInterfaces returns the methods of exported interfaces that block
// through an implementation: they never change, so calls through them stay
// sync. Sorted by ID.
func (m *Model) FixedInterfaces() []*Func {
	var out []*Func
	for _, f := range m.Funcs {
		if f.Blocking && !f.Skip.IsZero() && f.InterfaceMethod {
			out = append(out, f)
		}
	}
	return out
}
