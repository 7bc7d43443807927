// Package rewrite turns one phase of a plan into new file contents: ctx
// forms beside sync shims, ctx added in place, sinks made context-aware and
// call sites given a context. It writes nothing.
//
// Declarations that change are edited as dst trees (comments travel with
// the nodes they belong to) and spliced back into the original bytes, so a
// patch holds only the lines that must change, even in a file that is not
// gofmt-clean. Call sites outside those declarations and import lines are
// edited as text at their exact offsets.
package rewrite

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"sort"
	"strings"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
	"github.com/smartmigrate/smartmigrate/internal/analysis"
	"github.com/smartmigrate/smartmigrate/internal/load"
	"github.com/smartmigrate/smartmigrate/internal/patch"
	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/types/typeutil"
)

// Input is one phase to rewrite.
type Input struct {
	Module   *load.Module
	Analysis *analysis.Result
	// Units are the IDs of the phase's units.
	Units []string
	// Offload makes the ctx form of a unit whose callees are not all
	// migrated in this phase run its body in a goroutine and return
	// ctx.Err() when ctx ends first (top-down --offload).
	Offload bool
	// UpgradeInterfaces rewrites calls through an exported interface of
	// the module, inside the phase's functions, to use the ctx form when
	// the dynamic value has it (an optional FooerContext interface is
	// generated beside the interface) and the sync method otherwise.
	UpgradeInterfaces bool
}

// Item is one thing the rewrite did or could not do, at a position.
type Item struct {
	Pos  analysis.Position `json:"pos"`
	Text string            `json:"text"`
}

func (i Item) String() string { return i.Pos.String() + ": " + i.Text }

// Result is the rewritten phase.
type Result struct {
	// Files are the changed files, sorted by path.
	Files []patch.FileChange `json:"-"`
	// Units are the IDs of the units changed.
	Units []string `json:"units"`
	// Rewritten are the sinks made context-aware.
	Rewritten []Item `json:"rewritten"`
	// Left are sinks and dynamic calls left as they are, with why.
	Left []Item `json:"left"`
	// TODO are the call sites given context.TODO().
	TODO []Item `json:"todo"`
	// Moved are call sites that had a context and now call a ctx form.
	Moved []Item `json:"moved"`
	// Offloaded are the ctx forms whose body runs in a goroutine until
	// their callees are migrated (--offload); Unwrapped the offloads that
	// this phase removes.
	Offloaded []Item `json:"offloaded,omitempty"`
	Unwrapped []Item `json:"unwrapped,omitempty"`
}

// target is a declaration the phase changes.
type target struct {
	fn   *analysis.Func
	unit *analysis.Unit
	kind analysis.Kind
}

// fileState is one file being rewritten.
type fileState struct {
	path    string // absolute
	rel     string
	src     []byte
	syntax  *ast.File
	pkg     *packages.Package
	typed   bool // false for files excluded by build constraints
	reprint map[ast.Decl]bool
	edits   []textEdit // outside reprinted declarations
	needCtx bool
	// addImports are the imports the rewrite adds, path to name.
	addImports map[string]string
	// names are the identifiers spelled in the file; aliases the import
	// names chosen so far.
	names, aliases map[string]bool
}

// textEdit replaces src[start:end] with text.
type textEdit struct {
	start, end int
	text       string
}

// rewriter holds one rewrite run.
type rewriter struct {
	in       Input
	res      *Result
	targets  map[string]*target // by function ID
	byPos    map[analysis.Position]*analysis.Func
	files    map[string]*fileState // by absolute path
	decos    map[*packages.Package]*decorator.Decorator
	dfiles   map[*fileState]*dst.File
	inserted map[*fileState]map[ast.Decl][]dst.Decl // ctx forms to add after a declaration
	ifaceGen map[string]bool                        // optional ctx interfaces generated
	helpers  map[string]string                      // upgrade helpers by package, interface and method
}

// Phase rewrites the units of one phase.
func Phase(in Input) (*Result, error) {
	rw := &rewriter{
		in:       in,
		res:      &Result{},
		targets:  map[string]*target{},
		byPos:    map[analysis.Position]*analysis.Func{},
		files:    map[string]*fileState{},
		decos:    map[*packages.Package]*decorator.Decorator{},
		dfiles:   map[*fileState]*dst.File{},
		inserted: map[*fileState]map[ast.Decl][]dst.Decl{},
	}
	units := map[string]*analysis.Unit{}
	for _, u := range in.Analysis.Units {
		units[u.ID] = u
	}
	for _, id := range in.Units {
		u := units[id]
		if u == nil {
			return nil, fmt.Errorf("unit %s is not in the analysis (already migrated, or skipped)", id)
		}
		rw.res.Units = append(rw.res.Units, id)
		for _, fid := range u.Funcs {
			f := in.Analysis.Func(fid)
			rw.targets[fid] = &target{fn: f, unit: u, kind: u.Kind}
		}
	}
	for _, f := range in.Analysis.Funcs {
		rw.byPos[f.Pos] = f
	}
	if err := rw.run(); err != nil {
		return nil, err
	}
	return rw.res, nil
}

func (rw *rewriter) run() error {
	if err := rw.markDecls(); err != nil {
		return err
	}
	rw.findCallSites()
	if err := rw.unwrapOffloads(); err != nil {
		return err
	}
	if err := rw.rewriteDecls(); err != nil {
		return err
	}
	var paths []string
	for p := range rw.files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		fs := rw.files[p]
		out, err := rw.render(fs)
		if err != nil {
			return fmt.Errorf("rewrite %s: %w", fs.rel, err)
		}
		if !bytes.Equal(out, fs.src) {
			rw.res.Files = append(rw.res.Files, patch.FileChange{Path: fs.rel, Old: fs.src, New: out})
		}
	}
	sortItems(rw.res.Rewritten)
	sortItems(rw.res.Left)
	sortItems(rw.res.TODO)
	sortItems(rw.res.Moved)
	sortItems(rw.res.Offloaded)
	sortItems(rw.res.Unwrapped)
	return nil
}

func sortItems(items []Item) {
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i].Pos, items[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

// file returns the state of the file holding pos, creating it.
func (rw *rewriter) file(f *ast.File, pkg *packages.Package, typed bool) (*fileState, error) {
	name := rw.in.Module.Fset.Position(f.Package).Filename
	if fs, ok := rw.files[name]; ok {
		return fs, nil
	}
	src, err := readSource(name)
	if err != nil {
		return nil, err
	}
	fs := &fileState{path: name, rel: rw.in.Module.Rel(name), src: src, syntax: f, pkg: pkg, typed: typed, reprint: map[ast.Decl]bool{}}
	rw.files[name] = fs
	return fs, nil
}

func (rw *rewriter) position(pos token.Pos) analysis.Position {
	p := rw.in.Module.Fset.Position(pos)
	return analysis.Position{File: rw.in.Module.Rel(p.Filename), Line: p.Line, Col: p.Column}
}

// markDecls finds the declarations of every target, in typed files and in
// files excluded by build constraints.
func (rw *rewriter) markDecls() error {
	want := map[analysis.Position]*target{}
	for _, t := range rw.targets {
		want[t.fn.Pos] = t
		for _, p := range t.fn.Also {
			want[p] = t
		}
	}
	found := map[analysis.Position]bool{}
	visit := func(f *ast.File, pkg *packages.Package, typed bool) error {
		for _, d := range f.Decls {
			var names []*ast.Ident
			switch d := d.(type) {
			case *ast.FuncDecl:
				names = []*ast.Ident{d.Name}
			case *ast.GenDecl:
				names = interfaceMethodNames(d)
			}
			for _, n := range names {
				p := rw.position(n.Pos())
				if want[p] == nil {
					continue
				}
				fs, err := rw.file(f, pkg, typed)
				if err != nil {
					return err
				}
				fs.reprint[d] = true
				found[p] = true
			}
		}
		return nil
	}
	for _, pkg := range rw.in.Module.Packages {
		for _, f := range pkg.Syntax {
			if err := visit(f, pkg, true); err != nil {
				return err
			}
		}
	}
	for _, ig := range rw.in.Module.Ignored {
		if err := visit(ig.Syntax, ig.Package, false); err != nil {
			return err
		}
	}
	for p, t := range want {
		if !found[p] {
			return fmt.Errorf("%s: declaration of %s not found", p, t.fn.ID)
		}
	}
	return nil
}

func interfaceMethodNames(d *ast.GenDecl) []*ast.Ident {
	var names []*ast.Ident
	if d.Tok != token.TYPE {
		return nil
	}
	for _, s := range d.Specs {
		it, ok := s.(*ast.TypeSpec).Type.(*ast.InterfaceType)
		if !ok {
			continue
		}
		for _, m := range it.Methods.List {
			names = append(names, m.Names...)
		}
	}
	return names
}

// findCallSites gives every call to an in-place target outside the
// declarations being rewritten a context: its caller's ctx source. Calls to
// a sibling target from code that already has a context (a ctx variable in
// scope, a handler's request) move to the ctx form with that context;
// other callers keep calling the shim.
func (rw *rewriter) findCallSites() {
	inPlace := map[analysis.Position]*target{}
	for _, t := range rw.targets {
		inPlace[t.fn.Pos] = t
	}
	sources := map[analysis.Position]string{}
	for _, f := range rw.in.Analysis.Funcs {
		for _, c := range f.Calls {
			sources[c.Pos] = c.Source
		}
	}
	for _, pkg := range rw.in.Module.Packages {
		for _, f := range pkg.Syntax {
			rw.callSitesIn(f, pkg, inPlace, sources)
		}
	}
	for _, ig := range rw.in.Module.Ignored {
		rw.untypedCallSites(ig.Syntax, ig.Package, inPlace)
	}
}

func (rw *rewriter) callSitesIn(f *ast.File, pkg *packages.Package, inPlace map[analysis.Position]*target, sources map[analysis.Position]string) {
	for _, d := range f.Decls {
		ast.Inspect(d, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			fn, _ := typeutil.Callee(pkg.TypesInfo, call).(*types.Func)
			if fn == nil {
				return true
			}
			t := inPlace[rw.position(fn.Pos())]
			if t == nil {
				return true
			}
			fs, err := rw.file(f, pkg, true)
			if err != nil {
				return true
			}
			if fs.reprint[d] {
				return true // the declaration's own rewrite passes its ctx
			}
			pos := rw.position(call.Pos())
			src, ok := sources[pos]
			if !ok {
				src = analysis.SourceTODO
			}
			if t.kind == analysis.Sibling {
				if src == analysis.SourceTODO || strings.HasSuffix(fs.rel, "_test.go") {
					return true // the shim serves it; tests keep testing the sync API
				}
				id := calleeName(call.Fun)
				if id == nil {
					return true
				}
				fs.edits = append(fs.edits, textEdit{start: fs.offset(id.Pos()), end: fs.offset(id.End()), text: id.Name + "Context"})
				rw.res.Moved = append(rw.res.Moved, Item{Pos: pos, Text: fmt.Sprintf("call to %s moved to %sContext with %s", calleeText(fs, call), id.Name, src)})
			}
			rw.addArg(fs, call, src, pos)
			return true
		})
	}
}

// calleeName is the identifier naming the called function.
func calleeName(fun ast.Expr) *ast.Ident {
	switch f := ast.Unparen(fun).(type) {
	case *ast.SelectorExpr:
		return f.Sel
	case *ast.Ident:
		return f
	case *ast.IndexExpr:
		return calleeName(f.X)
	case *ast.IndexListExpr:
		return calleeName(f.X)
	}
	return nil
}

// untypedCallSites updates calls to in-place package functions in a file
// the build constraints exclude, by name.
func (rw *rewriter) untypedCallSites(f *ast.File, pkg *packages.Package, inPlace map[analysis.Position]*target) {
	names := map[string]bool{}
	for _, t := range inPlace {
		if t.kind == analysis.InPlace && t.fn.Package == pkg.PkgPath && t.fn.Recv == "" && !t.fn.InterfaceMethod {
			names[t.fn.Name] = true
		}
	}
	if len(names) == 0 {
		return
	}
	for _, d := range f.Decls {
		ast.Inspect(d, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			id, ok := call.Fun.(*ast.Ident)
			if !ok || !names[id.Name] {
				return true
			}
			fs, err := rw.file(f, pkg, false)
			if err != nil || fs.reprint[d] {
				return true
			}
			rw.addArg(fs, call, analysis.SourceTODO, rw.position(call.Pos()))
			return true
		})
	}
}

// addArg inserts src as the first argument of call, as text.
func (rw *rewriter) addArg(fs *fileState, call *ast.CallExpr, src string, pos analysis.Position) {
	off := rw.in.Module.Fset.Position(call.Lparen).Offset + 1
	text := src
	if len(call.Args) > 0 {
		text += ", "
	}
	if strings.HasPrefix(src, "context.") {
		text = rw.contextName(fs) + strings.TrimPrefix(text, "context")
		fs.needCtx = true
	}
	fs.edits = append(fs.edits, textEdit{start: off, end: off, text: text})
	if src == analysis.SourceTODO {
		rw.res.TODO = append(rw.res.TODO, Item{Pos: pos, Text: "call to " + calleeText(fs, call) + " given context.TODO()"})
	}
}

// calleeText is the source text of a call's function expression.
func calleeText(fs *fileState, call *ast.CallExpr) string {
	return nodeText(fs, call.Fun)
}

func nodeText(fs *fileState, n ast.Node) string {
	start := fs.offset(n.Pos())
	end := fs.offset(n.End())
	if start < 0 || end > len(fs.src) || start > end {
		return "?"
	}
	return string(fs.src[start:end])
}

func (fs *fileState) offset(pos token.Pos) int {
	// Positions are in the module's file set; the file's base gives the
	// offset without //line adjustments.
	return int(pos) - fs.base()
}

func (fs *fileState) base() int {
	return int(fs.syntax.FileStart)
}

// parseCheck reports a syntax error in rewritten output, which would be
// the rewrite's fault.
func parseCheck(name string, src []byte) error {
	_, err := parser.ParseFile(token.NewFileSet(), name, src, parser.SkipObjectResolution)
	if err != nil {
		return fmt.Errorf("internal error: the rewrite produced invalid Go: %w", err)
	}
	return nil
}
