package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"sort"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/analysis"
	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/types/typeutil"
)

// FinalizeInput is the module to finalize.
type FinalizeInput struct {
	Model *analysis.Model
	// Deprecate adds "Deprecated: Use FooContext instead." to every
	// exported shim.
	Deprecate bool
	// KeepShims removes no shim, even one nothing in the module uses.
	KeepShims bool
}

// Shim is a function whose body only calls its ctx form with
// context.Background().
type Shim struct {
	// ID is the shim's ID; Form the name of its ctx form.
	ID   string
	Form string
	Pos  analysis.Position
	// Exported is true when code outside the package can call it.
	Exported bool
	// Removed is true when the finalize phase deletes it (unexported, no
	// callers left).
	Removed bool

	fn   *types.Func
	decl *ast.FuncDecl
	fs   *fileState
}

// InlineDirective is what go fix reads to inline a shim at its callers.
const InlineDirective = "//go:fix inline"

// Finalize is the last, optional phase: every shim gets //go:fix inline
// (and, with Deprecate, a Deprecated paragraph) so that go fix moves
// callers outside the module to the ctx form; calls to shims in the
// module's non-test code move to the ctx form with their caller's context
// (context.TODO() where there is none); unexported shims left with no
// reference are deleted. Result.Units lists the shims changed.
func Finalize(in FinalizeInput) (*Result, []Shim, error) {
	rw := newRewriter(Input{Model: in.Model})
	shims, err := rw.findShims()
	if err != nil {
		return nil, nil, err
	}
	if len(shims) == 0 {
		return rw.res, nil, nil
	}
	byObj := map[*types.Func]*Shim{}
	for i := range shims {
		byObj[shims[i].fn] = &shims[i]
	}
	// References that remain after the phase, per shim.
	refs := map[*Shim]int{}
	for _, pkg := range rw.mod.Packages {
		for _, f := range pkg.Syntax {
			rw.finalizeCalls(f, pkg, byObj, refs)
		}
	}
	ignoredNames := map[string]bool{}
	for _, ig := range rw.mod.Ignored {
		for n := range identNames(ig.Syntax) {
			ignoredNames[ig.Package.PkgPath+"."+n] = true
		}
	}
	for i := range shims {
		s := &shims[i]
		changed := false
		// A method may be what makes its type satisfy an interface,
		// anywhere: only functions are removed.
		isMethod := s.fn.Signature().Recv() != nil
		if !in.KeepShims && !s.Exported && !isMethod && refs[s] == 0 && !ignoredNames[s.fn.Pkg().Path()+"."+s.fn.Name()] {
			s.Removed = true
			start, end := declRange(s.decl)
			from, to := s.fs.offset(start), s.fs.offset(end)
			// The declaration's lines, and the blank line before it.
			if to < len(s.fs.src) && s.fs.src[to] == '\n' {
				to++
			}
			if from >= 2 && s.fs.src[from-1] == '\n' && s.fs.src[from-2] == '\n' {
				from--
			}
			s.fs.edits = append(s.fs.edits, textEdit{start: from, end: to})
			rw.created(DeclRemoved, s.fn.FullName(), nil)
			changed = true
		} else if e, ok := finalizeDoc(s, in.Deprecate); ok {
			s.fs.edits = append(s.fs.edits, e)
			rw.created(DeclFinalized, s.fn.FullName(), nil)
			changed = true
		}
		if changed || rw.moved(s) {
			rw.res.Units = append(rw.res.Units, s.ID)
		}
	}
	if err := rw.renderAll(); err != nil {
		return nil, nil, err
	}
	sort.Strings(rw.res.Units)
	return rw.res, shims, nil
}

// moved reports whether the phase moves a call of s to its ctx form.
func (rw *rewriter) moved(s *Shim) bool {
	for _, d := range rw.res.Diagnostics {
		if d.Code == CodeMoved && d.Func == s.ID {
			return true
		}
	}
	return false
}

// findShims finds the module's shims in non-test, non-generated files.
func (rw *rewriter) findShims() ([]Shim, error) {
	var out []Shim
	seen := map[token.Pos]bool{}
	for _, pkg := range rw.mod.Packages {
		for _, f := range pkg.Syntax {
			name := rw.mod.Fset.Position(f.Package).Filename
			if strings.HasSuffix(name, "_test.go") || ast.IsGenerated(f) {
				continue
			}
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok {
					continue
				}
				fn, _ := pkg.TypesInfo.Defs[fd.Name].(*types.Func)
				if fn == nil || seen[fd.Name.Pos()] || !isShim(pkg.TypesInfo, fd, fn) {
					continue
				}
				seen[fd.Name.Pos()] = true
				fs, err := rw.file(f, pkg, true)
				if err != nil {
					return nil, err
				}
				pos := rw.position(fd.Name.Pos())
				id := fn.FullName()
				if af := rw.in.Model.FuncAt(fd.Name.Pos()); af != nil {
					id = af.ID
				}
				out = append(out, Shim{
					ID: id, Form: fd.Name.Name + "Context", Pos: pos,
					Exported: exportedFunc(fn), fn: fn, decl: fd, fs: fs,
				})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// exportedFunc reports whether code outside fn's package can name fn.
func exportedFunc(fn *types.Func) bool {
	if !fn.Exported() {
		return false
	}
	recv := fn.Type().(*types.Signature).Recv()
	if recv == nil {
		return true
	}
	t := recv.Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := t.(*types.Named); ok {
		return n.Obj().Exported()
	}
	return true
}

// isShim reports whether fd's body is exactly a call of its ctx form
// with context.Background() and its parameters, in order.
func isShim(info *types.Info, fd *ast.FuncDecl, fn *types.Func) bool {
	call := onlyCall(fd)
	if call == nil || len(call.Args) == 0 {
		return false
	}
	form, _ := typeutil.Callee(info, call).(*types.Func)
	if form == nil || form.Name() != fn.Name()+"Context" || form.Pkg() != fn.Pkg() {
		return false
	}
	if fn.Signature().Recv() != nil && !onReceiver(info, fd, call) {
		return false
	}
	bg, _ := ast.Unparen(call.Args[0]).(*ast.CallExpr)
	if bg == nil || !isCallTo(info, bg, "context", "Background") {
		return false
	}
	return forwardsParams(info, fd, call.Args[1:]) && call.Ellipsis.IsValid() == fn.Signature().Variadic()
}

// onlyCall is the call that is fd's whole body (returned, or a statement
// of a function without results), or nil.
func onlyCall(fd *ast.FuncDecl) *ast.CallExpr {
	if fd.Body == nil || len(fd.Body.List) != 1 {
		return nil
	}
	var call *ast.CallExpr
	switch s := fd.Body.List[0].(type) {
	case *ast.ReturnStmt:
		if len(s.Results) == 1 {
			call, _ = s.Results[0].(*ast.CallExpr)
		}
	case *ast.ExprStmt:
		if fd.Type.Results.NumFields() == 0 {
			call, _ = s.X.(*ast.CallExpr)
		}
	}
	return call
}

// onReceiver reports whether call is a method call on fd's receiver.
func onReceiver(info *types.Info, fd *ast.FuncDecl, call *ast.CallExpr) bool {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || len(fd.Recv.List) != 1 || len(fd.Recv.List[0].Names) != 1 {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	return ok && info.Uses[x] == info.Defs[fd.Recv.List[0].Names[0]]
}

// isCallTo reports whether call calls pkgPath.name.
func isCallTo(info *types.Info, call *ast.CallExpr, pkgPath, name string) bool {
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	return fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == pkgPath && fn.Name() == name
}

// forwardsParams reports whether args are fd's parameters, in order.
func forwardsParams(info *types.Info, fd *ast.FuncDecl, args []ast.Expr) bool {
	var params []types.Object
	for _, f := range fd.Type.Params.List {
		for _, n := range f.Names {
			params = append(params, info.Defs[n])
		}
	}
	if len(args) != len(params) {
		return false
	}
	for i, a := range args {
		id, ok := a.(*ast.Ident)
		if !ok || params[i] == nil || info.Uses[id] != params[i] {
			return false
		}
	}
	return true
}

// finalizeCalls moves the calls to shims in f to their ctx forms, and
// counts the references to shims that remain. A test's call moves only
// when it has a context to give (t.Context(), from go 1.24 on, or a ctx
// in scope): a test is not given context.TODO().
func (rw *rewriter) finalizeCalls(f *ast.File, pkg *packages.Package, shims map[*types.Func]*Shim, refs map[*Shim]int) {
	test := strings.HasSuffix(rw.mod.Fset.Position(f.Package).Filename, "_test.go")
	calls := map[*ast.Ident]*ast.CallExpr{}
	ast.Inspect(f, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if id := calleeName(call.Fun); id != nil {
				calls[id] = call
			}
		}
		return true
	})
	for id, obj := range pkg.TypesInfo.Uses {
		if rw.mod.Fset.File(id.Pos()) != rw.mod.Fset.File(f.Pos()) {
			continue
		}
		fn, ok := obj.(*types.Func)
		if !ok {
			continue
		}
		s := rw.shimOf(shims, fn)
		if s == nil {
			continue
		}
		call := calls[id]
		src := rw.sources[call]
		if call == nil || test && src.Kind == analysis.SourceTODO || s.decl.Pos() <= id.Pos() && id.Pos() < s.decl.End() {
			refs[s]++
			continue
		}
		fs, err := rw.file(f, pkg, true)
		if err != nil {
			refs[s]++
			continue
		}
		before := calleeText(fs, call)
		fs.edits = append(fs.edits, textEdit{start: fs.offset(id.Pos()), end: fs.offset(id.End()), text: s.Form})
		rw.res.Diagnostics = append(rw.res.Diagnostics, Diagnostic{Pos: rw.position(call.Pos()), Code: CodeMoved, Func: s.ID,
			Message: fmt.Sprintf("call to %s moved to %s with %s", before, s.Form, src)})
		rw.addArg(fs, call, src)
	}
}

// shimOf returns the shim fn refers to (any package variant's object), or
// nil.
func (rw *rewriter) shimOf(shims map[*types.Func]*Shim, fn *types.Func) *Shim {
	if s := shims[fn.Origin()]; s != nil {
		return s
	}
	if f := rw.in.Model.FuncOf(fn); f != nil {
		return shims[f.Obj]
	}
	return nil
}

// finalizeDoc returns the edit giving s's doc comment the inline
// directive as its last line (and the Deprecated paragraph), or false
// when it has them.
func finalizeDoc(s *Shim, deprecate bool) (textEdit, bool) {
	var lines []string
	if s.decl.Doc != nil {
		for _, c := range s.decl.Doc.List {
			lines = append(lines, strings.Split(c.Text, "\n")...)
		}
	}
	hasInline, hasDeprecated := false, false
	for _, l := range lines {
		if strings.TrimSpace(l) == InlineDirective {
			hasInline = true
		}
		if strings.HasPrefix(l, "// Deprecated:") {
			hasDeprecated = true
		}
	}
	wantDeprecated := deprecate && !hasDeprecated && s.Exported
	if hasInline && !wantDeprecated {
		return textEdit{}, false
	}
	// The text, then the directives (gofmt keeps them last, after a
	// blank comment line).
	i := len(lines)
	for i > 0 && isDirective(lines[i-1]) {
		i--
	}
	text, directives := lines[:i], append([]string(nil), lines[i:]...)
	for len(text) > 0 && text[len(text)-1] == "//" {
		text = text[:len(text)-1]
	}
	if wantDeprecated {
		if len(text) > 0 {
			text = append(text, "//")
		}
		text = append(text, fmt.Sprintf("// Deprecated: Use %s instead.", docLink(recvTypeName(s.decl), s.Form)))
	}
	if !hasInline {
		directives = append(directives, InlineDirective)
	}
	out := append([]string(nil), text...)
	if len(text) > 0 && len(directives) > 0 {
		out = append(out, "//")
	}
	out = append(out, directives...)
	if s.decl.Doc == nil {
		at := s.fs.offset(s.decl.Pos())
		return textEdit{start: at, end: at, text: strings.Join(out, "\n") + "\n"}, true
	}
	return textEdit{start: s.fs.offset(s.decl.Doc.Pos()), end: s.fs.offset(s.decl.Doc.End()), text: strings.Join(out, "\n")}, true
}
