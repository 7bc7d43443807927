package analysis

import (
	"go/ast"
	"go/token"
	"go/types"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/load"
	"golang.org/x/tools/go/packages"
)

// FactOf is what f's package tells the packages that import it.
func FactOf(f *Func) Fact {
	return Fact{Via: f.Via, Depth: f.depth, Cancels: f.Cancels, Stuck: f.Stuck, LeftOut: !f.Skip.IsZero()}
}

// Fact is what a package tells the packages that import it about one of
// its functions: that it blocks without a context, through which
// operation, and how far away that operation is.
type Fact struct {
	Via   Via
	Depth int
	// Cancels, Stuck and LeftOut say how far a ctx would reach through
	// it (see Func.Cancels) and whether it gets no ctx form.
	Cancels bool
	Stuck   Via
	LeftOut bool
}

// PackageInput is one type-checked package for the package driver.
type PackageInput struct {
	Fset  *token.FileSet
	Types *types.Package
	Info  *types.Info
	Files []*ast.File
	// Module is the module path ("" when the driver does not know it);
	// GoVersion its go line.
	Module    string
	GoVersion string
	// Fact returns the fact of a function of another package of the
	// module, and whether it has one (it blocks).
	Fact func(obj *types.Func) (Fact, bool)
	// Facts returns the functions of the imported packages that have a
	// fact: the methods among them may implement interfaces called here.
	Facts func() []*types.Func
}

// AnalyzePackage runs the analysis over one package, with what its
// imports' facts say of the functions it calls: the package driver, for
// the go/analysis analyzer. It returns the package's functions in source
// order.
//
// It extracts, propagates and classifies with the code Analyze uses, so
// the two agree on everything one package and its imports show. They
// differ where a fact would have to travel up the import graph, which
// go/analysis cannot do: an implementation of an interface in a package
// the caller does not import, a function used as a value or an interface
// implemented only in an importing package. Analyze sees the whole module.
func AnalyzePackage(in PackageInput) []*Func {
	local, _ := analyzePackage(in)
	sort.Slice(local, func(i, j int) bool { return local[i].Pos < local[j].Pos })
	return local
}

// PackageModel is AnalyzePackage's result as a Model of one package, with
// its units: what the rewrite needs to migrate a function of the package
// and its call sites in the package. Other packages are not in it, so
// their call sites are not; a function of another package is known only
// through its fact. The model's Load holds the one package, Dir the
// module root the package's files are under ("" when the module is
// unknown).
func PackageModel(in PackageInput) *Model {
	local, x := analyzePackage(in)
	dir := ""
	if len(in.Files) > 0 {
		dir = moduleRoot(in.Fset.PositionFor(in.Files[0].Package, false).Filename, in.Types.Path(), in.Module)
	}
	pkg := &packages.Package{
		ID: in.Types.Path(), Name: in.Types.Name(), PkgPath: in.Types.Path(),
		Fset: in.Fset, Syntax: in.Files, Types: in.Types, TypesInfo: in.Info,
		Module: &packages.Module{Path: in.Module, Dir: dir, GoVersion: in.GoVersion},
	}
	m := &load.Module{Dir: dir, Path: in.Module, GoVersion: in.GoVersion, Fset: in.Fset, Packages: []*packages.Package{pkg}}
	md := &Model{Module: in.Module, GoVersion: in.GoVersion, Load: m, Funcs: local, byID: map[string]*Func{}, byKey: x.byKey, unitOf: map[*Func]*Unit{}}
	md.Interfaces = x.ifaces
	md.Fields = x.calledFields()
	md.Groups = x.fields.groups
	md.assignIDs()
	md.formUnits()
	return md
}

// analyzePackage extracts, propagates and classifies one package: its
// own functions, and the extractor that found them.
func analyzePackage(in PackageInput) ([]*Func, *extractor) {
	modRoot := ""
	position := func(pos token.Pos) Position {
		if modRoot == "" {
			modRoot = moduleRoot(in.Fset.PositionFor(pos, false).Filename, in.Types.Path(), in.Module)
		}
		p := ShownPosition(in.Fset, pos, modRoot)
		return Position{File: relName(p.Filename, modRoot, in.Types.Path()), Line: p.Line, Col: p.Column}
	}
	x := newExtractor(in.Fset, in.Module, in.GoVersion, position)
	p := &Package{Path: in.Types.Path(), Name: in.Types.Name(), Types: in.Types, Info: in.Info, Importable: ImportablePath(in.Types.Path(), in.Types.Name())}
	for _, f := range in.Files {
		name := in.Fset.Position(f.Package).Filename
		p.Files = append(p.Files, &File{Syntax: f, Name: name, Test: strings.HasSuffix(name, "_test.go"), Generated: ast.IsGenerated(f), Helper: isHelperFile(f), Pkg: p})
	}
	g := &ghosts{x: x, in: in, byObj: map[*types.Func]*Func{}}
	x.resolve = g.resolve
	x.index([]*Package{p})
	x.collectFields([]*Package{p})
	x.resolveParams([]*Package{p})
	x.finishFields()
	x.groupFields([]*Package{p})
	local := append([]*Func(nil), x.funcs...)
	x.countChans([]*Package{p})
	x.values = x.walk(p) // one package: the ghosts it resolves need no lock
	for _, f := range local {
		f.UsedAsValue = !f.InterfaceMethod && x.values[posKey(in.Fset, f.Pos)]
	}
	candidates := append(append([]*Func(nil), local...), g.methods()...)
	newIfaceResolver().resolve(append(x.ifaces, g.interfaces()...), candidates, local)
	outsideInterfaces(p, in.Module, local)
	all := append(append([]*Func(nil), local...), g.all()...)
	propagate(all)
	classify(all)
	return local, x
}

// ghosts stand for the functions of other packages of the module, with
// what their facts say.
type ghosts struct {
	x     *extractor
	in    PackageInput
	byObj map[*types.Func]*Func
	order []*Func
}

// resolve is the package driver's resolve: a function of this package, or
// a ghost for one of another package of the module.
func (g *ghosts) resolve(obj *types.Func) *Func {
	if f := g.x.declared(obj); f != nil {
		return f
	}
	obj = obj.Origin()
	if obj.Pkg() == nil || obj.Pkg() == g.in.Types || !IsModulePath(obj.Pkg().Path(), g.in.Module) {
		return nil
	}
	return g.ghost(obj)
}

func (g *ghosts) ghost(obj *types.Func) *Func {
	if f, ok := g.byObj[obj]; ok {
		return f
	}
	recv := ""
	if r := obj.Signature().Recv(); r != nil {
		if n := namedOf(r.Type()); n != nil {
			recv = n.Obj().Name()
			if _, ptr := r.Type().(*types.Pointer); ptr {
				recv = "*" + recv
			}
		}
	}
	f := &Func{Obj: obj, ID: funcID(obj.Pkg().Path(), recv, obj.Name()), Name: obj.Name(), Recv: recv, Package: obj.Pkg().Path(), ghost: true, depth: -1}
	if r := obj.Signature().Recv(); r != nil && types.IsInterface(r.Type()) {
		f.InterfaceMethod = true
	}
	if fact, ok := g.in.Fact(obj); ok {
		f.Blocking, f.Via, f.depth = true, fact.Via, fact.Depth
		f.Cancels, f.Stuck, f.leftOut = fact.Cancels, fact.Stuck, fact.LeftOut
	}
	g.byObj[obj] = f
	g.order = append(g.order, f)
	return f
}

// methods are ghosts for the methods of imported packages that block:
// they may implement an interface called here.
func (g *ghosts) methods() []*Func {
	var out []*Func
	if g.in.Facts == nil {
		return nil
	}
	for _, obj := range g.in.Facts() {
		if obj.Signature().Recv() != nil {
			if f := g.ghost(obj); !f.InterfaceMethod {
				out = append(out, f)
			}
		}
	}
	return out
}

// interfaces are the interfaces of other packages whose methods this
// package calls.
func (g *ghosts) interfaces() []*Interface {
	byNamed := map[*types.Named]*Interface{}
	var out []*Interface
	for _, f := range g.order {
		if !f.InterfaceMethod {
			continue
		}
		named := namedOf(f.Obj.Signature().Recv().Type())
		if named == nil {
			continue
		}
		it, ok := named.Underlying().(*types.Interface)
		if !ok {
			continue
		}
		mi := byNamed[named]
		if mi == nil {
			obj := named.Obj()
			mi = &Interface{Name: obj.Pkg().Path() + "." + obj.Name(), Exported: obj.Exported() && ImportablePath(obj.Pkg().Path(), obj.Pkg().Name()), Named: named, Type: it, Methods: map[string]*Func{}}
			byNamed[named] = mi
			out = append(out, mi)
		}
		mi.Methods[f.Name] = f
		f.declIface = mi
	}
	return out
}

func (g *ghosts) all() []*Func { return g.order }

// moduleRoot is the folder of the module that holds the file of package
// pkgPath: the file's folder less the package's path below the module;
// "" when the module is unknown.
func moduleRoot(filename, pkgPath, mod string) string {
	if mod == "" || !IsModulePath(strings.TrimSuffix(pkgPath, "_test"), mod) {
		return ""
	}
	sub := strings.TrimPrefix(strings.TrimSuffix(pkgPath, "_test"), mod)
	dir := filepath.Dir(filename)
	return strings.TrimSuffix(dir, filepath.FromSlash(sub))
}

// relName is filename relative to root, or, when root is unknown, the
// package path and the file's base name.
func relName(filename, root, pkgPath string) string {
	if root != "" {
		if r, err := filepath.Rel(root, filename); err == nil && !strings.HasPrefix(r, "..") {
			return filepath.ToSlash(r)
		}
	}
	return path.Join(strings.TrimSuffix(pkgPath, "_test"), filepath.Base(filename))
}
