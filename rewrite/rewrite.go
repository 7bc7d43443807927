// Package rewrite turns one phase of a plan into new file contents: ctx
// forms beside sync shims, ctx added in place, sinks made context-aware and
// call sites given a context. It writes nothing.
//
// Declarations that change are edited as dst trees (comments travel with
// the nodes they belong to) and spliced back into the original bytes, so a
// patch holds only the lines that must change, even in a file that is not
// gofmt-clean. Call sites outside those declarations and import lines are
// edited as text at their exact offsets.
//
// The package sits at the top of the module, but its API is not meant for
// code outside it: an Input is built from internal/analysis's Model, which
// only this module can make, since the model's facts and the rewrite that
// executes them change together. Outside the module, run the smartmigrate
// command (apply --dry-run --json gives the same results as data).
package rewrite

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/dave/dst"
	"github.com/smartmigrate/smartmigrate/internal/analysis"
	"github.com/smartmigrate/smartmigrate/internal/load"
	"github.com/smartmigrate/smartmigrate/internal/parallel"
	"github.com/smartmigrate/smartmigrate/internal/patch"
	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/types/typeutil"
)

// Input is one phase to rewrite.
type Input struct {
	// Model is the analysed module; the rewrite edits its syntax.
	Model *analysis.Model
	// Units are the phase's units.
	Units []*analysis.Unit
	// Offload makes the ctx form of a unit whose callees are not all
	// migrated in this phase run its body in a goroutine and return
	// ctx.Err() when ctx ends first (top-down --offload).
	Offload bool
	// UpgradeInterfaces rewrites calls through an exported interface of
	// the module, inside the phase's functions, to use the ctx form when
	// the dynamic value has it (an optional FooerContext interface is
	// generated beside the interface) and the sync method otherwise.
	UpgradeInterfaces bool
	// ReadFile reads a source file by its absolute name; nil reads it
	// from disk. An analyzer passes its pass's ReadFile, whose bytes are
	// the ones its positions are in (an editor's unsaved buffer).
	ReadFile func(name string) ([]byte, error)
}

// Code says what a diagnostic of the rewrite is about.
type Code string

// The codes of the rewrite's diagnostics. They are part of the JSON output.
const (
	// CodeRewritten: an operation made context-aware.
	CodeRewritten Code = "rewritten"
	// CodeLeft: an operation or a call left as it is, with why.
	CodeLeft Code = "left"
	// CodeTODO: a call site given context.TODO().
	CodeTODO Code = "todo"
	// CodeMoved: a call site that had a context now calls a ctx form.
	CodeMoved Code = "moved"
	// CodeOffloaded: a ctx form whose body runs in a goroutine until its
	// callees are migrated (--offload).
	CodeOffloaded Code = "offloaded"
	// CodeUnwrapped: an offload this phase removes.
	CodeUnwrapped Code = "unwrapped"
	// CodeRenamed: a ctx form's own variable renamed so that its ctx
	// parameter is ctx.
	CodeRenamed Code = "renamed"
)

// Diagnostic is one thing the rewrite did or could not do, at a place.
type Diagnostic struct {
	Pos     analysis.Position
	Code    Code
	Message string
	// Func is the ID of the module function the diagnostic is about, when
	// there is one (the callee of a moved call, the offloaded function).
	Func string
}

func (d Diagnostic) String() string { return d.Pos.String() + ": " + d.Message }

// DeclKind says what the rewrite did to a declaration.
type DeclKind string

// The kinds of declarations a rewrite creates or changes.
const (
	// DeclCtxForm is a new FooContext beside Foo.
	DeclCtxForm DeclKind = "ctx-form"
	// DeclShim is Foo turned into a shim of FooContext.
	DeclShim DeclKind = "shim"
	// DeclInPlace is a function that took ctx as its first parameter.
	DeclInPlace DeclKind = "in-place"
	// DeclCtxInterface is an optional FooerContext interface.
	DeclCtxInterface DeclKind = "ctx-interface"
	// DeclHelper is an unexported helper function.
	DeclHelper DeclKind = "helper"
	// DeclField is a ctx field beside an exported func field; Name is
	// "path.Struct.FieldContext".
	DeclField DeclKind = "ctx-field"
	// DeclImport is an import of package context (or another) the phase
	// added to a file; Name is "file:path".
	DeclImport DeclKind = "import"
	// DeclFinalized is a shim marked for go fix; DeclRemoved one removed.
	DeclFinalized DeclKind = "finalized"
	DeclRemoved   DeclKind = "removed"
)

// Decl is a declaration the rewrite created or changed.
type Decl struct {
	Kind DeclKind
	// Name is the declaration's qualified name, as types.Func.FullName
	// prints it: "(*example.com/shop/api.Client).FetchContext".
	Name string
	// Func is the ID of the unit function it belongs to.
	Func string
}

// Result is the rewritten phase.
type Result struct {
	// Files are the changed files, sorted by path.
	Files []patch.FileChange
	// Units are the IDs of the units changed.
	Units []string
	// Diagnostics are what the rewrite did and could not do, by position.
	Diagnostics []Diagnostic
	// Created are the declarations the phase creates or changes, and the
	// imports it adds.
	Created []Decl
	// Uses are the qualified names of declarations from before the phase
	// (ctx forms, functions migrated in place, helpers, imports) that the
	// phase's new code relies on: a phase that created one of them cannot
	// be reverted while this one stays.
	Uses []string
}

// Of returns the diagnostics with the given code, in order.
func (r *Result) Of(code Code) []Diagnostic {
	var out []Diagnostic
	for _, d := range r.Diagnostics {
		if d.Code == code {
			out = append(out, d)
		}
	}
	return out
}

// CreatedNames are the names of Created.
func (r *Result) CreatedNames() []string {
	var out []string
	for _, d := range r.Created {
		out = append(out, d.Name)
	}
	return out
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
	// printed are the declarations to reprint, in file order, once
	// decorated (see reprinted).
	printed []ast.Decl
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
	mod      *load.Module
	res      *Result
	targets  map[*analysis.Func]*target
	files    map[string]*fileState // by absolute path
	dfiles   map[*fileState]*dst.File
	inserted map[*fileState]map[ast.Decl][]dst.Decl // ctx forms to add after a declaration
	ifaceGen map[string]bool                        // optional ctx interfaces generated
	helpers  map[string]string                      // upgrade helpers by package, interface and method
	uses     map[string]bool
	// newFiles are the files the phase creates (helpers), by path.
	newFiles map[string][]byte
	// sources are the context sources of the module's call sites.
	sources map[*ast.CallExpr]analysis.Source
	// fields are the phase's changes to function-valued fields.
	fields *fieldPhase
}

func newRewriter(in Input) *rewriter {
	rw := &rewriter{
		in:       in,
		mod:      in.Model.Load,
		res:      &Result{},
		targets:  map[*analysis.Func]*target{},
		files:    map[string]*fileState{},
		dfiles:   map[*fileState]*dst.File{},
		inserted: map[*fileState]map[ast.Decl][]dst.Decl{},
		uses:     map[string]bool{},
		sources:  map[*ast.CallExpr]analysis.Source{},
	}
	for _, f := range in.Model.Funcs {
		for _, c := range f.Calls {
			if call := c.Expr(); call != nil {
				rw.sources[call] = c.Source
			}
		}
		for _, o := range f.Ops {
			if call, ok := o.Node.(*ast.CallExpr); ok && o.Rule.Rewrite == analysis.RewriteSibling {
				rw.sources[call] = o.Source
			}
		}
	}
	return rw
}

// Phase rewrites the units of one phase.
func Phase(in Input) (*Result, error) {
	rw := newRewriter(in)
	for _, u := range in.Units {
		if in.Model.UnitOf(u.Lead()) != u {
			return nil, fmt.Errorf("unit %s is not in the analysis (already migrated, or skipped)", u.ID)
		}
		rw.res.Units = append(rw.res.Units, u.ID)
		for _, f := range u.Funcs {
			rw.targets[f] = &target{fn: f, unit: u, kind: u.Kind}
		}
	}
	rw.activeGroups()
	if err := rw.run(); err != nil {
		return nil, err
	}
	return rw.res, nil
}

func (rw *rewriter) run() error {
	if err := rw.markDecls(); err != nil {
		return err
	}
	if err := rw.fieldEdits(); err != nil {
		return err
	}
	rw.findCallSites()
	if err := rw.unwrapOffloads(); err != nil {
		return err
	}
	if err := rw.rewriteDecls(); err != nil {
		return err
	}
	return rw.renderAll()
}

// renderAll renders every file with edits into res.Files, and puts the
// diagnostics and declarations in order.
func (rw *rewriter) renderAll() error {
	files := rw.sortedFiles()
	outs := make([][]byte, len(files))
	err := parallel.ForEach(len(files), 0, func(i int) error {
		out, err := rw.render(files[i])
		if err != nil {
			return fmt.Errorf("rewrite %s: %w", files[i].rel, err)
		}
		outs[i] = out
		return nil
	})
	if err != nil {
		return err
	}
	for i, fs := range files {
		if !bytes.Equal(outs[i], fs.src) {
			rw.res.Files = append(rw.res.Files, patch.FileChange{Path: fs.rel, Old: fs.src, New: outs[i]})
		}
	}
	for _, p := range slices.Sorted(maps.Keys(rw.newFiles)) {
		rw.res.Files = append(rw.res.Files, patch.FileChange{Path: p, New: rw.newFiles[p]})
	}
	sort.Slice(rw.res.Files, func(i, j int) bool { return rw.res.Files[i].Path < rw.res.Files[j].Path })
	sort.SliceStable(rw.res.Diagnostics, func(i, j int) bool {
		a, b := rw.res.Diagnostics[i].Pos, rw.res.Diagnostics[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	sort.SliceStable(rw.res.Created, func(i, j int) bool { return rw.res.Created[i].Name < rw.res.Created[j].Name })
	rw.res.Uses = slices.Sorted(maps.Keys(rw.uses))
	if rw.res.Diagnostics == nil {
		rw.res.Diagnostics = []Diagnostic{}
	}
	if rw.res.Created == nil {
		rw.res.Created = []Decl{}
	}
	return nil
}

// report adds a diagnostic.
func (rw *rewriter) report(pos token.Pos, code Code, format string, args ...any) {
	rw.res.Diagnostics = append(rw.res.Diagnostics, Diagnostic{Pos: rw.position(pos), Code: code, Message: fmt.Sprintf(format, args...)})
}

// created records a declaration the phase creates or changes.
func (rw *rewriter) created(kind DeclKind, name string, f *analysis.Func) {
	d := Decl{Kind: kind, Name: name}
	if f != nil {
		d.Func = f.ID
	}
	rw.res.Created = append(rw.res.Created, d)
}

// use records that the phase's new code relies on a declaration made
// before it.
func (rw *rewriter) use(name string) { rw.uses[name] = true }

// ctxFormName is the qualified name of f's ctx form.
func ctxFormName(f *analysis.Func) string {
	full := f.Obj.FullName()
	return strings.TrimSuffix(full, f.Name) + f.CtxFormName()
}

// file returns the state of the file holding pos, creating it.
func (rw *rewriter) file(f *ast.File, pkg *packages.Package, typed bool) (*fileState, error) {
	name := rw.mod.Fset.Position(f.Package).Filename
	if fs, ok := rw.files[name]; ok {
		return fs, nil
	}
	src, err := rw.readSource(name)
	if err != nil {
		return nil, err
	}
	fs := &fileState{path: name, rel: rw.mod.Rel(name), src: src, syntax: f, pkg: pkg, typed: typed, reprint: map[ast.Decl]bool{}}
	rw.files[name] = fs
	return fs, nil
}

func (rw *rewriter) position(pos token.Pos) analysis.Position { return rw.in.Model.Position(pos) }

// markDecls finds the declarations of every target, in typed files and in
// files excluded by build constraints.
func (rw *rewriter) markDecls() error {
	want := map[token.Pos]*target{}
	for _, t := range rw.targets {
		want[t.fn.Pos] = t
		for _, p := range t.fn.Also {
			want[p] = t
		}
	}
	found := map[token.Pos]bool{}
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
				if want[n.Pos()] == nil {
					continue
				}
				fs, err := rw.file(f, pkg, typed)
				if err != nil {
					return err
				}
				fs.reprint[d] = true
				found[n.Pos()] = true
			}
		}
		return nil
	}
	for _, pkg := range rw.mod.Packages {
		for _, f := range pkg.Syntax {
			if err := visit(f, pkg, true); err != nil {
				return err
			}
		}
	}
	for _, ig := range rw.mod.Ignored {
		if err := visit(ig.Syntax, ig.Package, false); err != nil {
			return err
		}
	}
	for p, t := range want {
		if !found[p] {
			return fmt.Errorf("%s: declaration of %s not found", rw.position(p), t.fn.ID)
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

// targetOf returns the target that fn declares, or nil.
func (rw *rewriter) targetOf(fn *types.Func) *target {
	if f := rw.in.Model.FuncOf(fn); f != nil {
		return rw.targets[f]
	}
	return nil
}

// findCallSites gives every call to an in-place target outside the
// declarations being rewritten a context: its caller's ctx source. Calls to
// a sibling target from code that already has a context (a ctx variable in
// scope, a handler's request) move to the ctx form with that context;
// other callers keep calling the shim.
func (rw *rewriter) findCallSites() {
	type file struct {
		syntax *ast.File
		pkg    *packages.Package
	}
	var files []file
	for _, pkg := range rw.mod.Packages {
		for _, f := range pkg.Syntax {
			files = append(files, file{f, pkg})
		}
	}
	// The search reads only the model and the targets, so the files are
	// searched side by side; the call sites are then updated in order.
	hits := parallel.Map(len(files), func(i int) []callHit { return rw.callsToTargets(files[i].syntax, files[i].pkg) })
	for i, fh := range hits {
		for _, h := range fh {
			fs, err := rw.file(files[i].syntax, files[i].pkg, true)
			if err != nil || fs.reprint[h.decl] {
				continue // the declaration's own rewrite passes its ctx
			}
			rw.callSite(fs, h.call, h.t)
		}
	}
	for _, ig := range rw.mod.Ignored {
		rw.untypedCallSites(ig.Syntax, ig.Package)
	}
}

// callHit is a call to a target of the phase, in the declaration decl.
type callHit struct {
	decl ast.Decl
	call *ast.CallExpr
	t    *target
}

// callsToTargets are the calls to the phase's targets in f, in order.
func (rw *rewriter) callsToTargets(f *ast.File, pkg *packages.Package) []callHit {
	var out []callHit
	for _, d := range f.Decls {
		ast.Inspect(d, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if fn, _ := typeutil.Callee(pkg.TypesInfo, call).(*types.Func); fn != nil {
				if t := rw.targetOf(fn); t != nil {
					out = append(out, callHit{d, call, t})
				}
			}
			return true
		})
	}
	return out
}

// callSite updates one call to a target outside the phase's declarations.
func (rw *rewriter) callSite(fs *fileState, call *ast.CallExpr, t *target) {
	src := rw.sources[call] // SourceTODO when the analysis saw no caller
	if t.kind == analysis.Sibling {
		if src.Kind == analysis.SourceTODO || strings.HasSuffix(fs.rel, "_test.go") {
			return // the shim serves it; tests keep testing the sync API
		}
		id := calleeName(call.Fun)
		if id == nil {
			return
		}
		fs.edits = append(fs.edits, textEdit{start: fs.offset(id.Pos()), end: fs.offset(id.End()), text: t.fn.CtxFormName()})
		rw.res.Diagnostics = append(rw.res.Diagnostics, Diagnostic{Pos: rw.position(call.Pos()), Code: CodeMoved, Func: t.fn.ID,
			Message: fmt.Sprintf("call to %s moved to %s with %s", calleeText(fs, call), t.fn.CtxFormName(), src)})
	}
	rw.addArg(fs, call, src)
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
func (rw *rewriter) untypedCallSites(f *ast.File, pkg *packages.Package) {
	names := map[string]bool{}
	for _, t := range rw.targets {
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
			rw.addArg(fs, call, analysis.Source{Kind: analysis.SourceTODO})
			return true
		})
	}
}

// addArg inserts src as the first argument of call, as text.
func (rw *rewriter) addArg(fs *fileState, call *ast.CallExpr, src analysis.Source) {
	off := rw.mod.Fset.Position(call.Lparen).Offset + 1
	text := rw.ctxArgText(fs, call, src)
	if len(call.Args) > 0 {
		text += ", "
	}
	fs.edits = append(fs.edits, textEdit{start: off, end: off, text: text})
}

// ctxArgText is the ctx argument src gives call, reported when it is
// context.TODO().
func (rw *rewriter) ctxArgText(fs *fileState, call *ast.CallExpr, src analysis.Source) string {
	ctxPkg := "context"
	if src.Kind == analysis.SourceTODO {
		ctxPkg = rw.contextName(fs)
		fs.needCtx = true
		rw.report(call.Pos(), CodeTODO, "call to %s given context.TODO()", calleeText(fs, call))
	}
	return src.Expr(ctxPkg)
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
