//go:build recall

package recall

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Key names a declared function or method of a module by where it is
// declared, so that two versions of a library (whose module paths may
// differ, github.com/go-redis/redis and .../redis/v8) can be compared.
type Key struct {
	// Pkg is the package's folder relative to the module root, "." for
	// the root.
	Pkg string
	// Recv is the receiver's type name without * and type parameters,
	// the interface's name for an interface method, "" for a function.
	Recv string
	// Name is the declared name.
	Name string
}

// String is "Recv.Name" in the root package, "pkg/dir/Recv.Name" below it.
func (k Key) String() string {
	s := k.Name
	if k.Recv != "" {
		s = k.Recv + "." + s
	}
	if k.Pkg != "." {
		s = k.Pkg + "/" + s
	}
	return s
}

// Decl is what the comparison reads of one declaration.
type Decl struct {
	// Ctx is true when a parameter is a context.Context.
	Ctx bool
	// Iface is true for a method of an exported interface type.
	Iface bool
	// At is "file:line", the file relative to the module root.
	At string
}

// API is the exported surface of a module as its syntax declares it:
// exported functions, exported methods of any receiver type (redigo's
// unexported conn has an exported Do) and exported methods of exported
// interfaces, outside _test.go files, testdata, vendor, example folders and
// main packages. Files of every build constraint count.
type API struct {
	Decls map[Key]Decl
	// Lines counts the lines of the files scanned.
	Lines int
	// embedders are, per package folder and struct type name, the struct
	// types of the same package that embed it (Client embeds baseClient).
	embedders map[[2]string][]string
}

// ctxSuffixes are the names a context-aware sibling of Foo takes.
var ctxSuffixes = []string{"Context", "WithContext", "Ctx", "WithCtx"}

// skippedDir reports whether a folder below the module root holds no
// library code to compare.
func skippedDir(name string) bool {
	switch name {
	case "testdata", "vendor", "example", "examples", "_examples":
		return true
	}
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// ScanAPI parses the Go files below root (syntax only; nothing is built)
// and returns the module's API.
func ScanAPI(root string) (*API, error) {
	api := &API{Decls: map[Key]Decl{}, embedders: map[[2]string][]string{}}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && skippedDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		return api.scanFile(fset, root, path)
	})
	if err != nil {
		return nil, fmt.Errorf("scan the API below %s: %w", root, err)
	}
	return api, nil
}

// scanFile adds the declarations of one file.
func (a *API) scanFile(fset *token.FileSet, root, path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
	if err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	if f.Name.Name == "main" {
		return nil
	}
	a.Lines += bytes.Count(src, []byte("\n"))
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return err
	}
	pkg := filepath.ToSlash(filepath.Dir(rel))
	ctxNames := contextNames(f)
	at := func(p token.Pos) string {
		return fmt.Sprintf("%s:%d", filepath.ToSlash(rel), fset.Position(p).Line)
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Name.IsExported() {
				k := Key{Pkg: pkg, Recv: recvName(d.Recv), Name: d.Name.Name}
				a.Decls[k] = Decl{Ctx: takesContext(d.Type, ctxNames), At: at(d.Name.Pos())}
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				if ts, ok := s.(*ast.TypeSpec); ok {
					a.scanType(pkg, ts, ctxNames, at)
				}
			}
		}
	}
	return nil
}

// scanType adds the exported methods of an exported interface type, and
// what a struct type embeds.
func (a *API) scanType(pkg string, ts *ast.TypeSpec, ctxNames map[string]bool, at func(token.Pos) string) {
	switch t := ts.Type.(type) {
	case *ast.InterfaceType:
		if !ts.Name.IsExported() {
			return
		}
		for _, m := range t.Methods.List {
			ft, ok := m.Type.(*ast.FuncType)
			if !ok {
				continue
			}
			for _, n := range m.Names {
				if n.IsExported() {
					k := Key{Pkg: pkg, Recv: ts.Name.Name, Name: n.Name}
					a.Decls[k] = Decl{Ctx: takesContext(ft, ctxNames), Iface: true, At: at(n.Pos())}
				}
			}
		}
	case *ast.StructType:
		for _, fld := range t.Fields.List {
			if len(fld.Names) > 0 {
				continue
			}
			if name := typeName(fld.Type); name != "" {
				k := [2]string{pkg, name}
				a.embedders[k] = append(a.embedders[k], ts.Name.Name)
			}
		}
	}
}

// contextNames are the names under which f imports package context (or
// its ancestor golang.org/x/net/context).
func contextNames(f *ast.File) map[string]bool {
	names := map[string]bool{}
	for _, im := range f.Imports {
		p := strings.Trim(im.Path.Value, `"`)
		if p != "context" && p != "golang.org/x/net/context" {
			continue
		}
		n := "context"
		if im.Name != nil {
			n = im.Name.Name
		}
		names[n] = true
	}
	return names
}

// takesContext reports whether a parameter of ft is a context.Context.
func takesContext(ft *ast.FuncType, ctxNames map[string]bool) bool {
	for _, p := range ft.Params.List {
		se, ok := p.Type.(*ast.SelectorExpr)
		if !ok || se.Sel.Name != "Context" {
			continue
		}
		if id, ok := se.X.(*ast.Ident); ok && ctxNames[id.Name] {
			return true
		}
	}
	return false
}

// recvName is the receiver's type name without * and type parameters; ""
// for a function.
func recvName(recv *ast.FieldList) string {
	if recv == nil || len(recv.List) == 0 {
		return ""
	}
	return typeName(recv.List[0].Type)
}

// typeName is the name of a type expression of the package itself (T, *T,
// T[P]); "" for anything else.
func typeName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return typeName(t.X)
	case *ast.Ident:
		return t.Name
	case *ast.IndexExpr:
		return typeName(t.X)
	case *ast.IndexListExpr:
		return typeName(t.X)
	}
	return ""
}

// Gain is a declaration of the old version that has a ctx in the new one.
type Gain struct {
	Key   Key
	Iface bool
	// How is "in place", "sibling FooContext", or, for a method that moved
	// to a type embedding its old receiver, "moved to Client.Do, in place".
	How string
}

// Gained returns the declarations of old that take no context and have a
// ctx in cur: in place (the same key takes a context.Context) or as a
// sibling (FooContext, FooWithContext, FooCtx or FooWithCtx takes one in
// cur and did not exist in old). A method that cur no longer declares on
// its old receiver but on a struct type that embedded that receiver in old
// (go-redis moved baseClient.Do to Client.Do) is matched there.
func Gained(old, cur *API) map[Key]Gain {
	out := map[Key]Gain{}
	for k, d := range old.Decls {
		if d.Ctx {
			continue
		}
		if how := gainedAt(old, cur, k); how != "" {
			out[k] = Gain{Key: k, Iface: d.Iface, How: how}
			continue
		}
		if _, still := cur.Decls[k]; still || d.Iface || k.Recv == "" {
			continue
		}
		for _, e := range old.embedders[[2]string{k.Pkg, k.Recv}] {
			ek := Key{Pkg: k.Pkg, Recv: e, Name: k.Name}
			if _, own := old.Decls[ek]; own {
				continue
			}
			if how := gainedAt(old, cur, ek); how != "" {
				out[k] = Gain{Key: k, How: "moved to " + e + "." + k.Name + ", " + how}
				break
			}
		}
	}
	return out
}

// gainedAt says how k has a ctx in cur and not in old: "in place",
// "sibling FooContext", or "" when it has none.
func gainedAt(old, cur *API, k Key) string {
	if d, ok := cur.Decls[k]; ok && d.Ctx {
		if od, had := old.Decls[k]; !had || !od.Ctx {
			return "in place"
		}
		return ""
	}
	for _, s := range ctxSuffixes {
		sk := Key{Pkg: k.Pkg, Recv: k.Recv, Name: k.Name + s}
		if _, had := old.Decls[sk]; had {
			continue
		}
		if d, ok := cur.Decls[sk]; ok && d.Ctx {
			return "sibling " + sk.Name
		}
	}
	return ""
}

// sortedKeys returns the keys of m in the order of their names.
func sortedKeys[V any](m map[Key]V) []Key {
	keys := make([]Key, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
	return keys
}
