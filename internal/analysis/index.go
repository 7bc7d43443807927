package analysis

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/load"
	"golang.org/x/tools/go/packages"
)

// fileInfo is what the analysis keeps of one syntax file.
type fileInfo struct {
	pkg       *packages.Package
	syntax    *ast.File
	name      string // module-relative
	test      bool
	generated bool
	cgo       bool
}

// builder holds the state of one analysis run.
type builder struct {
	mod   *load.Module
	res   *Result
	byKey map[string]*Func
	objs  map[*Func]*types.Func // a representative object for each typed function
	msets map[*types.Named]*types.MethodSet
	sigs  map[types.Type]string // signatures as text, by type
	sinks *sinkFinder
	files []fileInfo
	// ifaces are the interface types declared in the module (outside test
	// files), by the qualified name of the type.
	ifaces map[string]*moduleIface
}

// moduleIface is an interface type declared in the module.
type moduleIface struct {
	name     string // "example.com/shop/api.Fetcher"
	exported bool
	iface    *types.Interface
	methods  map[string]*Func
}

// posKey identifies a declaration across package variants: the file and
// byte offset of its name, before //line adjustments.
func posKey(fset *token.FileSet, pos token.Pos) string {
	p := fset.PositionFor(pos, false)
	return fmt.Sprintf("%s:%d", p.Filename, p.Offset)
}

func (b *builder) position(pos token.Pos) Position {
	p := b.mod.Fset.Position(pos)
	return Position{File: b.mod.Rel(p.Filename), Line: p.Line, Col: p.Column}
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

// importable reports whether code outside the module can import pkgPath.
func importable(pkg *packages.Package) bool {
	if pkg.Name == "main" || strings.HasSuffix(pkg.PkgPath, "_test") {
		return false
	}
	p := "/" + pkg.PkgPath + "/"
	return !strings.Contains(p, "/internal/")
}

// indexFiles records every file and every function declaration.
func (b *builder) indexFiles() {
	for _, pkg := range b.mod.Packages {
		for _, f := range pkg.Syntax {
			// cgo hands go/packages preprocessed copies whose //line
			// comments point back at the module's file; its own helper
			// files point nowhere in the module and are not ours.
			raw := b.mod.Fset.PositionFor(f.Package, false).Filename
			adj := b.mod.Fset.Position(f.Package).Filename
			inModule := func(name string) bool { return strings.HasPrefix(name, b.mod.Dir+string(filepath.Separator)) }
			cgo := !inModule(raw)
			if cgo && !inModule(adj) {
				continue
			}
			fi := fileInfo{
				pkg:       pkg,
				syntax:    f,
				name:      b.mod.Rel(adj),
				test:      strings.HasSuffix(adj, "_test.go"),
				generated: !cgo && ast.IsGenerated(f),
				cgo:       cgo,
			}
			b.files = append(b.files, fi)
			b.indexDecls(fi)
		}
	}
	for _, ig := range b.mod.Ignored {
		for _, d := range ig.Syntax.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			recv := ""
			if fd.Recv != nil && len(fd.Recv.List) == 1 {
				recv = recvName(fd.Recv.List[0].Type)
			}
			if f := b.res.byID[funcID(ig.Package.PkgPath, recv, fd.Name.Name)]; f != nil {
				f.Also = append(f.Also, b.position(fd.Name.Pos()))
			}
		}
	}
}

func (b *builder) indexDecls(fi fileInfo) {
	info := fi.pkg.TypesInfo
	for _, d := range fi.syntax.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			obj, _ := info.Defs[d.Name].(*types.Func)
			if obj == nil {
				continue
			}
			recv := ""
			if d.Recv != nil && len(d.Recv.List) == 1 {
				recv = recvName(d.Recv.List[0].Type)
			}
			f := b.addFunc(fi, obj, recv, d.Name)
			if f == nil {
				continue
			}
			sig := obj.Type().(*types.Signature)
			f.TakesContext = takesContext(sig)
			f.Handler = isHandler(sig)
			switch {
			case fi.test:
				f.Skip = "in a test file"
			case fi.pkg.Name == "main" && recv == "" && d.Name.Name == "main":
				f.Skip = "main function"
			case recv == "" && d.Name.Name == "init":
				f.Skip = "init function"
			case fi.generated:
				f.Skip = "generated file"
			case fi.cgo:
				f.Skip = "cgo file"
			case d.Body == nil:
				f.Skip = "no Go body"
			}
			if !f.TakesContext {
				b.checkCtxName(f, obj)
			}
		case *ast.GenDecl:
			if d.Tok != token.TYPE || fi.test {
				continue
			}
			for _, s := range d.Specs {
				ts := s.(*ast.TypeSpec)
				it, ok := ts.Type.(*ast.InterfaceType)
				tn, _ := info.Defs[ts.Name].(*types.TypeName)
				if !ok || tn == nil {
					continue
				}
				iface, ok := tn.Type().Underlying().(*types.Interface)
				if !ok || !iface.IsMethodSet() {
					continue
				}
				mi := &moduleIface{
					name:     fi.pkg.PkgPath + "." + ts.Name.Name,
					exported: ts.Name.IsExported() && importable(fi.pkg),
					iface:    iface,
					methods:  map[string]*Func{},
				}
				b.ifaces[mi.name] = mi
				for _, field := range it.Methods.List {
					for _, n := range field.Names {
						obj, _ := info.Defs[n].(*types.Func)
						if obj == nil {
							continue
						}
						f := b.addFunc(fi, obj, ts.Name.Name, n)
						if f == nil {
							continue
						}
						f.InterfaceMethod = true
						f.TakesContext = takesContext(obj.Type().(*types.Signature))
						mi.methods[n.Name] = f
					}
				}
			}
		}
	}
}

// addFunc records a declaration once, whatever package variant shows it.
func (b *builder) addFunc(fi fileInfo, obj *types.Func, recv string, name *ast.Ident) *Func {
	key := posKey(b.mod.Fset, name.Pos())
	if f, ok := b.byKey[key]; ok {
		_ = f
		return nil
	}
	id := funcID(fi.pkg.PkgPath, recv, name.Name)
	for n := 2; b.res.byID[id] != nil; n++ {
		id = fmt.Sprintf("%s#%d", funcID(fi.pkg.PkgPath, recv, name.Name), n)
	}
	exported := name.IsExported()
	if r := strings.TrimPrefix(recv, "*"); r != "" && !ast.IsExported(r) {
		exported = false
	}
	f := &Func{
		ID:         id,
		Name:       name.Name,
		Recv:       recv,
		Package:    fi.pkg.PkgPath,
		Pos:        b.position(name.Pos()),
		Exported:   exported,
		Importable: importable(fi.pkg),
		TestFile:   fi.test,
		key:        key,
	}
	b.byKey[key] = f
	b.objs[f] = obj
	b.res.byID[id] = f
	b.res.Funcs = append(b.res.Funcs, f)
	return f
}

// checkCtxName looks for FooContext beside Foo: when it is Foo's ctx form,
// Foo is done; when it is something else, Foo's ctx form has no name.
func (b *builder) checkCtxName(f *Func, obj *types.Func) {
	sig := obj.Type().(*types.Signature)
	name := f.Name + "Context"
	var other types.Object
	if recv := sig.Recv(); recv != nil {
		other, _, _ = types.LookupFieldOrMethod(recv.Type(), true, obj.Pkg(), name)
	} else {
		other = obj.Pkg().Scope().Lookup(name)
	}
	if other == nil {
		return
	}
	if fn, ok := other.(*types.Func); ok && matchesCtxForm(sig, fn.Type().(*types.Signature), false) {
		f.HasCtxForm = true
		return
	}
	if f.Skip == "" {
		f.nameTaken = fmt.Sprintf("ctx-form name %s is taken by %s", name, describeObj(other))
	}
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
